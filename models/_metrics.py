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


def reliability_table(y_true: ArrayLike, y_prob: ArrayLike, *, n_bins: int = 10) -> pd.DataFrame:
    """Mean predicted risk against the observed rate in equal-count bins.

    Examples
    --------
    >>> reliability_table([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.9], n_bins=2)["n"].tolist()
    [2, 2]
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    order = np.argsort(p, kind="stable")
    rows = []
    for b in np.array_split(order, max(1, min(n_bins, len(y)))):
        if len(b):
            rows.append({"mean_predicted": p[b].mean(), "observed_rate": y[b].mean(), "n": len(b)})
    return pd.DataFrame(rows, columns=["mean_predicted", "observed_rate", "n"])


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
