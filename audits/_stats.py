"""Vectorised group statistics: counts by ``np.bincount``, rates, AUC, bootstrap.

Everything works on a *cell table*: for each stratum (a group, or a group
within a control value) the number of rows in each (flag, outcome) cell::

    with an outcome:    0 = flagged & positive (tp)   1 = flagged & negative (fp)
                        2 = unflagged & positive (fn) 3 = unflagged & negative (tn)
    without an outcome: 0 = flagged                   1 = not flagged

The stratified bootstrap resamples rows with replacement *within* each stratum.
For any statistic that depends on the rows only through these cell counts
(rates, ratios, amplification), that is exactly the same as drawing the cell
counts from ``Multinomial(n_stratum, cell_counts / n_stratum)``, so all
``n_boot`` resamples of all strata are drawn in a few vectorised numpy calls
(``Generator.multinomial`` with broadcast arguments) and no Python loop runs
per resample.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

TP, FP, FN, TN = 0, 1, 2, 3
_BOOT_BYTES = 50_000_000  # memory budget of one chunk of resampled counts (~5x peak)


def cell_counts(codes: np.ndarray, size: int, flag: np.ndarray,
                outcome: np.ndarray | None) -> np.ndarray:
    """Counts per stratum and cell, shape ``(size, 2 or 4)``.

    >>> cell_counts(np.array([0, 0, 1]), 2, np.array([True, False, True]), None)
    array([[1, 1],
           [1, 0]])
    """
    if outcome is None:
        cell, nc = (~flag).astype(np.int64), 2
    else:
        cell, nc = (~flag).astype(np.int64) * 2 + (~outcome).astype(np.int64), 4
    return np.bincount(codes * nc + cell, minlength=size * nc).reshape(size, nc)


def _div(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(a, b)


def rates(c: np.ndarray) -> dict[str, np.ndarray]:
    """Counts and rates from cell counts of shape ``(..., 2 or 4)``.

    0/0 gives NaN (e.g. tpr of a group without positives), never a silent zero.

    >>> r = rates(np.array([[3, 1, 1, 5]]))
    >>> float(r["flag_rate"][0]), float(r["tpr"][0]), float(r["fpr"][0]), float(r["ppv"][0])
    (0.4, 0.75, 0.16666666666666666, 0.75)
    """
    n = c.sum(-1)
    if c.shape[-1] == 2:
        nf = c[..., 0]
        return {"n": n, "n_flagged": nf, "flag_rate": _div(nf, n)}
    tp, fp, fn, tn = (c[..., i] for i in range(4))
    nf, npos = tp + fp, tp + fn
    return {
        "n": n, "n_flagged": nf, "flag_rate": _div(nf, n),
        "n_outcome": npos, "base_rate": _div(npos, n),
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "tpr": _div(tp, npos), "fnr": _div(fn, npos),
        "fpr": _div(fp, fp + tn), "ppv": _div(tp, nf),
    }


def ratio_to(rate: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """``rate[..., k, g] / rate[..., k, ref[k]]``; NaN where ``ref[k] < 0``."""
    idx = np.where(ref < 0, 0, ref)
    denom = rate[..., np.arange(len(ref)), idx]
    out = _div(rate, denom[..., None])
    return np.where((ref < 0)[:, None], np.nan, out)


def bootstrap_counts(counts: np.ndarray, n_boot: int, rng: np.random.Generator
                     ) -> Iterator[tuple[slice, np.ndarray]]:
    """Yield ``(slice_of_strata_rows, resampled)`` chunks of shape ``(n_boot, k, G, nc)``.

    ``counts`` has shape ``(K, G, nc)``; chunks split the K axis to bound memory.
    """
    K, G, nc = counts.shape
    n = counts.sum(-1)
    p = _div(counts, np.maximum(n, 1)[..., None])
    step = max(1, int(_BOOT_BYTES // max(1, n_boot * G * nc * 8)))
    for start in range(0, K, step):
        sl = slice(start, min(K, start + step))
        nk = sl.stop - sl.start
        yield sl, rng.multinomial(n[sl], p[sl], size=(n_boot, nk, G))


def interval(boot: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                    np.ndarray]:
    """Percentile interval, bootstrap p-value for ratio == 1, and valid resample count.

    ``boot`` has shape ``(B, ...)``. NaN resamples (0/0) are dropped; ``inf``
    (x/0) is kept and can make the upper limit infinite. The two-sided p-value
    is ``2 * min(#(r <= 1) + 1, #(r >= 1) + 1) / (valid + 1)``, capped at 1.

    >>> b = np.arange(1, 101, dtype=float)[:, None]
    >>> lo, hi, p, m = interval(b, 0.9)
    >>> round(float(lo[0]), 2), round(float(hi[0]), 2), int(m[0])
    (5.95, 95.05, 100)
    """
    valid = ~np.isnan(boot)
    m = valid.sum(0)
    le = ((boot <= 1) & valid).sum(0)
    ge = ((boot >= 1) & valid).sum(0)
    p = np.minimum(1.0, 2.0 * (np.minimum(le, ge) + 1) / (m + 1))
    s = np.sort(boot, axis=0)  # NaN sorts last
    alpha = (1.0 - ci) / 2.0
    out = []
    for q in (alpha, 1.0 - alpha):
        h = np.maximum(m - 1, 0) * q
        lo_i = np.floor(h).astype(np.int64)
        hi_i = np.minimum(lo_i + 1, np.maximum(m - 1, 0))
        frac = h - lo_i
        a = np.take_along_axis(s, lo_i[None], axis=0)[0]
        b = np.take_along_axis(s, hi_i[None], axis=0)[0]
        with np.errstate(invalid="ignore"):
            v = np.where((frac == 0) | (a == b), a, a + (b - a) * frac)
        out.append(np.where(m > 0, v, np.nan))
    p = np.where(m > 0, p, np.nan)
    return out[0], out[1], p, m


def rank_sums(codes: np.ndarray, size: int, score: np.ndarray, outcome: np.ndarray
              ) -> np.ndarray:
    """Sum of within-stratum average ranks of the positives (for the AUC)."""
    ranks = pd.Series(score).groupby(codes).rank(method="average").to_numpy()
    return np.bincount(codes, weights=np.where(outcome, ranks, 0.0), minlength=size)


def auc(rank_sum: np.ndarray, npos: np.ndarray, nneg: np.ndarray) -> np.ndarray:
    """Mann-Whitney AUC (ties count half), equal to ``sklearn.metrics.roc_auc_score``.

    >>> float(auc(np.array([7.0]), np.array([2]), np.array([2]))[0])
    1.0
    """
    return _div(rank_sum - npos * (npos + 1) / 2.0, npos * nneg)


def reliability_bins(score: np.ndarray, n_bins: int = 10) -> np.ndarray:
    """Bin edges: equal width on [0, 1] for probabilities, else score deciles."""
    if score.size and score.min() >= 0 and score.max() <= 1:
        return np.linspace(0.0, 1.0, n_bins + 1)
    edges = np.unique(np.quantile(score, np.linspace(0, 1, n_bins + 1))) if score.size else [0, 1]
    return np.asarray(edges if len(edges) > 1 else [edges[0], edges[0] + 1.0], dtype=float)


def bin_index(score: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Bin of each score; the last bin is closed on the right."""
    return np.clip(np.searchsorted(edges, score, side="right") - 1, 0, len(edges) - 2)
