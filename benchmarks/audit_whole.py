"""The whole audit (intervals, amplification, adjustment) beside fairlearn and aequitas.

Run ``python -m benchmarks.audit_whole`` from the repository root. The cohort is the
one of :mod:`benchmarks.audit_vs_fairlearn` (100,000 rows, 6 group columns of 5 groups,
a score, flags at 5% and an outcome). Three workloads on the same rows:

* ``audits.audit(..., n_boot=1000, adjust=<the 6 columns>)``: per-group counts, rates,
  all eight error rates, ratios and differences against the reference with 1,000
  stratified-bootstrap intervals, amplification, count-based p-values with Holm,
  within-group AUC and calibration, linked suppression, and adjusted odds and risk
  ratios of flags and of outcomes (each attribute adjusted for the other five);
* fairlearn: one ``MetricFrame`` per attribute with the same rates (selection rate,
  TPR, FPR, FNR, outcome rate), without a bootstrap (its bootstrap is timed in
  ``audit_vs_fairlearn``);
* aequitas: ``Group().get_crosstabs`` and ``Bias().get_disparity_predefined_groups``
  (rates and disparities, no intervals, no suppression). aequitas requires
  pandas < 3, so it runs in its own environment when ``AEQUITAS_PYTHON`` names one
  (a python with ``pip install aequitas``), else in this one if importable.

The point rates of all three must agree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.audit_vs_fairlearn import _cohort, _fairlearn

_AEQ = r"""
import json, sys, time
import pandas as pd
from aequitas.bias import Bias
from aequitas.group import Group
df = pd.read_parquet(sys.argv[1])
attrs = json.loads(sys.argv[2])
frame = df[attrs].astype(str).assign(score=df["flagged"].astype(int),
                                     label_value=df["outcome"].astype(int))
best = None
for _ in range(int(sys.argv[3])):
    t = time.perf_counter()
    xt, _ = Group().get_crosstabs(frame, attr_cols=attrs)
    ref = {a: frame[a].value_counts().idxmax() for a in attrs}
    bias = Bias().get_disparity_predefined_groups(xt, original_df=frame, ref_groups_dict=ref)
    s = time.perf_counter() - t
    best = s if best is None else min(best, s)
import aequitas
rates = xt[["attribute_name", "attribute_value", "fpr", "fnr", "tpr", "ppr", "pprev",
            "precision", "npv", "for", "fdr", "tnr"]]
print(json.dumps({"seconds": best, "version": getattr(aequitas, "__version__", "?"),
                  "rates": rates.to_dict("records")}))
"""


def _aequitas(df, attrs, repeats):
    py = os.environ.get("AEQUITAS_PYTHON", sys.executable)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.parquet"
        df.to_parquet(path)
        res = subprocess.run([py, "-c", _AEQ, str(path), json.dumps(attrs), str(repeats)],
                             capture_output=True, text=True, timeout=1800)
    if res.returncode != 0:
        return {"error": res.stderr.strip().splitlines()[-1] if res.stderr else "failed"}
    return json.loads(res.stdout.strip().splitlines()[-1])


def compare_whole(n=100_000, n_attrs=6, n_boot=1000, seed=0, *, repeats=3) -> dict:
    """Seconds for the whole audit, fairlearn's MetricFrames and aequitas on the same rows."""
    from screening import audits

    df = _cohort(n, n_attrs, seed)
    attrs = [f"attr{i}" for i in range(n_attrs)]
    times, parts = [], {}
    for _ in range(repeats):
        t = time.perf_counter()
        rep = audits.audit(df, groups=attrs, flag="flagged", score="risk", outcome="outcome",
                           n_boot=n_boot, random_state=seed, adjust=attrs)
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    audits.audit(df, groups=attrs, flag="flagged", score="risk", outcome="outcome",
                 n_boot=n_boot, random_state=seed)
    parts["without_adjustment"] = time.perf_counter() - t
    t = time.perf_counter()
    for a in attrs:
        audits.adjusted_ratios(df, groups=a, outcome="outcome", covariates=attrs)
    parts["adjusted_ratios_outcome_only"] = time.perf_counter() - t
    fl_times = []
    for _ in range(repeats):
        t = time.perf_counter()
        mfs = _fairlearn(df, attrs, 0)
        fl_times.append(time.perf_counter() - t)
    table = rep.to_frame()
    diff_fl = 0.0
    for a in attrs:
        mine = table[table["attribute"] == a].set_index("group")
        bg = mfs[a].by_group
        for col in ("flag_rate", "tpr", "fpr", "fnr", "base_rate"):
            theirs = bg[col].astype(float)
            diff_fl = max(diff_fl, float(np.nanmax(np.abs(
                mine.loc[theirs.index.astype(str), col].to_numpy(float) - theirs.to_numpy()))))
    aeq = _aequitas(df[attrs + ["flagged", "outcome"]], attrs, repeats)
    diff_aeq = None
    if "rates" in aeq:
        names = {"fpr": "fpr", "fnr": "fnr", "tpr": "tpr", "precision": "ppv", "npv": "npv",
                 "for": "for", "fdr": "fdr", "tnr": "tnr", "pprev": "flag_rate"}
        diff_aeq = 0.0
        for r in aeq.pop("rates"):
            mine = table[(table["attribute"] == r["attribute_name"])
                         & (table["group"] == str(r["attribute_value"]))]
            for theirs, ours in names.items():
                if r[theirs] is not None and len(mine):
                    diff_aeq = max(diff_aeq, abs(float(mine[ours].iloc[0]) - r[theirs]))
    return {
        "n": n, "n_attrs": n_attrs, "n_boot": n_boot,
        "ours_whole_seconds": min(times), "ours_whole_seconds_all": times, **parts,
        "fairlearn_metricframe_seconds": min(fl_times),
        "aequitas": aeq, "max_abs_rate_difference_fairlearn": diff_fl,
        "max_abs_rate_difference_aequitas": diff_aeq,
        "n_comparisons": int(len(rep.comparisons)),
        "n_adjusted_rows": int(len(rep.adjusted)),
    }


if __name__ == "__main__":  # pragma: no cover
    out = compare_whole()
    Path("benchmarks/audit_whole.json").write_text(json.dumps(out, indent=1))
    print(json.dumps(out, indent=2))
