"""An educational psychologist screens their local authority's Year 5-7 cohort.

The LA's MIS export is a folder of CSV files in the input contract (pupils.csv,
enrolments.csv, attendance.csv, suspensions.csv, sen.csv). Without a real export to hand,
this script writes the built-in synthetic local authority as one.

Run::

    python examples/ep_screen_cohort.py                       # synthetic LA
    python examples/ep_screen_cohort.py --folder la_export --train 2022-10-06 2023-10-05 \
        --evaluate 2024-10-03 --today 2025-10-02
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import screening


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--folder", help="folder of CSV/Parquet tables (default: synthetic LA)")
    p.add_argument("--train", nargs="+", help="training census dates")
    p.add_argument("--evaluate", help="a later census with known outcomes")
    p.add_argument("--today", help="the census to screen")
    p.add_argument("--out", default="ep-output")
    p.add_argument("--pupils", type=int, default=15_000)
    args = p.parse_args(argv)

    if args.folder is None:
        la = screening.datasets.make_local_authority(n_pupils=args.pupils, seed=7)
        args.folder = tempfile.mkdtemp(prefix="la_export_")
        la.write(args.folder)
        d = [str(x.date()) for x in la.census_dates]
        args.train, args.evaluate, args.today = d[-4:-2], d[-2], d[-1]
        print(f"No export given: wrote a synthetic LA to {args.folder}")

    # 1. Load and check the export. Problems stop here, each located to table/row/column.
    records = screening.load_records(args.folder)
    warnings = records.validate()
    print(f"Loaded {records!r}; {len(warnings)} warning(s) to review")

    # 2. Learn from past censuses, then check honestly on a later one.
    scr = screening.Screener(capacity=0.05, audit_groups=("sex", "fsm", "sen", "ethnicity",
                                                          "eal"), n_boot=500)
    scr.fit(records, as_of=args.train)
    ev = None
    if args.evaluate:
        ev = scr.evaluate(records, as_of=args.evaluate)
        print(ev)

    # 3. Screen today's cohort: every pupil gets a row; the audit comes with the scores.
    result = scr.screen(records, as_of=args.today)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    result.to_html(out / "report.html", evaluation=ev)
    result.to_csv(out)
    print(result)
    print(result.flagged[["upn", "school", "year_group", "risk", "reason_1"]].head(10)
          .to_string(index=False))
    for finding in result.audit.findings:
        print("audit:", finding)
    print(f"Report: {out / 'report.html'}")
    return result


if __name__ == "__main__":
    main()
