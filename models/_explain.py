"""Exact additive explanations of a points scorecard, vectorised over integer band codes.

A scorecard's score is a sum of per-feature points, so its explanation is exact: the
contribution of feature ``j`` to row ``i`` is the points of the band row ``i`` falls in.
Contributions are read from one flat table with ``numpy.take``, so explaining a million rows
costs one encoding pass and one gather.

Relation to SHAP: on the one-hot banded design with the integer points as coefficients,
``shap.LinearExplainer`` (interventional) gives, summed over each feature's bands,
``explain(X) - explain(background).mean()``; the two agree up to centring.
"""

import numpy as np
import pandas as pd

_BAD_K = (
    "k must be a whole number >= 1, got {0!r}. Ask for the number of reasons to show per "
    "row, for example k=3."
)


def flat_table(points):
    """Concatenate per-feature band points; return (table, offsets)."""
    sizes = [len(p) for p in points]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    return np.concatenate(points).astype(np.float64), offsets


def contributions(points, codes):
    """(n, p) float array of the points each feature adds, from band codes (n, p)."""
    table, offsets = flat_table(points)
    return np.take(table, codes + offsets)


#: How the card's band labels read in a sentence.
_BAND_WORDS = {"missing": "not recorded", "any value": "recorded", "no or yes": "recorded",
               "any other value": "another value"}


def band_words(band: str) -> str:
    """A band label in words: ``'< 6 months'`` -> ``'under 6 months'``.

    Examples
    --------
    >>> [band_words(b) for b in ["< 5%", "5% to < 10%", ">= 10%", "missing", "any value"]]
    ['under 5%', '5% to under 10%', '10% or more', 'not recorded', 'recorded']
    """
    band = str(band)
    if band in _BAND_WORDS:
        return _BAND_WORDS[band]
    if band.startswith(">= "):
        return f"{band[3:]} or more"
    if band.startswith("< "):
        return f"under {band[2:]}"
    return band.replace(" to < ", " to under ")


def reason_texts(points, specs, labels):
    """One plain-English text per band: 'Label: band in words (+3 points)'."""
    texts = []
    for pts, spec, label in zip(points, specs, labels):
        for value, band in zip(pts, spec["labels"]):
            unit = "point" if abs(int(value)) == 1 else "points"
            texts.append(f"{label}: {band_words(band)} ({int(value):+d} {unit})")
    return np.array(texts, dtype=object)


def typical_points(points, counts):
    """Per-feature mean points of the training rows (the 'typical pupil')."""
    out = []
    for pts, cnt in zip(points, counts):
        cnt = np.asarray(cnt, dtype=float)
        total = cnt.sum()
        out.append(float(np.dot(pts, cnt) / total) if total else 0.0)
    return np.asarray(out)


def top_reason_bands(points, codes, k, baseline=None):
    """Where :func:`top_reasons` finds each row's reasons: ``(chosen, blank)``.

    ``chosen`` (n, min(k, p)) indexes the flat band table (:func:`reason_texts`) in
    reason order, and ``blank`` marks the places that show no reason.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(_BAD_K.format(k))
    table, offsets = flat_table(points)
    # row-major, whatever the layout of codes: the sort below runs along each row
    flat = np.add(codes, offsets, order="C")
    own = np.take(table, flat)
    above = own if baseline is None else own - np.asarray(baseline, dtype=float)[None, :]
    n, p = own.shape
    kk = min(k, p)
    # rank the shown reasons by their own points, then by the points above the baseline;
    # lexsort is stable, so remaining ties keep the feature order of the card
    key_own = np.where(above > 0, -own, np.inf)
    order = np.lexsort((-above, key_own), axis=1)[:, :kk]
    chosen = np.take_along_axis(flat, order, axis=1)
    value = np.take_along_axis(above, order, axis=1)
    return chosen, value <= 0


def top_reasons(points, specs, labels, codes, k, index, baseline=None):
    """DataFrame reason_1..reason_k: the k largest positive contributions per row.

    With ``baseline`` (one number per feature), only features adding more points than
    the baseline are shown; they are ranked by the points they show (the band's own
    points), then by how far they are above the baseline, then card order, so a reason
    never shows fewer points than the reason after it.
    """
    chosen, blank = top_reason_bands(points, codes, k, baseline)
    n, kk = chosen.shape
    texts = np.take(reason_texts(points, specs, labels), chosen)
    texts[blank] = ""
    out = {f"reason_{i + 1}": texts[:, i] if i < kk else np.full(n, "", dtype=object)
           for i in range(k)}
    return pd.DataFrame(out, index=index, dtype=object)
