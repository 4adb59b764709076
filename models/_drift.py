"""Drift: does the data being scored still look like the data the model learned from?

:class:`DriftProfile` keeps a compact per-feature summary of the training data
(decile edges and shares, or level shares, plus mean and standard deviation; no row)
and compares a new frame with it. The rule for calling a feature "shifted" lives here,
with its thresholds as parameters.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

_MISSING = "__missing__"
_EPS = 1e-4


def _level_codes(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), _MISSING).astype(str)


def _direct(s: pd.Series) -> bool:
    """Whether two values of ``s`` are equal exactly when their texts are.

    Not so for objects (``1 == 1.0 == True``) or for floats with a negative zero.
    """
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype) \
            or pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        return not pd.api.types.is_object_dtype(dtype)
    if pd.api.types.is_float_dtype(dtype):
        values = s.to_numpy(dtype="float64", na_value=np.nan)
        return not np.any((values == 0) & np.signbit(values))
    return False


def _level_codes_by_value(s: pd.Series) -> pd.Series:
    """``_level_codes(s)`` for a :func:`_direct` series, each distinct value made text once.

    The same texts in the same rows, taken from a table of the distinct values' texts
    (its last entry for the missing rows), so anything computed from them (the order
    ``value_counts`` gives ties included) is what ``_level_codes(s)`` gives.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    texts = _level_codes(pd.Series(uniques))
    table = pd.concat([texts, pd.Series([_MISSING], dtype=texts.dtype)], ignore_index=True)
    return pd.Series(table.array.take(codes), index=s.index, name=s.name)


def _level_counts(s: pd.Series) -> pd.Series:
    """``_level_codes(s).value_counts()`` in any order, counting the values first.

    Turning every row into text is what costs; the distinct values are few. Counting
    first needs values that are equal only when their texts are (see :func:`_direct`);
    other values are counted as texts.
    """
    if not _direct(s):
        return _level_codes(s).value_counts()
    counts = s.value_counts(dropna=False, sort=False)
    counts = counts[counts.to_numpy() > 0]  # a category no row has
    labels = _level_codes(pd.Series(counts.index.array, copy=False)).to_numpy()
    return pd.Series(counts.to_numpy(), index=labels).groupby(level=0, sort=False).sum()


def _as_float(s: pd.Series) -> np.ndarray | None:
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "fb":
        # NumPy floats and bools cast as the nullable route below casts them (NaN stays
        # NaN), without building a masked copy of the column
        return s.to_numpy(dtype=float)
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return pd.to_numeric(s.astype("Float64"), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan)
    return None


def distribution_profile(values: pd.Series | ArrayLike, *, n_bins: int = 10) -> dict[str, Any]:
    """A compact summary of a feature's distribution, for drift checks later.

    Numeric features with more than ``n_bins`` distinct values are binned at their
    deciles; anything else is summarised level by level. Missing values get their own
    share. Only shares, bin edges, the mean and the standard deviation are kept: no row
    of the data, so a model file that carries profiles carries no pupil's record.

    Examples
    --------
    >>> p = distribution_profile([1.0, 2.0, None, 2.0])
    >>> p["kind"], p["levels"], p["shares"]
    ('levels', ['1.0', '2.0', '__missing__'], [0.25, 0.5, 0.25])
    """
    s = pd.Series(values)
    num = _as_float(s)
    profile: dict[str, Any] = {"mean": float("nan"), "sd": float("nan")}
    if num is not None and np.isfinite(num).any():
        profile["mean"] = float(np.nanmean(num))
        profile["sd"] = float(np.nanstd(num, ddof=1)) if np.isfinite(num).sum() > 1 else 0.0
    if (num is not None and not pd.api.types.is_bool_dtype(s)
            and pd.Series(num).nunique(dropna=True) > n_bins):
        edges = np.unique(np.nanquantile(num, np.linspace(0, 1, n_bins + 1)[1:-1]))
        codes = np.searchsorted(edges, num, side="right")
        codes[np.isnan(num)] = len(edges) + 1
        shares = np.bincount(codes, minlength=len(edges) + 2) / max(len(num), 1)
        profile.update(kind="numeric", edges=[float(e) for e in edges],
                       shares=[float(x) for x in shares])
    else:
        counts = _level_codes(s).value_counts(normalize=True)
        counts = counts.sort_index(key=lambda i: i.map(str))
        profile.update(kind="levels", levels=[str(x) for x in counts.index],
                       shares=[float(x) for x in counts.to_numpy()])
    return profile


