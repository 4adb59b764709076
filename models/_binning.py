"""Bands: cut points, category groups and the missing band, learned on training data.

A *band spec* is a plain ``dict`` (so it can be saved and exported as JSON) with keys

- ``name``: the column name;
- ``kind``: ``"numeric"``, ``"bool"`` or ``"categorical"``;
- ``cuts``: sorted cut points (numeric and bool). Band ``i`` holds values ``x`` with
  ``cuts[i-1] <= x < cuts[i]`` (``np.searchsorted(cuts, x, side="right")``);
- ``levels``: categories with their own band (categorical), in band order;
- ``other_levels``: rare training categories pooled in the ``other`` band (categorical);
- ``labels``: one readable label per band. The last band is always ``missing``; for a
  categorical feature the one before it is ``other`` (rare and unseen categories).

Bool features are numeric 0/1 features with the single cut 0.5 (merged away when a
monotone constraint makes the two bands equal).
"""

import math

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

_INF_VALUES = (
    "Column {0!r} contains infinite values in {1} row(s). Replace them with NaN (missing) "
    "or a finite value before fitting or scoring."
)
_NOT_NUMERIC = (
    "Column {0!r} was numeric when the model was fitted, but its values cannot be read as "
    "numbers now ({1}). Pass the same columns, with the same types, as at fit time."
)


#: Label of the band that groups rare and unseen categories. Not "other", which is
#: itself a common category value (an "other" primary need, say).
OTHER_LABEL = "any other value"


def column_kind(col):
    """Return the band kind for a pandas column: numeric, bool or categorical."""
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if (pd.api.types.is_object_dtype(dtype)
            and pd.api.types.infer_dtype(col, skipna=True) == "boolean"):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        return "numeric"
    return "categorical"


