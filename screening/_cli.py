"""The ``screening`` command.

Exit status: 0 on success; 2 when the user's input cannot be used (records with
problems, a census the records cannot support, a damaged or hostile model file, a bad
option or path; the reason is printed); 1 on an internal error (a bug: the traceback
is printed); 130 when interrupted (Ctrl-C).

Only the standard library is imported here, so ``screening --help`` is fast; pandas,
scikit-learn, skops and matplotlib load when a command runs. Outputs are written to a
hidden folder beside ``--out`` and moved into place only when every file is complete,
with a ``manifest.json`` (see :mod:`screening._outputs`).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the heavy imports happen only when a command runs
    import pandas as pd

    from screening.features import InputError

    from ._result import Evaluation, ScreeningResult

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class _BadInput(Exception):
    """The user's input cannot be used: one message to print, exit status 2."""


_INTERRUPTED = "interrupted"
_INTERNAL = ("internal error: this is a bug in the library. Please report it with the "
             "traceback below.")
_AFTER_END_CLI = ("To screen anyway, pass --allow-after-data-end: the report then says "
                  "that the census is after the records end.")
_NOT_A_FOLDER = "{path} is not a folder. Give a folder of CSV/Parquet tables or of CTFs."
_NO_FOLDER = "{path} does not exist. Give a folder of CSV/Parquet tables or of CTFs."
_MODEL_MISSING = "--model {path} does not exist. Give the .skops file written by " \
                 "'screening fit' (or screening.save)."
_MODEL_IS_FOLDER = "--model {path} is a folder. Give the .skops model file inside it, " \
                   "e.g. {path}/model.skops."


def _say(msg=""):
    print(msg, flush=True)


def _user_errors():
    """The library's exception types that mean the user's input (exit status 2)."""
    from screening import features, models

    from ._outputs import OutputFolderError

    return (features.CensusError, models.ModelFileError, OutputFolderError)


# ---------------------------------------------------------------------------- inputs
def _load(source):
    """Load records from a folder of tables or a folder of CTF files (detected by content)."""
    from screening import features

    path = Path(source)
    if not path.exists():
        raise _BadInput(_NO_FOLDER.format(path=path))
    if not path.is_dir():
        raise _BadInput(_NOT_A_FOLDER.format(path=path))
    if features.is_ctf_folder(path):
        _say(f"Reading Common Transfer Files from {path}")
        susp = path / "suspensions.csv"
        return features.read_ctf(path, suspensions=susp if susp.exists() else None)
    return features.load_records(path)


def _model_path(text: str) -> Path:
    path = Path(text)
    if path.is_dir():
        raise _BadInput(_MODEL_IS_FOLDER.format(path=path))
    if not path.exists():
        raise _BadInput(_MODEL_MISSING.format(path=path))
    return path


def _census(value):
    from ._dates import census_date

    try:
        return census_date(value, what="--as-of")
    except ValueError as err:
        raise _BadInput(str(err)) from None


