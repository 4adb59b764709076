"""``screening export``: pseudonymised records, features, scores and audit for research.

The key file is read, never copied: the manifest records the command line (which names
the key file) but not the key.
"""

from __future__ import annotations

import argparse
from pathlib import Path

_NO_KEY_FILE = "--key-file {path} does not exist. Give the file that holds the LA's key."
_KEY_NEEDS_CENSUS = "--model needs --as-of: the census date to score the cohort at."

FILES = ("records", "features.csv", "scores.csv", "audit.csv", "drift.csv", "findings.txt",
         "README.txt")

_README = """Pseudonymised export made by pupil-risk-screening {version}.

Every UPN is replaced by a keyed hash (HMAC-SHA256, first 24 hex digits) that is the same
in every file here and in every export made with the same key; the key is not in this
folder. Dates of birth are moved to the first of their month.{schools}

What remains identifying: a pupil's school, year group, sex, ethnicity, month of birth and
dated events can still single them out, above all in small schools and rare groups, and
anyone holding the original records can match them by those dates. Treat this folder as
personal data, share it only under a data-sharing agreement, and publish only aggregates
with counts under 10 suppressed (audit.csv already is).
"""


def add_parser(sub, formatter, out_help, date_help):
    """Register ``screening export`` on the ``screening`` command's subparsers."""
    e = sub.add_parser(
        "export", formatter_class=formatter,
        help="pseudonymised records, features, scores and audit for researchers",
        description="Write the records with every UPN replaced by a keyed hash (the same "
                    "in every file and every year for one key) and dates of birth reduced "
                    "to the month, with the features and, given a model, the scores and "
                    "audit of the cohort at a census date.",
        epilog="Example:\n  screening export la_export/ --key-file la.key --as-of "
               "2024-10-03 --model model.skops --out research-2024")
    e.add_argument("folder", metavar="DIR",
                   help="folder of records (CSV/Parquet tables or CTFs), e.g. la_export/")
    e.add_argument("--key-file", required=True, metavar="FILE",
                   help="file holding the LA's secret key (at least 16 bytes; surrounding "
                        "whitespace is ignored). Keep it, and use the same one every year "
                        "so exports join. Required; e.g. --key-file la.key.")
    e.add_argument("--out", required=True, metavar="DIR", help=out_help.format(
        files=" (records/, features.csv, scores.csv, audit.csv, drift.csv, findings.txt, "
              "README.txt)",
        example="Required; e.g. --out research-2024."))
    e.add_argument("--as-of", default=None, metavar="DATE",
                   help=f"census date ({date_help}) of the features (and scores). Default: "
                        "none, records only; e.g. --as-of 2024-10-03.")
    e.add_argument("--model", default=None, metavar="FILE",
                   help="model file from 'screening fit': also write its scores and audit "
                        "at --as-of. Default: none; e.g. --model model.skops.")
    e.add_argument("--hash-schools", action="store_true",
                   help="also replace school identifiers by a keyed hash. Default: off; "
                        "e.g. --hash-schools.")
    e.set_defaults(func=run)
    return e


def _key(path: str) -> bytes:
    from . import _cli

    path = Path(path)
    if not path.is_file():
        raise _cli._BadInput(_NO_KEY_FILE.format(path=path))
    return path.read_bytes().strip()


def run(args: argparse.Namespace) -> int:
    """Run ``screening export``; the exit status."""
    from screening import features

    from . import __version__, _cli, load
    from ._csv import write_csv
    from ._outputs import Outputs
    from ._pseudonymise import check_key, pseudonymise

    outputs = Outputs(args.out, command=["screening", *args.argv], files=FILES)
    try:
        key = check_key(_key(args.key_file))
    except ValueError as err:
        raise _cli._BadInput(f"--key-file {args.key_file}: {err}") from None
    if args.model is not None and args.as_of is None:
        raise _cli._BadInput(_KEY_NEEDS_CENSUS)
    as_of = None if args.as_of is None else _cli._census(args.as_of)
    model = None if args.model is None else _cli._model_path(args.model)
    records = _cli._load(args.folder)
    records.validate()
    pseudo = pseudonymise(records, key=key, hash_schools=args.hash_schools)
    scr = None if model is None else load(model)
    with outputs.staged(census=as_of) as folder:
        features.write_records(pseudo, folder / "records")
        if as_of is not None:
            kinds = (tuple(getattr(scr, "episode_kinds_", ())) if scr is not None
                     else tuple(sorted(set(pseudo.episodes["kind"].dropna()))))
            X = features.build(pseudo, as_of=as_of, episode_kinds=kinds)
            write_csv(X.reset_index(), folder / "features.csv")
        if scr is not None:
            assert as_of is not None  # a model needs --as-of (refused above)
            result = scr.screen(pseudo, as_of=as_of)
            result.to_csv(folder)
        schools = " School identifiers are replaced by a keyed hash too." \
            if args.hash_schools else ""
        (folder / "README.txt").write_text(_README.format(version=__version__,
                                                          schools=schools), encoding="utf-8")
    _cli._say(f"Pseudonymised export written to {outputs.out}")
    return _cli.EXIT_OK
