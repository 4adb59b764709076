"""A researcher audits the scores another tool made.

By default this audits ProPublica's COMPAS recidivism scores (a well-known external risk
tool), from ``../shared/datasets/compas`` beside this repository when it is there, or a
CSV you name. The audit needs only group columns and a score or a flag.

Run::

    python examples/audit_external_scores.py
    python examples/audit_external_scores.py --csv scores.csv --group sex --group fsm \
        --score risk --outcome excluded
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from screening import audits

COMPAS = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "compas" / \
    "compas-scores-two-years.csv"


def _synthetic_scores(n=5_000, seed=0):
    """Another tool's scores, made up, for when no CSV is available."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["A", "B", "C"], n, p=[0.7, 0.25, 0.05])
    sex = rng.choice(["M", "F"], n)
    risk = rng.beta(1, 20, n) * np.where(group == "B", 1.6, 1.0)
    outcome = rng.random(n) < risk
    return pd.DataFrame({"group": group, "sex": sex, "risk": risk, "outcome": outcome})


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--csv")
    p.add_argument("--group", action="append")
    p.add_argument("--score")
    p.add_argument("--outcome")
    p.add_argument("--capacity", type=float, default=0.3)
    p.add_argument("--out", default="audit-output")
    args = p.parse_args(argv)

    unit = "pupils"
    if args.csv:
        frame = pd.read_csv(args.csv)
        groups, score, outcome = args.group, args.score, args.outcome
        unit = "rows"
    elif COMPAS.exists():
        frame = pd.read_csv(COMPAS)
        frame = frame[["sex", "race", "age_cat", "decile_score", "two_year_recid"]]
        groups, score, outcome = ["race", "sex", "age_cat"], "decile_score", "two_year_recid"
        unit = "defendants"  # findings must not call COMPAS defendants "pupils"
        print(f"Auditing COMPAS decile scores for {len(frame):,} defendants "
              "(ProPublica, Broward County)")
    else:
        frame = _synthetic_scores()
        groups, score, outcome = ["group", "sex"], "risk", "outcome"

    report = audits.audit(frame, groups=groups, score=score, capacity=args.capacity,
                          outcome=outcome, min_cell=10, n_boot=1000, random_state=0,
                          unit=unit, tests=["flag_ratio", "fpr_ratio", "fnr_ratio"])
    print(report)
    table = report.to_frame()
    cols = ["attribute", "group", "n", "flag_rate", "flag_ratio", "flag_ratio_low",
            "flag_ratio_high", "base_ratio", "fpr", "fpr_ratio", "fnr", "fnr_ratio",
            "suppressed"]
    print(table[cols].to_string(index=False, float_format="{:.3f}".format))
    for finding in report.findings:
        print("-", finding)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report.to_html(out / "audit.html")
    table.to_csv(out / "audit.csv", index=False)
    print(f"Wrote {out / 'audit.html'}")
    return report


if __name__ == "__main__":
    main()
