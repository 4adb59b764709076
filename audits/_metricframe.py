"""Any scikit-learn-style metric per group, through fairlearn, with suppression and intervals.

fairlearn's :class:`~fairlearn.metrics.MetricFrame` is the standard way to compute an
arbitrary metric (``recall_score``, ``brier_score_loss``, your own function of
``y_true, y_pred``) for each group. :func:`metric_frame` hands the computation to it,
and adds what a published audit needs on top:

* groups with 1 to ``min_cell - 1`` pupils, and the next smallest group when only one
  would be hidden (so that no group's pupils can be recovered by subtraction from the
  whole cohort), show no value;
* a stratified bootstrap interval for each group's value (rows resampled within each
  group, ``n_boot`` times), and the ratio and difference to a reference group.

A metric of an arbitrary function can reveal counts in ways this module cannot know
(a recall times a published number of positives is a count), so do not publish its
output beside the counts of an :func:`audit` of the same rows unless the metric is a
mean over many pupils.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import _messages as msg
from ._inputs import column, groupings
from ._suppress import complement
from ._typing import Column, Groups

COLUMNS = ["attribute", "group", "metric", "n", "value", "low", "high", "ratio", "difference",
           "reference", "suppressed"]


def metric_frame(frame: pd.DataFrame, *, groups: Groups,
                 metrics: Callable[..., float] | Mapping[str, Callable[..., float]],
                 y_true: Column, y_pred: Column, reference: Mapping[str, Any] | None = None,
                 min_cell: int = 10, n_boot: int = 200, ci: float = 0.95,
                 random_state: int | None = None) -> pd.DataFrame:
    """Per-group values of scikit-learn-style metrics, suppressed and with intervals.

    Parameters
    ----------
    frame : pandas.DataFrame
    groups : str or list of str
        Group columns; each is its own table (missing values form ``"Unknown"``).
    metrics : callable or dict of str -> callable
        Functions ``f(y_true, y_pred) -> float``, as for fairlearn's ``MetricFrame``.
    y_true, y_pred : str or array-like
        Column names of ``frame`` or aligned arrays (``y_pred`` may be a score).
    reference : dict, optional
        Reference group per attribute for ``ratio`` and ``difference``; default the
        largest group.
    min_cell : int, default=10
    n_boot : int, default=200
        Stratified bootstrap resamples (each metric is recomputed per resample and
        group, so this is slower than :func:`audit`'s closed-form bootstrap).
    ci : float, default=0.95
    random_state : int or None

    Returns
    -------
    pandas.DataFrame
        ``attribute, group, metric, n, value, low, high, ratio, difference, reference,
        suppressed``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.metrics import recall_score
    >>> from screening.audits import metric_frame
    >>> df = pd.DataFrame({"sex": ["F", "M"] * 50, "y": [1, 0, 1, 1] * 25,
    ...                    "pred": [1, 0, 0, 1] * 25})
    >>> mf = metric_frame(df, groups="sex", metrics={"recall": recall_score}, y_true="y",
    ...                   y_pred="pred", n_boot=0)
    >>> mf[["group", "n", "value"]]
      group   n  value
    0     F  50    0.5
    1     M  50    1.0
    """
    from fairlearn.metrics import MetricFrame

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(msg._FRAME_TYPE.format(type(frame).__name__))
    if callable(metrics):
        metrics = {getattr(metrics, "__name__", "metric"): metrics}
    if not isinstance(metrics, dict) or not metrics or not all(
            callable(f) for f in metrics.values()):
        raise TypeError(msg._METRICS.format(metrics))
    yt = np.asarray(column(frame, y_true, "y_true"))
    yp = np.asarray(column(frame, y_pred, "y_pred"))
    attrs, _, _ = groupings(frame, groups, min_cell=int(min_cell))
    rng = np.random.default_rng(random_state)
    reference = dict(reference or {})
    alpha = (1 - ci) / 2
    parts = []
    for a in attrs:
        labels = np.asarray(a.labels, dtype=object)[a.codes]
        mf = MetricFrame(metrics=metrics, y_true=yt, y_pred=yp,
                         sensitive_features=pd.Series(labels, name=a.name))
        by = mf.by_group
        n = np.bincount(a.codes, minlength=len(a.labels))
        hide = (n > 0) & (n < min_cell) if min_cell > 1 else np.zeros(len(n), bool)
        hide = complement(hide[None], n[None], n[None])[0] if min_cell > 1 else hide
        ref = reference.get(a.name)
        if ref is None:
            ref = a.labels[int(np.argmax(np.where(np.array(a.labels) == "Unknown", -1, n)))]
        boots = {}
        if n_boot > 0:
            idx = [np.nonzero(a.codes == g)[0] for g in range(len(a.labels))]
            for name, f in metrics.items():
                vals = np.full((n_boot, len(a.labels)), np.nan)
                for g, rows in enumerate(idx):
                    if rows.size == 0 or hide[g]:
                        continue
                    for b in range(n_boot):
                        pick = rows[rng.integers(0, rows.size, rows.size)]
                        try:
                            vals[b, g] = f(yt[pick], yp[pick])
                        except ValueError:  # e.g. one class only in a resample
                            pass
                boots[name] = vals
        for name in metrics:
            for g, lab in enumerate(a.labels):
                if n[g] == 0:
                    continue
                v = float(by.loc[lab, name]) if lab in by.index else np.nan
                refv = float(by.loc[ref, name]) if ref in by.index else np.nan
                lo = hi = np.nan
                if name in boots and np.isfinite(boots[name][:, g]).any():
                    lo, hi = np.nanquantile(boots[name][:, g], [alpha, 1 - alpha])
                ref_g = a.labels.index(ref) if ref in a.labels else -1
                gone = hide[g] or (ref_g >= 0 and hide[ref_g])
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio = v / refv if refv != 0 else np.nan
                parts.append({
                    "attribute": a.name, "group": lab, "metric": name,
                    "n": np.nan if hide[g] else int(n[g]),
                    "value": np.nan if hide[g] else v, "low": np.nan if hide[g] else lo,
                    "high": np.nan if hide[g] else hi,
                    "ratio": np.nan if gone else ratio,
                    "difference": np.nan if gone else v - refv,
                    "reference": lab == ref, "suppressed": bool(hide[g]),
                })
    out = pd.DataFrame(parts, columns=COLUMNS)
    out["n"] = pd.array(out["n"], dtype="Int64")  # type: ignore[call-overload]  # stubs: no Series
    return out