def to_float(col, name):
    """Numeric column as a float64 array, NaN for missing; infinite values are refused."""
    try:
        if isinstance(col, pd.Series):
            if isinstance(col.dtype, pd.CategoricalDtype):
                col = col.astype(object)
            values = col.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = np.asarray(col, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(_NOT_NUMERIC.format(name, exc)) from exc
    n_inf = int(np.isinf(values).sum())
    if n_inf:
        raise ValueError(_INF_VALUES.format(name, n_inf))
    return values


def to_bool_float(col, name):
    """Bool column as 0.0/1.0, NaN for missing."""
    series = col if isinstance(col, pd.Series) else pd.Series(np.asarray(col, dtype=object))
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    return to_float(series.astype(object).where(series.notna(), np.nan), name)


def to_labels(col):
    """Categorical column as (codes into ``categories``, categories as str, missing mask)."""
    series = col if isinstance(col, pd.Series) else pd.Series(np.asarray(col, dtype=object))
    if not isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype("category")
    categories = [str(c) for c in series.cat.categories]
    codes = series.cat.codes.to_numpy()
    return codes, categories, codes < 0


def _nice_cut(t, below, above):
    """Shortest decimal c with below < c <= above (t, the tree's midpoint, as fallback)."""
    for k in range(-6, 16):
        step = 10.0 ** -k
        c = math.floor(below / step) * step + step
        c = round(c, k) if k > 0 else c
        if below < c <= above:
            return float(c)
    return float(t) if below < t <= above else float(above)


def numeric_labels(cuts, kind, fmt=None):
    """Readable band labels for cut points (plus the trailing ``missing`` band).

    ``fmt`` is an optional format string for the cut points, e.g. ``"{:.1%}"``; it only
    changes the text, never the cut points themselves.

    Examples
    --------
    >>> numeric_labels([0.05, 0.1], "numeric", "{:.0%}")
    ['< 5%', '5% to < 10%', '>= 10%', 'missing']
    >>> numeric_labels([6, 12], "numeric", "{:.0f} months")
    ['< 6 months', '6 to < 12 months', '>= 12 months', 'missing']
    """
    if kind == "bool":
        if len(cuts) == 0:
            return ["no or yes", "missing"]
        return ["no", "yes", "missing"]
    if len(cuts) == 0:
        return ["any value", "missing"]
    unit = ""
    if fmt is not None:
        # a unit after the number ("{:.0f} months") is written once per band
        end = fmt.rfind("}") + 1
        fmt, unit = fmt[:end], fmt[end:]
        text = [fmt.format(c) for c in cuts]
    else:
        text = [f"{c:g}" if float(f"{c:g}") == c else repr(c) for c in cuts]
    labels = [f"< {text[0]}{unit}"]
    labels += [f"{lo} to < {hi}{unit}" for lo, hi in zip(text[:-1], text[1:])]
    labels.append(f">= {text[-1]}{unit}")
    return labels + ["missing"]


def _support(n, pos, rate):
    """Evidence in a band, in rows of the rarer outcome: those it holds, or those it would
    hold at the overall rate ``rate``, whichever is larger.

    A band with a high rate needs that many outcomes to show it; a band with a low rate
    needs enough rows that its few outcomes are themselves evidence.
    """
    if rate > 0.5:
        pos, rate = n - pos, 1 - rate
    return np.maximum(pos, n * rate)


def merge_thin_bands(cuts, x, t, min_events):
    """Drop cut points until every band has the support of ``min_events`` rows of the
    rarer outcome (held, or expected at the overall rate).

    The thinnest band is merged with the neighbour whose outcome rate is closest (ties to
    the left), one merge at a time, so bands are judged by their evidence and not by their
    share of rows: a value held by 3% of pupils keeps its own band when it holds enough
    outcomes.

    Examples
    --------
    >>> x = np.r_[np.zeros(950), np.ones(50)]
    >>> merge_thin_bands([0.5], x, np.r_[np.zeros(931), np.ones(19), 1, np.zeros(49)], 5)
    []
    >>> merge_thin_bands([0.5], x, np.r_[np.zeros(936), np.ones(14), np.ones(6), np.zeros(44)], 5)
    [0.5]
    """
    cuts = list(cuts)
    base = float(np.mean(t)) if len(t) else 0.0
    while cuts:
        band = np.searchsorted(cuts, x, side="right")
        n = np.bincount(band, minlength=len(cuts) + 1).astype(float)
        pos = np.bincount(band, weights=t, minlength=len(cuts) + 1)
        support = _support(n, pos, base)
        thin = int(np.argmin(support))
        if support[thin] >= min_events:
            break
        rate = pos / np.maximum(n, 1)
        if thin == 0:
            drop = 0
        elif thin == len(cuts):
            drop = len(cuts) - 1
        else:
            left, right = abs(rate[thin] - rate[thin - 1]), abs(rate[thin] - rate[thin + 1])
            drop = thin - 1 if left <= right else thin
        del cuts[drop]
    return cuts


def fit_numeric(values, y, *, max_bands, min_count, direction, random_state, min_events=0):
    """Cut points from a shallow tree on the observed values (at least min_count per band,
    and at least ``min_events`` rows of the rarer outcome, see :func:`merge_thin_bands`).

    A cut is the shortest decimal separating the same training values as the tree's
    threshold when that is short, else the threshold rounded to the fewest significant
    digits (3 or more) that keep every band at ``min_count`` rows.
    """
    seen = ~np.isnan(values)
    x, t = values[seen], y[seen]
    cuts = []
    if x.size >= 2 * min_count and np.unique(x).size > 1 and np.unique(t).size > 1:
        tree = DecisionTreeClassifier(
            max_leaf_nodes=max_bands, min_samples_leaf=min_count,
            monotonic_cst=[int(direction)] if direction else None,
            random_state=random_state,
        ).fit(x.reshape(-1, 1), t)
        thresholds = np.unique(tree.tree_.threshold[tree.tree_.feature >= 0])
        distinct = np.unique(x)
        pairs = []
        for thr in thresholds:
            i = np.searchsorted(distinct, thr, side="right")
            if 0 < i < distinct.size:
                pairs.append((thr, _nice_cut(thr, distinct[i - 1], distinct[i])))
        # readable cut points: the fewest significant digits (from 3) that keep every band
        # at min_count rows; the exact cuts (the tree's partition) always do
        for digits in range(3, 18):
            cuts = sorted({exact if float(f"{exact:.{digits}g}") == exact
                           else float(f"{thr:.{digits}g}") for thr, exact in pairs})
            bands = np.bincount(np.searchsorted(cuts, x, side="right"),
                                minlength=len(cuts) + 1)
            if bands.min() >= min_count:
                break
        else:
            cuts = [exact for _, exact in pairs]
    cuts = sorted(set(cuts))
    if min_events and cuts:
        cuts = merge_thin_bands(cuts, x, t, min_events)
    return cuts


def fit_bands(name, col, kind, y, *, max_bands, min_count, direction, random_state,
              min_events=0):
    """Learn the band spec of one column.

    A category keeps its own band when it has ``min_count`` training rows and
    the support of ``min_events`` rows of the rarer outcome (held, or expected at the
    overall rate); the others are pooled in the ``other`` band. A yes/no feature has two
    bands when both values have that support (else one ``no or yes`` band).
    """
    y = np.asarray(y, dtype=np.float64)
    if kind == "categorical":
        codes, categories, missing = to_labels(col)
        seen = ~missing
        counts = np.bincount(codes[seen], minlength=len(categories))
        pos = np.bincount(codes[seen], weights=y[seen], minlength=len(categories))
        support = _support(counts, pos, float(y[seen].mean()) if seen.any() else 0.0)
        own = (counts >= min_count) & (support >= min_events)
        levels = sorted(c for c, keep in zip(categories, own) if keep)
        other = sorted(c for c, n, keep in zip(categories, counts, own) if n > 0 and not keep)
        return {"name": name, "kind": kind, "levels": levels, "other_levels": other,
                "labels": levels + [OTHER_LABEL, "missing"]}
    if kind == "bool":
        values = to_bool_float(col, name)
        seen = ~np.isnan(values)
        cuts = [0.5] if np.unique(values[seen]).size > 1 else []
        if min_events and cuts:
            cuts = merge_thin_bands(cuts, values[seen], y[seen], min_events)
    else:
        values = to_float(col, name)
        cuts = fit_numeric(values, y, max_bands=max_bands, min_count=min_count,
                           direction=direction, random_state=random_state,
                           min_events=min_events)
    return {"name": name, "kind": kind, "cuts": cuts, "labels": numeric_labels(cuts, kind)}


def n_bands(spec):
    """Number of bands, the missing band included."""
    return len(spec["labels"])


def encode(spec, col):
    """Integer band codes of one column (0 .. n_bands - 1; the last code is missing)."""
    missing_code = n_bands(spec) - 1
    if spec["kind"] == "categorical":
        codes, categories, missing = to_labels(col)
        index = {level: i for i, level in enumerate(spec["levels"])}
        other = missing_code - 1
        lookup = np.array([index.get(c, other) for c in categories] + [missing_code],
                          dtype=np.intp)
        # code -1 (missing) picks the last lookup entry
        return lookup[codes]
    if spec["kind"] == "bool":
        values = to_bool_float(col, spec["name"])
    else:
        values = to_float(col, spec["name"])
    out = band_index(np.asarray(spec["cuts"], dtype=np.float64), values)
    out[np.isnan(values)] = missing_code
    return out


#: Up to this many cut points, counting the cuts at or below each value (one comparison
#: pass per cut) is faster than a binary search per value.
_FEW_CUTS = 16


def band_index(cuts, values):
    """``numpy.searchsorted(cuts, values, side="right")`` as intp (NaN gives 0 or more).

    With few cuts the index is the number of cuts at or below each value, counted one
    comparison pass per cut: the same result as the binary search, several times faster
    for the handful of cuts a band has. NaN values compare false, so callers overwrite
    them (they are the missing band).
    """
    if len(cuts) > _FEW_CUTS:
        return np.searchsorted(cuts, values, side="right").astype(np.intp, copy=False)
    out = np.zeros(len(values), dtype=np.intp)
    for cut in cuts:
        out += values >= cut
    return out


def merge_bands(spec, lower):
    """Return a copy of a numeric/bool spec with bands ``lower`` and ``lower + 1`` merged."""
    cuts = list(spec["cuts"])
    del cuts[lower]
    return {**spec, "cuts": cuts, "labels": numeric_labels(cuts, spec["kind"])}


def min_count_from(min_band_size, n_rows):
    """Minimum rows per band from a fraction (0 < f < 1) or a count."""
    if isinstance(min_band_size, float) and min_band_size < 1:
        return max(1, math.ceil(min_band_size * n_rows))
    return max(1, int(min_band_size))