def profile_shift(profile: dict[str, Any], current: pd.Series | ArrayLike) -> tuple[float, float]:
    """Population stability index and standardised mean difference of ``current`` against
    a :func:`distribution_profile`.

    PSI above 0.25 is the usual sign of a large shift (0.1-0.25 moderate). The mean
    difference is in reference standard deviations (NaN for categories).

    Examples
    --------
    >>> import numpy as np
    >>> p = distribution_profile(np.arange(100.0))
    >>> [round(x, 6) for x in profile_shift(p, np.arange(100.0))]
    [0.0, 0.0]
    """
    s = pd.Series(current)
    n = max(len(s), 1)
    ref = np.asarray(profile["shares"], dtype=float)
    num = _as_float(s)
    if profile["kind"] == "numeric":
        edges = np.asarray(profile["edges"], dtype=float)
        values = num if num is not None else np.full(len(s), np.nan)
        codes = np.searchsorted(edges, values, side="right")
        codes[np.isnan(values)] = len(edges) + 1
        cur = np.bincount(codes, minlength=len(edges) + 2) / n
    else:
        levels = list(profile["levels"])
        counts = _level_counts(s)
        extra = [lv for lv in counts.index if lv not in set(levels)]
        if extra:  # levels the training data never had: in the order value_counts gives
            texts = _level_codes_by_value(s) if _direct(s) else _level_codes(s)
            counts = texts.value_counts()
            extra = [lv for lv in counts.index if lv not in set(levels)]
        ref = np.r_[ref, np.zeros(len(extra))]
        cur = counts.reindex(levels + extra, fill_value=0).to_numpy() / n
    a, b = ref + _EPS, cur + _EPS
    psi = float(np.sum((b - a) * np.log(b / a)))
    smd = float("nan")
    sd = profile.get("sd", float("nan"))
    if num is not None and np.isfinite(num).any() and np.isfinite(sd) and sd > 0:
        smd = float((np.nanmean(num) - profile["mean"]) / sd)
    return psi, smd


def population_stability(reference: pd.Series | ArrayLike, current: pd.Series | ArrayLike, *,
                         n_bins: int = 10) -> float:
    """Population stability index (PSI) of one feature between two samples.

    Numeric values are binned at the reference's deciles; anything else (including
    missing values, which get their own bin) is compared level by level.

    Examples
    --------
    >>> import numpy as np
    >>> round(population_stability(np.arange(100.0), np.arange(100.0)), 6)
    0.0
    """
    return profile_shift(distribution_profile(reference, n_bins=n_bins), current)[0]


_BAD_THRESHOLD = (
    "The {0!r} parameter of DriftProfile must be a number > 0. Got {1!r} instead. "
    "The usual values are psi_threshold=0.25 and smd_threshold=0.2."
)
_NOT_FITTED = "This DriftProfile is not fitted yet. Call fit(X) with the training data first."
_MISSING_COLUMNS = (
    "compare() needs the columns the profile was fitted on; {0} are missing from X. Pass "
    "the same feature table (columns {1})."
)


class DriftProfile:
    """Per-feature profile of a training table, and the check of a new table against it.

    A feature is *shifted* when its population stability index exceeds
    ``psi_threshold`` **and**, for numeric features, its mean moves by more than
    ``smd_threshold`` training standard deviations. PSI alone over-reacts to lumpy
    features (a school-level rate whose few distinct values move between deciles
    every year); requiring the mean to move as well keeps the alarms for real
    shifts.

    Parameters
    ----------
    psi_threshold : float, default=0.25
        PSI above which a feature may be reported (0.1-0.25 is a moderate shift).
    smd_threshold : float, default=0.2
        Standardised mean difference that must come with it (numeric features).
    n_bins : int, default=10
        Quantile bins of numeric features.

    Attributes
    ----------
    profiles_ : dict
        Feature name -> its profile (see :func:`distribution_profile`).
    feature_names_in_ : list of str

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> train = pd.DataFrame({"absence": np.linspace(0, 0.2, 200)})
    >>> prof = DriftProfile().fit(train)
    >>> prof.compare(train + 0.15)[["feature", "shifted"]].to_dict("records")
    [{'feature': 'absence', 'shifted': True}]
    """

    def __init__(self, *, psi_threshold: float = 0.25, smd_threshold: float = 0.2,
                 n_bins: int = 10) -> None:
        self.psi_threshold = psi_threshold
        self.smd_threshold = smd_threshold
        self.n_bins = n_bins

    def _check(self):
        for name in ("psi_threshold", "smd_threshold"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not float(v) > 0:
                raise ValueError(_BAD_THRESHOLD.format(name, v))

    def fit(self, X: pd.DataFrame) -> "DriftProfile":
        """Profile every column of ``X`` (the training features)."""
        self._check()
        self.feature_names_in_ = [str(c) for c in X.columns]
        self.profiles_ = {c: distribution_profile(X[c], n_bins=self.n_bins)
                          for c in self.feature_names_in_}
        return self

    def compare(self, X: pd.DataFrame) -> pd.DataFrame:
        """Compare a new table with the profile.

        Returns
        -------
        pandas.DataFrame
            One row per profiled feature: ``feature``, ``psi``, ``smd`` (NaN for
            categories) and ``shifted`` (bool, by the rule above).
        """
        if not hasattr(self, "profiles_"):
            raise ValueError(_NOT_FITTED)
        self._check()
        missing = [c for c in self.feature_names_in_ if c not in X.columns]
        if missing:
            raise KeyError(_MISSING_COLUMNS.format(missing, self.feature_names_in_))
        rows = []
        for c in self.feature_names_in_:
            psi, smd = profile_shift(self.profiles_[c], X[c])
            rows.append({"feature": c, "psi": psi, "smd": smd})
        out = pd.DataFrame(rows, columns=["feature", "psi", "smd"])
        out["shifted"] = (out["psi"] > self.psi_threshold) & (
            out["smd"].isna() | (out["smd"].abs() > self.smd_threshold))
        return out

    def __repr__(self):
        n = len(getattr(self, "profiles_", {}))
        return (f"DriftProfile(psi_threshold={self.psi_threshold}, "
                f"smd_threshold={self.smd_threshold}, features={n})")
