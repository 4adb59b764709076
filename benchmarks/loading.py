"""Loading at the speed of the disk: ``load_records`` + ``validate`` against a bare pyarrow read.

Run ``python -m benchmarks.loading [--pupils 1000000] [--cache DIR] [--out FILE]``. The
synthetic LA is generated once and its CSV and Parquet folders are cached under ``--cache``
(generation and writing take minutes at 1M pupils). Everything compared is measured in the
same process, one after the other, so the ratios hold even when the machine is busy (the
1-minute load average is recorded before and after each step):

* ``bare_parquet`` / ``bare_csv``: pyarrow reads every table file of the folder into an
  Arrow table (``pyarrow.parquet.read_table``, ``pyarrow.csv.read_csv``), nothing more;
* ``load_parquet`` / ``load_csv``: ``load_records(folder).validate()``, timed with the peak
  resident memory over the step and the size of the normalised tables it produces
  (``memory_usage(deep=True)``), so the loading overhead is peak increase / typed size;
* ``profile``: where the time of ``load_parquet`` goes, per table and per check (the
  library's parsers and checks wrapped with timers for one more run);
* ``typed_marks``: validating 10M typed register marks (a DataFrame, no file);
* ``end_to_end``: load + validate from Parquet, then ``Screener.screen`` (features,
  scores, reasons, audit) with a screener fitted on a 100,000-pupil LA of the same
  generator (fitting is not part of a screening day).
Each timed step is the best of ``--repeat`` runs (default 1); the bare reads are the best
of at least ``--bare-repeat`` runs (default 3), as their first run also starts pyarrow.
With ``--results FILE`` (``benchmarks/RESULTS.md``) the run's table against the issue's
targets replaces the one between the ``<!-- loading:begin -->`` and
``<!-- loading:end -->`` markers of the file (appended to its last section, the loading
one, the first time).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from collections import defaultdict
from pathlib import Path

from ._memory import PeakMemory

GIB = 2**30


def _load_avg():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def ensure_data(n: int, cache: Path) -> dict:
    """CSV and Parquet folders of an ``n``-pupil synthetic LA (seed 0), cached."""
    import screening

    paths = {fmt: cache / f"la_{n}_{fmt}" for fmt in ("parquet", "csv")}
    if not all((p / "metadata.json").is_file() for p in paths.values()):
        la = screening.datasets.make_local_authority(n_pupils=n, seed=0)
        for fmt, p in paths.items():
            la.write(p, format=fmt)
        del la
        gc.collect()
    return paths


def _files(folder: Path, ext: str):
    return sorted(p for p in folder.iterdir() if p.suffix == f".{ext}")


def bare_read(folder: Path, fmt: str) -> int:
    """Read every table file with pyarrow alone; return the rows read."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    rows = 0
    for p in _files(folder, fmt):
        t = pq.read_table(p) if fmt == "parquet" else pcsv.read_csv(p)
        rows += t.num_rows
        del t
    return rows


def typed_bytes(rec) -> int:
    return int(sum(df.memory_usage(deep=True, index=True).sum()
                   for df in rec.tables().values()))


def timed(fn, repeat=1):
    """Best wall time of ``repeat`` runs of ``fn`` with the peak RSS of the best run."""
    best = None
    for _ in range(repeat):
        gc.collect()
        before = _load_avg()
        with PeakMemory() as mem:
            t = time.perf_counter()
            value = fn()
            seconds = time.perf_counter() - t
        row = {"seconds": seconds, "peak_gib": mem.peak / GIB,
               "increase_gib": mem.increase / GIB, "start_gib": mem.start / GIB,
               "load_before": before, "load_after": _load_avg()}
        if best is None or seconds < best[0]["seconds"]:
            best = (row, value)
    return best


#: The library's readers, parsers and checks timed by :func:`profile_load`.
_PROFILED = {"_read", "parse_table", "date_column", "text_column", "coded", "numbers",
             "booleans", "optional_text", "duplicates", "unknown_pupils",
             "plausibility_warnings", "aggregate_marks", "screen_cells", "_pupils",
             "_enrolments", "_attendance", "_marks", "_suspensions", "_sen"}


