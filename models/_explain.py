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


def reason_texts(points, specs, labels):
    """One plain-English text per band: 'Label band: +3 points'."""
    texts = []
    for pts, spec, label in zip(points, specs, labels):
        for value, band in zip(pts, spec["labels"]):
            unit = "point" if abs(int(value)) == 1 else "points"
            texts.append(f"{label} {band}: {int(value):+d} {unit}")
    return np.array(texts, dtype=object)


def typical_points(points, counts):
    """Per-feature mean points of the training rows (the 'typical pupil')."""
    out = []
    for pts, cnt in zip(points, counts):
        cnt = np.asarray(cnt, dtype=float)
        total = cnt.sum()
        out.append(float(np.dot(pts, cnt) / total) if total else 0.0)
    return np.asarray(out)


def top_reasons(points, specs, labels, codes, k, index, baseline=None):
    """DataFrame reason_1..reason_k: the k largest positive contributions per row.

    With ``baseline`` (one number per feature), features are ranked by how many points
    they add *above* the baseline, and only those above it are shown.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(_BAD_K.format(k))
    table, offsets = flat_table(points)
    flat = codes + offsets
    contrib = np.take(table, flat)
    if baseline is not None:
        contrib = contrib - np.asarray(baseline, dtype=float)[None, :]
    n, p = contrib.shape
    kk = min(k, p)
    # stable sort on -points: ties keep the feature order of the card
    order = np.argsort(-contrib, axis=1, kind="stable")[:, :kk]
    chosen = np.take_along_axis(flat, order, axis=1)
    value = np.take_along_axis(contrib, order, axis=1)
    texts = np.take(reason_texts(points, specs, labels), chosen)
    texts[value <= 0] = ""
    out = {f"reason_{i + 1}": texts[:, i] if i < kk else np.full(n, "", dtype=object)
           for i in range(k)}
    return pd.DataFrame(out, index=index, dtype=object)