def _capacity(text):
    """``--capacity``: a fraction 0 < c < 1 or a whole number of pupils (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number: give a fraction such as 0.05 (5% of the cohort) "
            "or a whole number of pupils such as 40.") from None
    value = int(value) if value >= 1 and value.is_integer() else value
    from screening import audits

    try:
        audits.check_rule(capacity=value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r}: {err}") from None
    return value


def _whole(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number.") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least {minimum}.")
        return value

    parse.__name__ = f"whole number >= {minimum}"
    return parse


# ---------------------------------------------------------------------------- commands
def _cmd_validate(args):
    records = _load(args.folder)
    warnings_ = records.validate()
    _say(f"{records!r}: no problems found.")
    if len(warnings_):
        _say(f"{len(warnings_)} warning(s) (usable, but worth checking):")
        _say(warnings_.head(20).to_string(index=False))
    return EXIT_OK


def _cmd_fit(args):
    from screening import features

    from . import Screener, save

    model = Path(args.model)
    if model.is_dir():
        raise _BadInput(f"--model {model} is a folder; give a file name such as "
                        f"{model}/model.skops.")
    if not model.parent.is_dir():
        raise _BadInput(f"--model {model}: the folder {model.parent} does not exist.")
    dates = [_census(d) for d in args.as_of]
    try:
        excluded = features.check_feature_names(tuple(args.exclude_feature or ()))
    except ValueError as err:
        raise _BadInput(f"--exclude-feature: {err}") from None
    records = _load(args.folder)
    records.validate()
    for d in dates:
        features.check_outcome_window(records, d, args.horizon, action="fit")
    _say(f"Fitting on census dates {', '.join(str(d.date()) for d in dates)} ...")
    scr = Screener(target=args.target, horizon_months=args.horizon,
                   exclude_features=tuple(excluded), school_context=args.school_context,
                   random_state=args.seed
                   ).fit(records, as_of=dates)
    with _writing(model):
        save(scr, model)
    t = scr.training_
    _say(f"Trained on {t['n_pupils']:,} pupil-censuses ({t['outcome_rate']:.2%} outcome rate). "
         f"Model written to {model}")
    return EXIT_OK


def _cmd_score(args):
    from screening import features

    from . import load
    from ._outputs import Outputs

    outputs = Outputs(args.out, command=["screening", *args.argv], files=_RESULT_FILES)
    packs = None if args.packs is None else Outputs(
        args.packs, command=["screening", *args.argv], files=_PACK_FILES)
    if packs is not None and packs.out.resolve() == outputs.out.resolve():
        raise _BadInput("--packs must be another folder than --out (the packs go to other "
                        "audiences), e.g. --packs packs-2024.")
    model = _model_path(args.model)
    as_of = _census(args.as_of)
    evaluate_on = None if args.evaluate_on is None else _census(args.evaluate_on)
    records = _load(args.folder)
    records.validate()
    if not args.allow_after_data_end:
        try:
            features.check_census_in_records(records, as_of, action="screen")
        except features.CensusError as err:
            raise _BadInput(f"{err} {_AFTER_END_CLI}") from None
    scr = load(model)
    if args.capacity is not None:
        scr.set_params(capacity=args.capacity, threshold=None)
    if args.capacity_by is not None:
        scr.set_params(capacity_by=None if args.capacity_by == "cohort" else args.capacity_by)
    if args.ties is not None:
        scr.set_params(ties=args.ties)
    if evaluate_on is not None:
        features.check_outcome_window(records, evaluate_on, scr.horizon_months,
                                      action="evaluate")
    result = scr.screen(records, as_of=as_of, allow_after_data_end=args.allow_after_data_end)
    evaluation = None
    if evaluate_on is not None:
        _say(f"Evaluating on the census {evaluate_on.date()} (outcomes known)")
        evaluation = scr.evaluate(records, as_of=evaluate_on)
        _say_metrics(evaluation)
    with outputs.staged(census=as_of) as folder:
        _write_result(result, folder, evaluation=evaluation)
    _summary(result, outputs.out)
    if packs is not None:
        with packs.staged(census=as_of) as folder:
            result.write_packs(folder, evaluation=evaluation)
        n_handover = 0 if result.allocations is None else result.allocations[
            "destination"].nunique()
        _say(f"Packs in {packs.out}/: overview.html (no pupil rows), case_list.html/.csv "
             f"(restricted), schools/ ({result.scores['school'].nunique()} schools)"
             + (f", handover/ ({n_handover} receiving schools)" if n_handover else ""))
    return EXIT_OK


def _say_metrics(ev):
    m = ev.metrics
    _say(f"  AUC {m['auc']:.3f}, average precision {m['average_precision']:.3f}, "
         f"calibration error {m['calibration_error']:.4f}, precision at capacity "
         f"{m['precision_at_capacity']:.3f}, recall at capacity "
         f"{m['recall_at_capacity']:.3f} ({int(m['n']):,} pupils)")


def _cmd_evaluate(args):
    from screening import features

    from . import load
    from ._evaluation_io import EVALUATION_FILES, write_evaluation
    from ._outputs import Outputs

    outputs = Outputs(args.out, command=["screening", *args.argv], files=EVALUATION_FILES)
    model = _model_path(args.model)
    as_of = _census(args.as_of)
    records = _load(args.folder)
    records.validate()
    scr = load(model)
    if args.capacity is not None:
        scr.set_params(capacity=args.capacity, threshold=None)
    if args.capacity_by is not None:
        scr.set_params(capacity_by=None if args.capacity_by == "cohort" else args.capacity_by)
    features.check_outcome_window(records, as_of, scr.horizon_months, action="evaluate")
    _say(f"Evaluating on the census {as_of.date()} (outcomes known)")
    ev = scr.evaluate(records, as_of=as_of)
    _say_metrics(ev)
    with outputs.staged(census=as_of) as folder:
        write_evaluation(ev, folder)
    _say(f"Outputs in {outputs.out}/: {', '.join(EVALUATION_FILES)}, manifest.json")
    return EXIT_OK


_PACK_FILES = ("overview.html", "case_list.html", "case_list.csv", "schools", "handover",
               "README.txt")


_RESULT_FILES = ("scores.csv", "audit.csv", "audit_breakdowns.csv", "drift.csv",
                 "findings.txt", "result.json",
                 "report.html")


def _write_result(result: ScreeningResult, folder: Path,
                  evaluation: Evaluation | None = None) -> None:
    result.to_csv(folder)
    result.to_json(folder / "result.json")
    result.to_html(folder / "report.html", evaluation=evaluation)


def _read_scores_file(path: Path) -> pd.DataFrame:
    import pandas as pd

    if not path.exists():
        raise _BadInput(f"{path} does not exist.")
    if not path.is_file():
        raise _BadInput(f"{path} is not a file. Give a CSV file of scores or flags.")
    try:
        return pd.read_csv(path, keep_default_na=True)
    except (UnicodeDecodeError, ValueError, OSError, pd.errors.ParserError) as err:
        # EmptyDataError and ParserError are ValueErrors raised by the reader of the
        # user's file, so they are about the file, not the library
        raise _BadInput(f"{path} cannot be read as a UTF-8 CSV file with a header row "
                        f"({type(err).__name__}: {err}).") from None


def _check_audit_columns(path, frame, args):
    """The audit's input rules, checked here so a bad file is the user's error (exit 2)."""
    import numpy as np
    import pandas as pd

    missing = [c for c in [*args.group, args.flag, args.score, args.outcome, args.tiebreak]
               if c is not None and c not in frame.columns]
    if missing:
        raise _BadInput(f"{path} has no column(s) {missing}; its columns are "
                        f"{list(frame.columns)}.")
    if (args.flag is None) == (args.score is None):
        raise _BadInput("Give exactly one of --flag COL or --score COL (with --capacity).")
    if args.score is not None and args.capacity is None:
        raise _BadInput("--score needs --capacity (a fraction such as 0.05, meaning 5%, or "
                        "a number of pupils such as 40).")

    def first_row(mask):
        return int(np.argmax(mask)) + 1

    for option, col in (("--flag", args.flag), ("--outcome", args.outcome)):
        if col is None:
            continue
        s = frame[col]
        if s.isna().any():
            raise _BadInput(f"{option} column {col!r} of {path} has {int(s.isna().sum())} "
                            f"empty value(s), first in data row {first_row(s.isna())}. Use "
                            "1/0 or True/False in every row.")
        ok = s.isin([0, 1])
        if not ok.all():
            raise _BadInput(f"{option} column {col!r} of {path} must hold only 1/0 or "
                            f"True/False; data row {first_row(~ok)} holds "
                            f"{s[~ok].iloc[0]!r}.")
    if args.score is not None:
        s = frame[args.score]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            raise _BadInput(f"--score column {args.score!r} of {path} must be numbers (a "
                            f"probability or points); it holds text such as "
                            f"{s.dropna().astype(str).iloc[0] if s.notna().any() else ''!r}.")
        if s.isna().any():
            raise _BadInput(f"--score column {args.score!r} of {path} has "
                            f"{int(s.isna().sum())} empty value(s), first in data row "
                            f"{first_row(s.isna())}. Fill or drop those rows first.")


def _cmd_audit(args):
    from screening import audits

    from ._csv import write_csv
    from ._outputs import Outputs

    files = ("audit.csv", "audit.html") + (("adjusted.csv",) if args.adjust else ())
    outputs = Outputs(args.out, command=["screening", *args.argv], files=files)
    path = Path(args.file)
    frame = _read_scores_file(path)
    _check_audit_columns(path, frame, args)
    recent = None
    if args.recent is not None:
        if args.recent_outcome is None:
            raise _BadInput("--recent needs --recent-outcome COL (the recent cohort's 0/1 "
                            "outcome column).")
        recent = _read_scores_file(Path(args.recent))
    nested = {}
    for spec in args.nested or ():
        if ":" not in spec:
            raise _BadInput(f"--nested {spec!r}: write FINE:COARSE, e.g. "
                            "ethnicity:ethnicity_major.")
        fine, coarse = spec.split(":", 1)
        nested[fine] = coarse
    try:
        rep = audits.audit(
            frame, groups=list(args.group), flag=args.flag, score=args.score,
            outcome=args.outcome, capacity=args.capacity, tiebreak=args.tiebreak,
            min_cell=args.min_cell, n_boot=args.n_boot, random_state=args.seed,
            reference=args.reference, unit=args.unit, band=tuple(args.band),
            controls=args.control or None, nested=nested or None, tests=args.test or None,
            adjust=args.adjust or None, recent=recent, recent_outcome=args.recent_outcome,
            recent_label=args.recent_label,
        )
    except (KeyError, ValueError, TypeError) as exc:  # the audit's own messages say the fix
        raise _BadInput(str(exc).strip('"')) from None
    with outputs.staged() as folder:
        if args.symbols:
            rep.to_csv(folder / "audit.csv", symbols=True)
        else:
            write_csv(rep.to_frame(), folder / "audit.csv")
        if rep.adjusted is not None:
            write_csv(rep.adjusted, folder / "adjusted.csv")
        rep.to_html(folder / "audit.html")
    _say(repr(rep))
    for f in getattr(rep, "findings", []) or []:
        _say(f"  - {f}")
    _say(f"Wrote {outputs.out / 'audit.csv'} and {outputs.out / 'audit.html'}")
    return EXIT_OK


def _plain_findings(audit, measure=None):
    """The audit's findings in the report's plain words (group names, not codes)."""
    from ._words import findings

    return findings(audit, audit.params.get("recent_label"), measure=measure)


def _summary(result, out):
    s = result.scores
    _say(f"Screened {len(s):,} pupils at {result.as_of.date()}; flagged "
         f"{int(s['flagged'].sum()):,}.")
    if getattr(result, "after_data_end", False):
        _say(f"  NOTE: the census is after the records end ({result.data_end.date()}); "
             "the report says so.")
    for f in _plain_findings(result.audit):
        _say(f"  audit: {f}")
    _say(f"Outputs in {out}/: report.html, scores.csv, audit.csv, result.json, "
         "manifest.json")


def _cmd_demo(args):
    from . import Screener, datasets, models, save
    from ._outputs import Outputs

    outputs = Outputs(args.out, command=["screening", *args.argv],
                      files=(*_RESULT_FILES, "model.skops"))
    t0 = time.perf_counter()
    _say(f"Generating a synthetic local authority of {args.pupils:,} pupils (seed {args.seed})")
    la = datasets.make_local_authority(n_pupils=args.pupils, seed=args.seed)
    d = la.census_dates
    train, test, today = d[-4:-2], d[-2], d[-1]
    _say(f"Fitting on census dates {train[0].date()} and {train[1].date()}")
    scr = Screener(random_state=args.seed, n_boot=args.n_boot).fit(la.records, as_of=train)
    _say(f"Evaluating on the later census {test.date()} (outcomes known)")
    ev = scr.evaluate(la.records, as_of=test)
    oracle = la.true_risk(test).reindex(ev.scores["upn"]).to_numpy()
    oracle_auc = models.score_metrics(ev.scores["outcome"], oracle, ev.scores["flagged"])["auc"]
    m = ev.metrics
    _say(f"  AUC {m['auc']:.3f} (oracle {oracle_auc:.3f}), calibration error "
         f"{m['calibration_error']:.4f}, precision at capacity "
         f"{m['precision_at_capacity']:.3f}")
    for f in _plain_findings(ev.audit, measure="amplification")[:5]:
        _say(f"  evaluation audit: {f}")
    _say(f"Screening today's cohort at {today.date()}")
    result = scr.screen(la.records, as_of=today)
    with outputs.staged(census=today) as folder:
        _write_result(result, folder, evaluation=ev)
        save(scr, folder / "model.skops")
    _summary(result, outputs.out)
    _say(f"model.skops written. Done in {time.perf_counter() - t0:.0f} s.")
    return EXIT_OK


class _writing:
    """Report an OS error while writing the user's file as their input (exit status 2)."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, OSError):
            raise _BadInput(f"cannot write {self.path}: {exc.strerror or exc}") from None
        return False


