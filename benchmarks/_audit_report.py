"""Markdown for the audit's own results: the whole audit beside fairlearn and aequitas,
and the intruder's disclosure check of default Screener audits.

Both come from their own scripts (``python -m benchmarks.audit_whole``,
``python -m benchmarks.audit_disclosure``), which write JSON beside this file; the
report includes whatever is there.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(name):
    path = HERE / name
    return json.loads(path.read_text()) if path.exists() else None


def whole_md(w) -> str:
    if not w:
        return "Not run: `python -m benchmarks.audit_whole`."
    aeq = w.get("aequitas") or {}
    aeq_s = (f"{aeq['seconds']:.2f}" if "seconds" in aeq else f"not run ({aeq.get('error')})")
    rows = [
        ("`audits.audit(..., n_boot=1000, adjust=<6 columns>)`: everything below, with "
         "intervals, amplification, count-based p-values + Holm, linked suppression, AUC, "
         "calibration and adjusted odds/risk ratios of flags and outcomes",
         f"{w['ours_whole_seconds']:.2f}", "best of "
         f"{len(w['ours_whole_seconds_all'])}: "
         + ", ".join(f"{s:.1f}" for s in w["ours_whole_seconds_all"])),
        ("the same without the adjustment", f"{w['without_adjustment']:.2f}", "once"),
        ("fairlearn: one `MetricFrame` per attribute (5 rates, no intervals)",
         f"{w['fairlearn_metricframe_seconds']:.2f}", "best of repeats"),
        (f"aequitas {aeq.get('version', '')}: `get_crosstabs` + "
         "`get_disparity_predefined_groups` (rates and disparities, no intervals, no "
         "suppression)", aeq_s, "best of repeats, its own environment (pandas < 3)"),
    ]
    lines = [
        f"{w['n']:,} rows × {w['n_attrs']} attributes (5 groups each), flags at 5%, an "
        "outcome and a score; the same rows for all three (`benchmarks/audit_whole.py`).",
        "",
        "| workload | seconds | note |", "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
        "Target: the whole audit under 5 s: "
        f"**{'met' if w['ours_whole_seconds'] < 5 else 'not met'}**"
        f" ({w['ours_whole_seconds']:.2f} s; {w['n_comparisons']} comparisons tested, "
        f"{w['n_adjusted_rows']} adjusted rows). Largest absolute difference of the point "
        f"rates: {w['max_abs_rate_difference_fairlearn']:.1e} against fairlearn, "
        + (f"{w['max_abs_rate_difference_aequitas']:.1e}"
           if w.get("max_abs_rate_difference_aequitas") is not None else "–")
        + " against aequitas (FPR, FNR, TPR, TNR, PPV, NPV, FDR, FOR, flag rate).",
    ]
    return "\n".join(lines)


def disclosure_md(rows) -> str:
    if not rows:
        return "Not run: `python -m benchmarks.audit_disclosure --seeds 0-9`."
    head = ("| seed | cohort | hidden small counts attacked | recovered | lower bound > 0 "
            "(not recovered) | LP variables | published equalities | main rows hidden | "
            "breakdown rows hidden |")
    lines = [head, "|" + "---|" * 9]
    for r in rows:
        lines.append(f"| {r['seed']} | {r['cohort']} | {r['hidden_small_counts_checked']} | "
                     f"{r['recovered']} | {r['lower_bound_positive']} | {r['lp_variables']:,} | "
                     f"{r['published_equalities']} | {r['main_rows_suppressed']:.0%} | "
                     f"{r['breakdown_rows_suppressed']:.0%} |")
    total = sum(r["recovered"] for r in rows)
    checked = sum(r["hidden_small_counts_checked"] for r in rows)
    lines += ["", f"**{total} of {checked}** hidden counts from 1 to 9 recovered over "
              f"{len(rows)} synthetic LAs."]
    return "\n".join(lines)


def audit_sections() -> list[str]:
    return [
        "## The whole audit against fairlearn and aequitas",
        "",
        whole_md(_load("audit_whole.json")),
        "",
        "## Disclosure: can a default Screener audit be undone?",
        "",
        "`python -m benchmarks.audit_disclosure`: per seed, a synthetic LA "
        "(`make_local_authority(n_pupils=3000)`), a Screener fitted on two past censuses "
        "and the screen of the latest census, whose audit covers sex, FSM, SEN, ethnicity "
        "beside its major group and EAL, broken down by year group and school. The intruder "
        "(`tests/audits/intruder.py`) sets every published number (tables, totals, rates, "
        "ratios with a published reference, concentration shares) as a linear equality over "
        "the full cross-classification of pupils, and bounds every hidden count from 1 to "
        "9 by linear programming (scipy's HiGHS). *Recovered* = determined, or confined to "
        "1-9. Other engineers' work was running on the 2-core machine at the same time.",
        "",
        disclosure_md(_load("audit_disclosure.json")),
    ]
