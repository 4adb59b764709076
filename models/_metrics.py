"""Metrics for judging risk scores: discrimination, calibration, capacity and drift.

Generic: arrays in, numbers out. The facade uses these to evaluate and backtest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

METRIC_NAMES = (
    "auc", "average_precision", "brier", "calibration_error",
    "precision_at_capacity", "recall_at_capacity", "n", "base_rate",
)


def calibration_error(y_true: ArrayLike, y_prob: ArrayLike, *, n_bins: int = 10) -> float:
    """Expected calibration error over equal-count bins of predicted risk.

    With rare outcomes most scores are small, so equal-width bins would put nearly
    everyone in one bin and hide miscalibration; equal-count bins do not.

    Parameters
    ----------
    y_true : array-like of {0, 1}
    y_prob : array-like of float
    n_bins : int, default=10

    Returns
    -------
    float
        Sum over bins of (bin share) x abs(mean predicted - observed rate).

    Examples
    --------
    >>> calibration_error([0, 0, 1, 1], [0.0, 0.0, 1.0, 1.0], n_bins=2)
    0.0
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    if len(y) == 0:
        return float("nan")
    order = np.argsort(p, kind="stable")
    bins = np.array_split(order, min(n_bins, len(y)))
    return float(sum(len(b) / len(y) * abs(p[b].mean() - y[b].mean()) for b in bins if len(b)))


def reliability_table(y_true: ArrayLike, y_prob: ArrayLike, *, n_bins: int = 10,
                      top: float | None = None, ci: float | None = None,
                      min_cell: int = 0) -> pd.DataFrame:
    """Mean predicted risk against the observed rate in equal-count bins.

    Parameters
    ----------
    y_true : array-like of {0, 1}
    y_prob : array-like of float
    n_bins : int, default=10
    top : float, optional
        Bin only the highest risks: this fraction (``0 < top <= 1``) of rows, highest
        first (ties by position), so the bins cover the range where flags fall.
    ci : float, optional
        Add ``low`` and ``high``: a Wilson score interval of the observed rate at this
        level (e.g. 0.95).
    min_cell : int, default=0
        Hide (NaN) the observed rate and its interval in a bin whose outcome count is
        from 1 to ``min_cell - 1``; ``suppressed`` says which.

    Returns
    -------
    pandas.DataFrame
        ``mean_predicted, observed_rate, n`` (plus ``low, high`` with ``ci``, and
        ``suppressed`` with ``min_cell``).

    Examples
    --------
    >>> reliability_table([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.9], n_bins=2)["n"].tolist()
    [2, 2]
    >>> t = reliability_table([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.9], n_bins=1, top=0.5,
    ...                       ci=0.95)
    >>> t[["mean_predicted", "observed_rate", "n"]].round(2).values.tolist()
    [[0.6, 0.5, 2.0]]
    >>> round(float(t["low"].iloc[0]), 3), round(float(t["high"].iloc[0]), 3)
    (0.095, 0.905)
    """
    from scipy.stats import norm

    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    order = np.argsort(p, kind="stable")
    if top is not None:
        if not 0 < top <= 1:
            raise ValueError(f"top must be a fraction 0 < top <= 1, got {top!r}; pass "
                             "e.g. top=0.2 for the highest fifth of risks.")
        keep = max(1, int(np.ceil(top * len(order)))) if len(order) else 0
        order = np.sort(np.argsort(-p, kind="stable")[:keep])
        order = order[np.argsort(p[order], kind="stable")]
    rows = []
    for b in np.array_split(order, max(1, min(n_bins, len(order)))):
        if len(b):
            rows.append({"mean_predicted": p[b].mean(), "observed_rate": y[b].mean(),
                         "n": len(b), "_pos": y[b].sum()})
    out = pd.DataFrame(rows, columns=["mean_predicted", "observed_rate", "n", "_pos"])
    if ci is not None:
        z = float(norm.ppf(0.5 + ci / 2))
        n, r = out["n"].to_numpy(float), out["observed_rate"].to_numpy(float)
        centre = (r + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(r * (1 - r) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        out["low"], out["high"] = centre - half, centre + half
    if min_cell:
        hide = (out["_pos"] > 0) & (out["_pos"] < min_cell)
        cols = [c for c in ("observed_rate", "low", "high") if c in out]
        out.loc[hide, cols] = np.nan
        out["suppressed"] = hide.to_numpy()
    return out.drop(columns="_pos")


def score_metrics(y_true: ArrayLike, y_prob: ArrayLike, flagged: ArrayLike) -> pd.Series:
    """The standard evaluation of a screen: discrimination, calibration and capacity.

    Parameters
    ----------
    y_true : array-like of {0, 1}
        Observed outcomes.
    y_prob : array-like of float
        Predicted probabilities.
    flagged : array-like of bool
        Which pupils the screen flagged (at its capacity).

    Returns
    -------
    pandas.Series
        ``auc, average_precision, brier, calibration_error, precision_at_capacity,
        recall_at_capacity, n, base_rate``. AUC and average precision are NaN when the
        outcomes are all one class.

    Examples
    --------
    >>> m = score_metrics([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], [False, False, False, True])
    >>> float(m["auc"]), float(m["precision_at_capacity"]), float(m["recall_at_capacity"])
    (1.0, 1.0, 0.5)
    """
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(y_prob, dtype=float)
    f = np.asarray(flagged, dtype=bool)
    both = len(np.unique(y)) == 2
    n_flag = int(f.sum())
    n_pos = int(y.sum())
    return pd.Series(
        {
            "auc": roc_auc_score(y, p) if both else np.nan,
            "average_precision": average_precision_score(y, p) if both else np.nan,
            "brier": brier_score_loss(y, p) if len(y) else np.nan,
            "calibration_error": calibration_error(y, p),
            "precision_at_capacity": (y[f].sum() / n_flag) if n_flag else np.nan,
            "recall_at_capacity": (y[f].sum() / n_pos) if n_pos else np.nan,
            "n": float(len(y)),
            "base_rate": y.mean() if len(y) else np.nan,
        },
        name="metrics",
    )