# ---------------------------------------------------------------------------- parser
class _Version(argparse.Action):
    """``--version``: reads the installed version only when asked."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, nargs=0, default=argparse.SUPPRESS,
                         help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("pupil-risk-screening")
        except PackageNotFoundError:
            v = "unknown (not installed)"
        print(f"screening (pupil-risk-screening) {v}", flush=True)
        parser.exit()


class _FORMATTER(argparse.HelpFormatter):
    """Wraps prose paragraphs; keeps lines indented by two spaces (examples) as written."""

    def _fill_text(self, text, width, indent):
        import textwrap

        return "\n".join(
            indent + line if line.startswith("  ") else
            textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent)
            for line in text.splitlines())

_DATE = "YYYY-MM-DD or DD/MM/YYYY (always day first)"
_CAPACITY_HELP = (
    "how many pupils the available support can reach: a fraction of the cohort between 0 "
    "and 1 (0.05 means 5%%) or a whole number of pupils (e.g. 40). The highest-risk pupils "
    "are flagged; ties are broken by UPN.")
_SEED_HELP = ("random seed (a whole number) for cross-fitting and the bootstrap, so a "
              "re-run gives the same output. Default: %(default)s; e.g. --seed 1.")
_NBOOT_HELP = ("bootstrap resamples for the audit's 95%% intervals; more is steadier and "
               "slower. Default: %(default)s; e.g. --n-boot 200 for a quick look.")
_OUT_HELP = (
    "folder for the outputs{files}, created if missing. They are written to a hidden "
    "folder beside it and moved in only when complete, with manifest.json (census, "
    "command, files, SHA-256 checksums, library version). A folder holding a previous "
    "run's outputs is replaced as a whole; any other non-empty folder, or a file, is "
    "refused. {example}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``screening`` command."""
    p = argparse.ArgumentParser(
        prog="screening", formatter_class=_FORMATTER,
        description="Early identification of pupils at risk of exclusion, with a "
                    "fairness audit attached to every score.",
        epilog="Exit status: 0 success; 2 the input cannot be used (the reason is "
               "printed); 1 internal error (a bug); 130 interrupted.\n"
               "Run 'screening COMMAND --help' for a command's options and an example.",
    )
    p.add_argument("--version", action=_Version,
                   help="print the installed version of pupil-risk-screening and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = sub.add_parser(
        "demo", formatter_class=_FORMATTER,
        help="synthetic LA -> fit, evaluate, screen, audit, report",
        description="Generate a synthetic local authority, fit a screener on two past "
                    "censuses, evaluate it on a later one and screen the latest cohort.",
        epilog="Example:\n  screening demo --out demo-output --pupils 30000 --seed 0")
    d.add_argument("--out", default="demo-output", metavar="DIR", help=_OUT_HELP.format(
        files=" (report.html, scores.csv, audit.csv, audit_breakdowns.csv, drift.csv, "
              "findings.txt, result.json, "
              "model.skops)",
        example="Default: %(default)s; e.g. --out demo-output."))
    d.add_argument("--pupils", type=_whole(1000), default=30_000, metavar="N",
                   help="pupils in the synthetic local authority (a whole number, at least "
                        "1000). Default: %(default)s; e.g. --pupils 10000 for a faster run.")
    d.add_argument("--seed", type=int, default=0, metavar="S",
                   help="random seed (a whole number) of the synthetic data and the model. "
                        "Default: %(default)s; e.g. --seed 1.")
    d.add_argument("--n-boot", type=_whole(0), default=1000, metavar="B", help=_NBOOT_HELP)
    d.set_defaults(func=_cmd_demo)

    v = sub.add_parser(
        "validate", formatter_class=_FORMATTER,
        help="check a folder of records against the contract",
        description="Check a folder of records against the input contract and list every "
                    "problem by table, row and column.",
        epilog="Example:\n  screening validate la_export/")
    v.add_argument("folder", metavar="DIR",
                   help="folder of CSV or Parquet tables (pupils, enrolments, attendance, "
                        "suspensions, ...) or of Common Transfer Files, e.g. la_export/")
    v.set_defaults(func=_cmd_validate)

    f = sub.add_parser(
        "fit", formatter_class=_FORMATTER, help="fit a screener on past census dates",
        description="Fit a screener on the cohorts at past census dates and their outcomes, "
                    "and save it as a model file.",
        epilog="Example:\n  screening fit la_export/ --as-of 2022-10-06 2023-10-05 "
               "--model model.skops")
    f.add_argument("folder", metavar="DIR",
                   help="folder of records (CSV/Parquet tables or CTFs), e.g. la_export/")
    f.add_argument("--as-of", nargs="+", required=True, metavar="DATE",
                   help=f"one or more training census dates, {_DATE}. Each needs its whole "
                        "outcome window (--horizon months) inside the records. Required; "
                        "e.g. --as-of 2022-10-06 05/10/2023.")
    f.add_argument("--model", required=True, metavar="FILE",
                   help="file to write the fitted model to (a .skops file, replaced if it "
                        "exists). Required; e.g. --model model.skops.")
    f.add_argument("--target", default="suspension", choices=["suspension", "permanent"],
                   help="the outcome to predict: 'suspension' (at least one suspension or "
                        "permanent exclusion) or 'permanent' (a permanent exclusion only). "
                        "Default: %(default)s; e.g. --target permanent.")
    f.add_argument("--horizon", type=_whole(1), default=12, metavar="MONTHS",
                   help="length of the outcome window after each census, in whole months. "
                        "Default: %(default)s; e.g. --horizon 6.")
    f.add_argument("--exclude-feature", action="append", metavar="FEATURE",
                   help="a feature the model must not use (repeat the option for several). "
                        "Default: none; e.g. --exclude-feature in_ap_now.")
    f.add_argument("--school-context", action="store_true",
                   help="also score pupils by their school's suspension rate (left out by "
                        "default: the list should rank pupils' needs, not their school's "
                        "habits). Default: off; e.g. --school-context.")
    f.add_argument("--seed", type=int, default=0, metavar="S", help=_SEED_HELP)
    f.set_defaults(func=_cmd_fit)

    s = sub.add_parser(
        "score", formatter_class=_FORMATTER, help="screen the cohort at a census date",
        description="Screen the cohort at a census date with a fitted model: scores, "
                    "reasons, flags and the fairness audit, in one report.",
        epilog="Example:\n  screening score la_export/ --model model.skops --as-of "
               "2024-10-03 --out screen-2024 --capacity 0.05")
    s.add_argument("folder", metavar="DIR",
                   help="folder of records (CSV/Parquet tables or CTFs), e.g. la_export/")
    s.add_argument("--model", required=True, metavar="FILE",
                   help="the model file written by 'screening fit'. Required; e.g. "
                        "--model model.skops.")
    s.add_argument("--as-of", required=True, metavar="DATE",
                   help=f"the census date to screen at, {_DATE}; only records dated before "
                        "it are used. Required; e.g. --as-of 2024-10-03 or 03/10/2024.")
    s.add_argument("--out", required=True, metavar="DIR", help=_OUT_HELP.format(
        files=" (report.html, scores.csv, audit.csv, audit_breakdowns.csv, drift.csv, "
              "findings.txt, result.json)",
        example="Required; e.g. --out screen-2024."))
    s.add_argument("--capacity", type=_capacity, default=None, metavar="C",
                   help=_CAPACITY_HELP + " Default: the model's own (0.05 unless it was "
                                         "fitted with another); e.g. --capacity 0.05 or "
                                         "--capacity 40.")
    s.add_argument("--capacity-by", choices=["cohort", "school", "phase", "year_group"],
                   default=None,
                   help="where the capacity applies: the whole cohort (one LA-wide list), "
                        "within each school, each phase (primary: Years 6 and below; "
                        "secondary: Year 7 and above) or each year group, with the same "
                        "tie rule in every unit. The report and scores.csv (flag_unit) say "
                        "which was used. Default: the model's own (the whole cohort unless "
                        "it was fitted with another); e.g. --capacity-by school.")
    s.add_argument("--ties", choices=["break", "include"], default=None,
                   help="pupils with the same risk at the cut-off: 'break' orders them by "
                        "UPN, 'include' flags them all (a unit can then exceed its "
                        "capacity). Either way the report, result.json and scores.csv "
                        "(tied_at_cutoff) say how many were tied. Default: the model's own "
                        "(break); e.g. --ties include.")
    s.add_argument("--packs", metavar="DIR", default=None,
                   help="also write one output per audience to this folder (another than "
                        "--out): overview.html (no pupil rows, safe to share), "
                        "case_list.html/.csv (restricted to the LA team), schools/<school> "
                        "(only that school's pupils) and, with an allocations table, "
                        "handover/<school> (the pupils allocated a place there). Written "
                        "whole like --out. Default: none; e.g. --packs packs-2024.")
    s.add_argument("--evaluate-on", metavar="DATE", default=None,
                   help=f"also evaluate the model out of time on this earlier census, {_DATE}, "
                        "whose outcome window is complete, and show the evaluation in the "
                        "report and the overview. Default: none; e.g. --evaluate-on "
                        "2023-10-05.")
    s.add_argument("--allow-after-data-end", action="store_true",
                   help="screen even when the census is after the last day the records "
                        "cover (refused by default: every pupil would look as if nothing "
                        "had happened since); the report then says so. Default: off; e.g. "
                        "--allow-after-data-end.")
    s.set_defaults(func=_cmd_score)

    e = sub.add_parser(
        "evaluate", formatter_class=_FORMATTER,
        help="evaluate a model out of time on a census whose outcomes are known",
        description="Score the cohort at a census whose outcome window is complete with a "
                    "fitted model and compare with what happened: AUC, average precision, "
                    "calibration, precision and recall at capacity, and the audit with "
                    "error rates by group.",
        epilog="Example:\n  screening evaluate la_export/ --model model.skops --as-of "
               "2023-10-05 --out evaluation-2023")
    e.add_argument("folder", metavar="DIR",
                   help="folder of records (CSV/Parquet tables or CTFs), e.g. la_export/")
    e.add_argument("--model", required=True, metavar="FILE",
                   help="the model file written by 'screening fit'. Required; e.g. "
                        "--model model.skops.")
    e.add_argument("--as-of", required=True, metavar="DATE",
                   help=f"the census date to evaluate at, {_DATE}; later than the training "
                        "censuses, with its whole outcome window in the records. Required; "
                        "e.g. --as-of 2023-10-05.")
    e.add_argument("--out", required=True, metavar="DIR", help=_OUT_HELP.format(
        files=" (evaluation.json, metrics.csv, calibration.csv, audit.csv, scores.csv, "
              "evaluation.html)", example="Required; e.g. --out evaluation-2023."))
    e.add_argument("--capacity", type=_capacity, default=None, metavar="C",
                   help=_CAPACITY_HELP + " Default: the model's own; e.g. --capacity 0.05.")
    e.add_argument("--capacity-by", choices=["cohort", "school", "phase", "year_group"],
                   default=None,
                   help="where the capacity applies (as for 'screening score'). Default: "
                        "the model's own; e.g. --capacity-by school.")
    e.set_defaults(func=_cmd_evaluate)

    a = sub.add_parser(
        "audit", formatter_class=_FORMATTER,
        help="audit a CSV of scores or flags from any tool",
        description="Audit the scores or flags of any tool for disproportionality between "
                    "groups, with 95% intervals and small groups suppressed.",
        epilog="Examples:\n  screening audit scores.csv --group sex --group fsm --score risk "
               "--capacity 0.05 --outcome outcome --out audit-out\n"
               "  screening audit flags.csv --group ethnicity --flag flagged --out audit-out")
    a.add_argument("file", metavar="FILE",
                   help="CSV file (UTF-8, header row), one row per pupil, e.g. scores.csv")
    a.add_argument("--group", action="append", required=True, metavar="COL",
                   help="a column of groups to compare (repeat for several). Required; e.g. "
                        "--group sex --group fsm.")
    a.add_argument("--flag", metavar="COL",
                   help="a column of flags, 1/0 or True/False (give this or --score). "
                        "Default: none; e.g. --flag flagged.")
    a.add_argument("--score", metavar="COL",
                   help="a column of numeric scores, flagged by --capacity (give this or "
                        "--flag). Default: none; e.g. --score risk.")
    a.add_argument("--capacity", type=_capacity, metavar="C",
                   help=_CAPACITY_HELP + " Needed with --score. Default: none; e.g. "
                                         "--capacity 0.05.")
    a.add_argument("--tiebreak", metavar="COL",
                   help="with --capacity: a column that breaks ties in score, ascending. "
                        "Default: row order; e.g. --tiebreak upn, to reproduce a screen's "
                        "own flags.")
    a.add_argument("--outcome", metavar="COL",
                   help="a column of observed outcomes, 1/0 or True/False, to add error "
                        "rates by group. Default: none; e.g. --outcome outcome.")
    a.add_argument("--out", required=True, metavar="DIR", help=_OUT_HELP.format(
        files=" (audit.csv, audit.html)", example="Required; e.g. --out audit-out."))
    a.add_argument("--min-cell", type=_whole(0), default=10, metavar="N",
                   help="groups with fewer pupils than this are suppressed (no counts "
                        "shown); 0 turns suppression off. Default: %(default)s; e.g. "
                        "--min-cell 5.")
    a.add_argument("--n-boot", type=_whole(0), default=1000, metavar="B", help=_NBOOT_HELP)
    a.add_argument("--seed", type=int, default=0, metavar="S", help=_SEED_HELP)
    a.add_argument("--reference", choices=["largest", "lowest", "cohort"], default=None,
                   help="what each group is compared with: its attribute's largest group, "
                        "the group with the lowest flag rate, or the whole cohort, e.g. "
                        "--reference cohort. Default: largest")
    a.add_argument("--unit", default="pupils", metavar="NOUN",
                   help="plural noun for the rows in the findings' sentences, e.g. "
                        "--unit defendants. Default: %(default)s")
    a.add_argument("--band", type=float, nargs=2, default=[0.8, 1.25], metavar=("LOW", "HIGH"),
                   help="ratios inside this band are not reported as findings, e.g. "
                        "--band 0.5 2. Default: 0.8 1.25 (the four-fifths rule both ways)")
    a.add_argument("--control", action="append", metavar="COL",
                   help="break every table down by this column, never aggregated over "
                        "(repeatable), e.g. --control school. Default: none")
    a.add_argument("--nested", action="append", metavar="FINE:COARSE",
                   help="declare that one group column lies inside another, so their tables "
                        "are suppressed together, e.g. --nested ethnicity:ethnicity_major. "
                        "Default: none declared (nesting in the data is found anyway)")
    a.add_argument("--test", action="append", metavar="RATIO",
                   help="a ratio to test (p-value from the counts, Holm-adjusted with all "
                        "others; repeatable), e.g. --test fpr_ratio. Default: flag_ratio, "
                        "and amplification with --outcome")
    a.add_argument("--adjust", action="append", metavar="COL",
                   help="covariate for adjusted odds and risk ratios (logistic regression; "
                        "repeatable; writes adjusted.csv), e.g. --adjust sen. Default: none")
    a.add_argument("--recent", metavar="FILE",
                   help="CSV of a recent cohort with the same group columns, whose outcomes "
                        "the flags are compared with (recent amplification), e.g. --recent "
                        "last_year.csv. Default: none")
    a.add_argument("--recent-outcome", metavar="COL",
                   help="the 0/1 outcome column of --recent, e.g. --recent-outcome excluded. "
                        "Required with --recent")
    a.add_argument("--recent-label", metavar="TEXT",
                   help="which cohort the recent outcomes come from, shown in the report, "
                        "e.g. --recent-label 'census 2023-10-05'. Default: recent cohort")
    a.add_argument("--symbols", action="store_true",
                   help="write the government statistics symbols in audit.csv (c suppressed, "
                        "z not applicable, low rounds to zero), e.g. --symbols. Default: "
                        "blank cells")
    a.set_defaults(func=_cmd_audit)

    from ._export import add_parser as add_export_parser

    add_export_parser(sub, _FORMATTER, _OUT_HELP, _DATE)
    return p


