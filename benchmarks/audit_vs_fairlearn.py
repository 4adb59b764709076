"""Speed and agreement of :func:`audits.audit` against fairlearn's ``MetricFrame``.

Run ``python benchmarks/audit_vs_fairlearn.py`` from the repository root.

Both sides get the same synthetic cohort: ``n`` pupils, ``n_attrs`` group
columns, a 0/1 flag and a 0/1 outcome. Ours computes, for every attribute,
the per-group flag, outcome and error rates plus stratified-bootstrap
intervals for four ratios (``n_boot`` resamples). fairlearn computes the same
rates with ``MetricFrame(..., n_boot=..., ci_quantiles=[0.025, 0.975])``, one
MetricFrame per attribute (several sensitive features in one MetricFrame
would be their intersection). fairlearn's bootstrap resamples the whole frame
with ``DataFrame.sample`` and recomputes every metric per resample, so it is
timed with ``fairlearn_n_boot`` resamples (default 3; one resample of
100k rows x 6 attributes already takes seconds) and extrapolated
linearly to ``n_boot``: ``t0 + (t_k - t0) * n_boot / k``, where ``t0`` is the
time without bootstrap. The two bootstraps differ in design (fairlearn:
whole-sample; ours: within groups, and ratios not just rates), so only the
workload, not the intervals, is compared; the point rates must agree.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd


def _cohort(n: int, n_attrs: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        f"attr{i}": rng.choice(["A", "B", "C", "D", "E"], n, p=[.4, .3, .2, .08, .02])
        for i in range(n_attrs)
    })
    risk = rng.beta(1, 8, n) * (1 + (df["attr0"] == "D"))
    df["risk"] = risk
    df["flagged"] = risk >= np.quantile(risk, 0.95)
    df["outcome"] = rng.random(n) < np.clip(risk, 0, 1)
    return df


def _fairlearn(df, attrs, n_boot):
    from fairlearn.metrics import (
        MetricFrame,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )

    def base_rate(y_true, y_pred):
        return float(np.mean(y_true))

    metrics = {"flag_rate": selection_rate, "tpr": true_positive_rate,
               "fpr": false_positive_rate, "fnr": false_negative_rate, "base_rate": base_rate}
    out = {}
    for a in attrs:
        kw = {} if not n_boot else {"n_boot": n_boot, "ci_quantiles": [0.025, 0.975],
                                    "random_state": 0}
        out[a] = MetricFrame(metrics=metrics, y_true=df["outcome"].to_numpy(),
                             y_pred=df["flagged"].to_numpy(), sensitive_features=df[a], **kw)
    return out


def compare_with_fairlearn(n=100_000, n_attrs=6, n_boot=1000, seed=0, *, fairlearn_n_boot=3,
                           repeats=3) -> dict:
    """Time our audit and fairlearn's bootstrap on identical input.

    Returns a dict with ``ours_seconds`` (best of ``repeats``),
    ``ours_seconds_full`` (once, adding a score: within-group AUC and calibration,
    default suppression), ``fairlearn_seconds`` (extrapolated to ``n_boot``; measured values also
    returned), ``speedup`` and ``max_abs_rate_difference`` (over flag rate,
    outcome rate, tpr, fpr and fnr of every group).
    """
    from screening import audits

    df = _cohort(n, n_attrs, seed)
    attrs = [f"attr{i}" for i in range(n_attrs)]
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        rep = audits.audit(df, groups=attrs, flag="flagged", outcome="outcome", min_cell=0,
                           n_boot=n_boot, random_state=seed)
        times.append(time.perf_counter() - t)
    ours = min(times)
    # the full audit as the screening report runs it: score (AUC, calibration), suppression
    t = time.perf_counter()
    audits.audit(df, groups=attrs, flag="flagged", score="risk", outcome="outcome",
                 n_boot=n_boot, random_state=seed)
    full = time.perf_counter() - t

    t = time.perf_counter()
    mfs = _fairlearn(df, attrs, 0)
    t0 = time.perf_counter() - t
    k = min(fairlearn_n_boot, n_boot)
    t = time.perf_counter()
    _fairlearn(df, attrs, k)
    tk = time.perf_counter() - t
    fl = t0 + (tk - t0) * n_boot / k

    table = rep.to_frame()
    diff = 0.0
    for a in attrs:
        bg = mfs[a].by_group
        mine = table[table["attribute"] == a].set_index("group")
        for col in ("flag_rate", "tpr", "fpr", "fnr", "base_rate"):
            theirs = bg[col].astype(float)
            diff = max(diff, float(np.nanmax(np.abs(
                mine.loc[theirs.index.astype(str), col].to_numpy(float) - theirs.to_numpy()))))
    return {
        "n": n, "n_attrs": n_attrs, "n_boot": n_boot,
        "ours_seconds": ours, "ours_seconds_all": times, "ours_seconds_full": full,
        "fairlearn_seconds": fl, "fairlearn_seconds_no_boot": t0,
        "fairlearn_seconds_measured": tk, "fairlearn_n_boot_measured": k,
        "fairlearn_extrapolated": k != n_boot,
        "speedup": fl / ours, "speed_ratio": fl / ours, "max_abs_rate_difference": diff,
    }


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(compare_with_fairlearn(), indent=2))
