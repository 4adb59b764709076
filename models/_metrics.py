"""Metrics for judging risk scores: discrimination, calibration, capacity and drift.

Generic: arrays in, numbers out. The facade uses these to evaluate and backtest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

METRIC_NAMES = (
    "auc", "average_precision", "brier", "calibration_error",
    "precision_at_capacity", "recall_at_capacity", "n", "base_rate",
)


def calibration_error(y_true, y_prob, *, n_bins=10) -> float:
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
        Sum over bins of (bin share) x |mean predicted - observed rate|.

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


def reliability_table(y_true, y_prob, *, n_bins=10) -> pd.DataFrame:
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


def score_metrics(y_true, y_prob, flagged) -> pd.Series:
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


_MISSING = "__missing__"
_EPS = 1e-4


def _level_codes(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), _MISSING).astype(str)


def _as_float(s: pd.Series):
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return pd.to_numeric(s.astype("Float64"), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan)
    return None


def distribution_profile(values, *, n_bins=10) -> dict:
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
    profile = {"mean": float("nan"), "sd": float("nan")}
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


def profile_shift(profile: dict, current) -> tuple[float, float]:
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
        counts = _level_codes(s).value_counts()
        levels = list(profile["levels"])
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


def population_stability(reference, current, *, n_bins=10) -> float:
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