# ---------------------------------------------------------------------------- running
class _Interrupts:
    """Ctrl-C: remembered even when a library swallows the KeyboardInterrupt it raised."""

    def __init__(self):
        self.seen = False
        self.previous = None

    def handler(self, signum, frame):
        self.seen = True
        raise KeyboardInterrupt

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self.handler)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        return False


_INTERRUPTS = _Interrupts()


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """One plain line per warning, no source line."""
    text = " ".join(str(message).split())
    name = category.__name__
    prefix = "warning" if name in ("UserWarning", "Warning") else f"warning ({name})"
    print(f"{prefix}: {text}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``screening`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    _INTERRUPTS.seen = False
    try:
        with _INTERRUPTS:
            try:
                args = parser.parse_args(argv)
            except SystemExit as exc:  # argparse prints usage and exits 2 on bad arguments
                return int(exc.code or 0)
            args.argv = argv
            with warnings.catch_warnings():
                warnings.simplefilter("default")
                warnings.showwarning = _show_warning
                return _run(args)
    except KeyboardInterrupt:
        _say(_INTERRUPTED)
        return EXIT_INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    from screening.features import InputError

    try:
        return args.func(args)
    except KeyboardInterrupt:
        raise
    except InputError as err:
        if _interrupted():
            raise KeyboardInterrupt from None
        _say("The input records have problems; nothing was scored.")
        _say(_problems(err))
        return EXIT_BAD_INPUT
    except _BadInput as err:
        _say(f"error: {err}")
        return EXIT_BAD_INPUT
    except Exception as err:  # noqa: BLE001 - the command must report, not crash
        if _interrupted():
            raise KeyboardInterrupt from None
        if isinstance(err, _user_errors()):
            _say(f"error: {err}")
            return EXIT_BAD_INPUT
        _say(_INTERNAL)
        traceback.print_exc()
        return EXIT_INTERNAL


def _interrupted() -> bool:
    """Whether Ctrl-C was pressed during this run (even if the error hides it)."""
    return _INTERRUPTS.seen


def _problems(err: InputError) -> str:
    from screening.features import summarise_problems

    return summarise_problems(err.problems)


if __name__ == "__main__":
    sys.exit(main())
