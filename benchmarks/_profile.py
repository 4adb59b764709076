"""Where the time goes: profile one pipeline step at one size with pyinstrument.

Usage::

    python -m benchmarks._profile --pupils 200000 --steps features screen save
        [--out DIR]

Writes ``profile_<step>_<pupils>.txt`` (pyinstrument's call tree, wall-clock) to DIR and
prints, per step, the functions of this repository with the largest share of the step's
time. Needs ``pip install pyinstrument`` (not a dependency of the library).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

STEPS = ("load_csv", "load_parquet", "features", "fit", "screen", "explain", "save", "load")


def _own_frames(session, repo: Path, top: int = 12):
    """(share of total, self+children seconds, function, file:line) for repository code."""
    root = session.root_frame()
    total = root.time if root else 0.0
    seen: dict[tuple, float] = {}

    def walk(frame, stack):
        key = (frame.function, frame.file_path_short or frame.file_path, frame.line_no)
        own = str(repo) in (frame.file_path or "") and ".venv" not in (frame.file_path or "")
        if own and key not in stack:  # count recursive frames once
            seen[key] = seen.get(key, 0.0) + frame.time
            stack = stack | {key}
        for child in frame.children:
            walk(child, stack)

    if root:
        walk(root, frozenset())
    rows = sorted(seen.items(), key=lambda kv: -kv[1])[:top]
    return total, [(t / total if total else 0, t, f, f"{p}:{ln}") for (f, p, ln), t in rows]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks._profile")
    p.add_argument("--pupils", type=int, default=200_000)
    p.add_argument("--steps", nargs="+", choices=STEPS, default=["features", "screen"])
    p.add_argument("--n-boot", type=int, default=1000)
    p.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    a = p.parse_args(argv)
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("pyinstrument is not installed: pip install pyinstrument", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    import screening
    from screening import features

    repo = Path(__file__).resolve().parents[1]
    a.out.mkdir(parents=True, exist_ok=True)
    la = screening.datasets.make_local_authority(n_pupils=a.pupils, seed=0)
    d = list(la.census_dates)
    work = Path(tempfile.mkdtemp(prefix="profile_"))
    records = la.records
    for fmt in ("csv", "parquet"):
        if f"load_{fmt}" in a.steps:
            la.write(work / fmt, format=fmt)
    scr = None
    if set(a.steps) & {"screen", "explain", "save", "load"} - {"fit"}:
        scr = screening.Screener(n_boot=a.n_boot, random_state=0).fit(records, as_of=d[-3:-1])
    actions = {
        "load_csv": lambda: screening.load_records(work / "csv").validate(),
        "load_parquet": lambda: screening.load_records(work / "parquet").validate(),
        "features": lambda: features.build(records, as_of=d[-1]),
        "fit": lambda: screening.Screener(n_boot=a.n_boot, random_state=0).fit(
            records, as_of=d[-3:-1]),
        "screen": lambda: scr.screen(records, as_of=d[-1]),
        "explain": lambda: scr.model_.explain(
            features.build(records, as_of=d[-1])[scr.feature_names_]),
        "save": lambda: screening.save(scr, work / "model.skops"),
        "load": lambda: screening.load(work / "model.skops"),
    }
    for step in a.steps:
        prof = Profiler(interval=0.002)
        prof.start()
        actions[step]()
        session = prof.stop()
        text = prof.output_text(unicode=False, color=False, show_all=False)
        path = a.out / f"profile_{step}_{a.pupils}.txt"
        path.write_text(text)
        total, rows = _own_frames(session, repo)
        print(f"\n== {step} at {a.pupils:,} pupils: {total:.2f} s (tree in {path})")
        for share, t, fn, where in rows:
            print(f"  {100 * share:5.1f}%  {t:8.2f} s  {fn}  ({where})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