def profile_load(folder: Path) -> dict:
    """Seconds spent in each reader, parser and check of one ``load_records().validate()``.

    A profile hook (``sys.setprofile``) times every call of the functions named in
    ``_PROFILED`` inside the installed ``screening.features`` package, keyed by the table
    and column it was called for (read from the call's own arguments), so nothing private
    is imported or patched.
    """
    import sys

    import screening.features as features
    from screening.features import load_records

    root = str(Path(features.__file__).parent)
    spent: dict = defaultdict(float)
    started: dict = {}

    def key(frame):
        f = frame.f_locals
        code = frame.f_code.co_name
        if code == "_read":
            return f"read {Path(f.get('path', '?')).name}"
        table = f.get("table", f.get("name", "all"))
        col = f.get("col")
        return f"{table}: {code}" + (f"({col})" if col is not None else "")

    def hook(frame, event, arg):
        code = frame.f_code
        if code.co_name not in _PROFILED or not code.co_filename.startswith(root):
            return
        if event == "call":
            started[id(frame)] = time.perf_counter()
        elif event == "return" and id(frame) in started:
            spent[key(frame)] += time.perf_counter() - started.pop(id(frame))

    sys.setprofile(hook)
    try:
        t = time.perf_counter()
        load_records(folder).validate()
        total = time.perf_counter() - t
    finally:
        sys.setprofile(None)
    rows = sorted(spent.items(), key=lambda kv: -kv[1])
    return {"total_seconds": total, "parts": [{"where": k, "seconds": v} for k, v in rows]}


