"""The ``screening`` command.

Exit status: 0 on success, 2 on bad input (the problems are printed), 1 on an internal
error.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import traceback
import warnings
from pathlib import Path

import pandas as pd

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class _BadInput(Exception):
    """A user error with a message to print (exit status 2)."""


def _say(msg=""):
    print(msg, flush=True)


def _load(source):
    """Load records from a folder of tables or a folder of CTF files (detected by content)."""
    from screening import features

    path = Path(source)
    if not path.exists():
        raise _BadInput(f"{path} does not exist. Give a folder of CSV/Parquet tables or CTFs.")
    if features.is_ctf_folder(path):
        _say(f"Reading Common Transfer Files from {path}")
        susp = path / "suspensions.csv"
        return features.read_ctf(path, suspensions=susp if susp.exists() else None)
    return features.load_records(path)


def _print_problems(err):
    from screening.features import summarise_problems

    _say(summarise_problems(err.problems))


# ---------------------------------------------------------------------------- commands
def _cmd_validate(args):
    records = _load(args.folder)
    warnings_ = records.validate()
    _say(f"{records!r}: no problems found.")
    if len(warnings_):
        _say(f"{len(warnings_)} warning(s) (usable, but worth checking):")
        _say(warnings_.head(20).to_string(index=False))
    return EXIT_OK


def _census(value):
    from ._dates import census_date

    try:
        return census_date(value, what="--as-of")
    except ValueError as err:
        raise _BadInput(str(err)) from None


def _cmd_fit(args):
    from . import Screener, save

    records = _load(args.folder)
    records.validate()
    dates = [_census(d) for d in args.as_of]
    _say(f"Fitting on census dates {', '.join(str(d.date()) for d in dates)} ...")
    scr = Screener(target=args.target, horizon_months=args.horizon,
                   exclude_features=tuple(args.exclude_feature or ()),
                   random_state=args.seed).fit(records, as_of=dates)
    save(scr, args.model)
    t = scr.training_
    _say(f"Trained on {t['n_pupils']:,} pupil-censuses ({t['outcome_rate']:.2%} outcome rate). "
         f"Model written to {args.model}")
    return EXIT_OK


def _write_outputs(result, out: Path, evaluation=None):
    out.mkdir(parents=True, exist_ok=True)
    result.to_csv(out)
    result.to_json(out / "result.json")
    result.to_html(out / "report.html", evaluation=evaluation)
    return out


def _cmd_score(args):
    from . import load

    records = _load(args.folder)
    records.validate()
    scr = load(args.model)
    if args.capacity is not None:
        scr.set_params(capacity=_capacity(args.capacity), threshold=None)
    result = scr.screen(records, as_of=_census(args.as_of))
    out = _write_outputs(result, Path(args.out))
    _summary(result, out)
    return EXIT_OK


def _capacity(text):
    try:
        value = float(text)
    except ValueError:
        raise _BadInput(f"--capacity {text!r} is not a number: give a fraction such as 0.05 "
                        "or a whole number of pupils such as 40.") from None
    if not math.isfinite(value) or value <= 0:
        raise _BadInput(f"--capacity {text!r} must be a fraction between 0 and 1 such as 0.05 "
                        "or a whole number of pupils such as 40.")
    return int(value) if value >= 1 and value.is_integer() else value


def _cmd_audit(args):
    from screening import audits

    path = Path(args.file)
    if not path.exists():
        raise _BadInput(f"{path} does not exist.")
    frame = pd.read_csv(path, keep_default_na=True)
    missing = [c for c in [*args.group, args.flag, args.score, args.outcome, args.tiebreak]
               if c is not None and c not in frame.columns]
    if missing:
        raise _BadInput(f"{path} has no column(s) {missing}; its columns are "
                        f"{list(frame.columns)}.")
    if (args.flag is None) == (args.score is None):
        raise _BadInput("Give exactly one of --flag COL or --score COL (with --capacity).")
    if args.score is not None and args.capacity is None:
        raise _BadInput("--score needs --capacity (a fraction such as 0.05 or a count).")
    rep = audits.audit(
        frame, groups=list(args.group), flag=args.flag, score=args.score,
        outcome=args.outcome,
        capacity=_capacity(args.capacity) if args.capacity is not None else None,
        tiebreak=args.tiebreak,
        min_cell=args.min_cell, n_boot=args.n_boot, random_state=args.seed,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rep.to_frame().to_csv(out / "audit.csv", index=False)
    rep.to_html(out / "audit.html")
    _say(repr(rep))
    for f in getattr(rep, "findings", []) or []:
        _say(f"  - {f}")
    _say(f"Wrote {out / 'audit.csv'} and {out / 'audit.html'}")
    return EXIT_OK


def _summary(result, out):
    s = result.scores
    _say(f"Screened {len(s):,} pupils at {result.as_of.date()}; flagged "
         f"{int(s['flagged'].sum()):,}.")
    for f in getattr(result.audit, "findings", []) or []:
        _say(f"  audit: {f}")
    _say(f"Outputs in {out}/: report.html, scores.csv, audit.csv, result.json")


def _cmd_demo(args):
    from . import Screener, datasets, save

    t0 = time.perf_counter()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _say(f"Generating a synthetic local authority of {args.pupils:,} pupils (seed {args.seed})")
    la = datasets.make_local_authority(n_pupils=args.pupils, seed=args.seed)
    d = la.census_dates
    train, test, today = d[-4:-2], d[-2], d[-1]
    _say(f"Fitting on census dates {train[0].date()} and {train[1].date()}")
    scr = Screener(random_state=args.seed, n_boot=args.n_boot).fit(la.records, as_of=train)
    _say(f"Evaluating on the later census {test.date()} (outcomes known)")
    ev = scr.evaluate(la.records, as_of=test)
    from . import models

    oracle = la.true_risk(test).reindex(ev.scores["upn"]).to_numpy()
    oracle_auc = models.score_metrics(ev.scores["outcome"], oracle, ev.scores["flagged"])["auc"]
    m = ev.metrics
    _say(f"  AUC {m['auc']:.3f} (oracle {oracle_auc:.3f}), calibration error "
         f"{m['calibration_error']:.4f}, precision at capacity "
         f"{m['precision_at_capacity']:.3f}")
    comp = ev.audit.comparisons
    amplified = comp[(comp["measure"] == "amplification") & comp["finding"]]
    for f in amplified["sentence"].head(5):
        _say(f"  evaluation audit: {f}")
    _say(f"Screening today's cohort at {today.date()}")
    result = scr.screen(la.records, as_of=today)
    _write_outputs(result, out, evaluation=ev)
    save(scr, out / "model.skops")
    _summary(result, out)
    _say(f"model.skops written. Done in {time.perf_counter() - t0:.0f} s.")
    return EXIT_OK


# ---------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``screening`` command."""
    p = argparse.ArgumentParser(
        prog="screening",
        description="Early identification of pupils at risk of exclusion, with a "
                    "fairness audit attached to every score.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="synthetic LA -> fit, evaluate, screen, audit, report")
    d.add_argument("--out", default="demo-output")
    d.add_argument("--pupils", type=int, default=30_000)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--n-boot", type=int, default=1000)
    d.set_defaults(func=_cmd_demo)

    v = sub.add_parser("validate", help="check a folder of records against the contract")
    v.add_argument("folder")
    v.set_defaults(func=_cmd_validate)

    f = sub.add_parser("fit", help="fit a screener on past census dates")
    f.add_argument("folder")
    f.add_argument("--as-of", nargs="+", required=True)
    f.add_argument("--model", required=True)
    f.add_argument("--target", default="suspension", choices=["suspension", "permanent"])
    f.add_argument("--horizon", type=int, default=12)
    f.add_argument("--exclude-feature", action="append", metavar="FEATURE",
                   help="a feature the model must not use (repeatable), e.g. "
                        "school_suspension_rate_12m")
    f.add_argument("--seed", type=int, default=0)
    f.set_defaults(func=_cmd_fit)

    s = sub.add_parser("score", help="screen the cohort at a census date")
    s.add_argument("folder")
    s.add_argument("--model", required=True)
    s.add_argument("--as-of", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--capacity", default=None)
    s.set_defaults(func=_cmd_score)

    a = sub.add_parser("audit", help="audit a CSV of scores or flags from any tool")
    a.add_argument("file")
    a.add_argument("--group", action="append", required=True)
    a.add_argument("--flag")
    a.add_argument("--score")
    a.add_argument("--capacity")
    a.add_argument("--tiebreak", metavar="COL",
                   help="with --capacity: a column that breaks ties in score, ascending "
                        "(e.g. upn, to reproduce a screen's own flags)")
    a.add_argument("--outcome")
    a.add_argument("--out", required=True)
    a.add_argument("--min-cell", type=int, default=10)
    a.add_argument("--n-boot", type=int, default=1000)
    a.add_argument("--seed", type=int, default=0)
    a.set_defaults(func=_cmd_audit)
    return p


def main(argv=None) -> int:
    """Run the ``screening`` command; returns the exit status."""
    from screening.features import InputError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints usage and exits 2 on bad arguments
        return int(exc.code or 0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            return args.func(args)
    except InputError as err:
        _say("The input records have problems; nothing was scored.")
        _print_problems(err)
        return EXIT_BAD_INPUT
    except (_BadInput, ValueError, FileNotFoundError) as err:
        _say(f"error: {err}")
        return EXIT_BAD_INPUT
    except Exception:  # noqa: BLE001 - the command must report, not crash
        _say("internal error: this is a bug in the library. Please report it with the "
             "traceback below.")
        traceback.print_exc()
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