def typed_marks(n_rows: int = 10_000_000):
    """Validate ``n_rows`` typed register marks (dictionary codes, datetime64 dates)."""
    import numpy as np
    import pandas as pd
    from screening.features import Records

    n_pupils = n_rows // 380
    upns = pd.Series([f"P{i:07d}" for i in range(n_pupils)], dtype="category")
    days = pd.bdate_range("2023-09-04", periods=190).to_numpy()
    rng = np.random.default_rng(0)
    idx = np.arange(n_pupils * 380)
    codes = np.array(["/", "\\", "L", "I", "M", "N", "O", "U"])
    marks = pd.DataFrame({
        "upn": upns.cat.categories.take(idx // 380),
        "date": days[(idx % 380) // 2],
        "session": np.where(idx % 2 == 0, "AM", "PM"),
        "code": codes[rng.choice(8, size=len(idx), p=[.46, .46, .02, .02, .01, .01, .01, .01])],
    })
    pupils = pd.DataFrame({"upn": upns.cat.categories, "date_of_birth": pd.Timestamp("2013-01-01"),
                           "sex": "F"})
    enrol = pd.DataFrame({"upn": upns.cat.categories, "school": "100001",
                          "entry_date": pd.Timestamp("2018-09-01")})
    rec = Records(pupils=pupils, enrolments=enrol, attendance_marks=marks,
                  suspensions=pd.DataFrame(columns=["upn", "start_date", "category"]),
                  extract_date="2024-08-31")
    row, _ = timed(rec.validate)
    row["rows"] = len(marks)
    row["seconds_per_10m"] = row["seconds"] * 10_000_000 / len(marks)
    return row


def end_to_end(parquet: Path, cache: Path) -> dict:
    """Load + validate from Parquet and screen the latest census with a fitted screener."""
    import screening

    model = cache / "screener_100k.skops"
    if not model.is_file():
        la = screening.datasets.make_local_authority(n_pupils=100_000, seed=0)
        scr = screening.Screener(random_state=0).fit(la.records, as_of=list(la.census_dates)[-3:-1])
        screening.save(scr, model)
        model.with_suffix(".json").write_text(json.dumps(
            {"census": str(list(la.census_dates)[-1].date())}))
        del la, scr
        gc.collect()
    scr = screening.load(model)
    census = json.loads(model.with_suffix(".json").read_text())["census"]
    parts = {}

    def run():
        t = time.perf_counter()
        rec = screening.load_records(parquet)
        rec.validate()
        parts["load_validate"] = time.perf_counter() - t
        t = time.perf_counter()
        res = scr.screen(rec, as_of=census)
        parts["screen"] = time.perf_counter() - t
        return len(res.scores)

    row, cohort = timed(run)
    row.update(parts=parts, cohort=cohort)
    return row


#: Issue 21's targets: (step, figure, at most).
TARGETS = (("load_parquet", "ratio_to_bare", 8.0), ("load_csv", "ratio_to_bare", 4.0),
           ("load_parquet", "increase_over_typed", 1.5), ("load_csv", "increase_over_typed", 1.5),
           ("end_to_end", "seconds", 15.0))
BEGIN, END = "<!-- loading:begin -->", "<!-- loading:end -->"
SECTION = "## Loading against a bare pyarrow read"


def results_table(out: dict) -> str:
    """Markdown table of one run's figures against the issue's targets."""
    st, m = out["steps"], out["machine"]
    lines = [f"{BEGIN}", f"Generated by `python -m benchmarks.loading` ({out['pupils']:,} pupils, "
             f"{m.get('date_utc')}, 1-minute load average "
             f"{m.get('load_average', [None])[0]:.2f} at the start, "
             f"{out.get('machine_after', {}).get('load_average', float('nan')):.2f} at the end):",
             "", "| step | seconds | peak GiB (increase) | load avg before/after |",
             "|---|---|---|---|"]
    for k, row in st.items():
        if "seconds" not in row:
            continue
        lines.append(f"| {k} | {row['seconds']:.2f} | {row.get('peak_gib', float('nan')):.2f} "
                     f"(+{row.get('increase_gib', float('nan')):.2f}) | "
                     f"{row.get('load_before')} / {row.get('load_after')} |")
    lines += ["", "| target | this run | met |", "|---|---|---|"]
    for step, fig, most in TARGETS:
        if step in st and fig in st[step]:
            v = st[step][fig]
            lines.append(f"| {step} {fig} <= {most:g} | {v:.2f} | {'yes' if v <= most else 'no'} |")
    if "end_to_end" in st:
        e = st["end_to_end"]
        lines.append(f"\nEnd to end: {e['parts']['load_validate']:.1f} s load + validate, "
                     f"{e['parts']['screen']:.1f} s `Screener.screen` ({e['cohort']:,} pupils "
                     f"screened), peak {e['peak_gib']:.2f} GiB.")
    lines.append(END)
    return "\n".join(lines)


def update_results(path: Path, table: str) -> None:
    """Put ``table`` between the markers of ``path``, or at the end of the loading section."""
    text = path.read_text()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + table + rest.split(END, 1)[1]
    else:
        at = text.find(SECTION)
        if at < 0 or "\n## " in text[at + len(SECTION):]:
            raise SystemExit(f"{path}: no '{SECTION}' section at the end of the file to put "
                             f"the table in; add the markers {BEGIN} and {END} where it goes")
        text = text.rstrip("\n") + "\n\n" + table + "\n"
    path.write_text(text)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pupils", type=int, default=1_000_000)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/benchmark_loading"))
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("loading.json"))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--bare-repeat", type=int, default=3,
                    help="runs of each bare pyarrow read, best kept (default 3)")
    ap.add_argument("--skip", nargs="*", default=[],
                    choices=["csv", "profile", "typed_marks", "end_to_end"])
    ap.add_argument("--results", type=Path, default=None,
                    help="RESULTS.md whose loading table to replace with this run's")
    a = ap.parse_args(argv)
    from screening.features import load_records

    from ._machine import machine_facts

    a.cache.mkdir(parents=True, exist_ok=True)
    paths = ensure_data(a.pupils, a.cache)
    out = {"pupils": a.pupils, "machine": machine_facts(), "steps": {}}

    def save():
        a.out.write_text(json.dumps(out, indent=1, default=str) + "\n")

    fmts = ["parquet"] + ([] if "csv" in a.skip else ["csv"])
    for fmt in fmts:
        # the bare read is cheap and its first run pays for starting pyarrow's readers and
        # thread pool (2.5 s against 0.5 s for Parquet at 1M pupils): best of several
        row, rows = timed(lambda fmt=fmt: bare_read(paths[fmt], fmt),
                          max(a.repeat, a.bare_repeat))
        out["steps"][f"bare_{fmt}"] = {**row, "rows": rows}
        holder = {}

        def load(fmt=fmt):
            rec = load_records(paths[fmt])
            rec.validate()
            holder["rec"] = rec

        row, _ = timed(load, a.repeat)
        row["typed_gib"] = typed_bytes(holder["rec"]) / GIB
        row["rows"] = {k: len(v) for k, v in holder["rec"].tables().items()}
        del holder["rec"]
        row["ratio_to_bare"] = row["seconds"] / out["steps"][f"bare_{fmt}"]["seconds"]
        row["increase_over_typed"] = row["increase_gib"] / row["typed_gib"]
        out["steps"][f"load_{fmt}"] = row
        save()
        print(fmt, {k: round(v, 2) for k, v in row.items() if isinstance(v, float)},
              flush=True)
    if "profile" not in a.skip:
        out["steps"]["profile_parquet"] = profile_load(paths["parquet"])
        save()
    if "typed_marks" not in a.skip:
        out["steps"]["typed_marks"] = typed_marks()
        save()
        print("typed marks", out["steps"]["typed_marks"], flush=True)
    if "end_to_end" not in a.skip:
        out["steps"]["end_to_end"] = end_to_end(paths["parquet"], a.cache)
        save()
        print("end to end", out["steps"]["end_to_end"], flush=True)
    out["machine_after"] = {"load_average": _load_avg()}
    save()
    if a.results is not None:
        update_results(a.results, results_table(out))
    return out


if __name__ == "__main__":
    main()
