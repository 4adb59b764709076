"""National scale: about 150 synthetic LAs screened on a dask LocalCluster, one national audit.

Run from the repository root (not part of CI, nor of ``python -m benchmarks``)::

    python -m benchmarks.national --fraction 0.1 --workers 2

``--fraction 1`` is the full size: about 8 million pupils in 150 local authorities whose
sizes follow the spread of English LAs (a log-normal fitted to a few published points:
the Isles of Scilly and the City of London have a few hundred pupils, the median LA
about 45,000, the largest, Kent, about 240,000; the total about 8.2 million, as in the
DfE's *Schools, pupils and their characteristics*). A fraction scales every LA.

Each LA is generated (``screening.datasets.make_local_authority``) *inside its task*,
then screened by one Screener fitted beforehand with :func:`screening.fit_many` on
three LAs; the records never travel. Three runs:

1. the largest LA alone in a fresh process: the memory one LA needs;
2. ``screening.screen_many`` on a ``dask.distributed.LocalCluster`` of ``--workers``
   worker processes (one thread each) through ``joblib.parallel_config(backend="dask")``;
3. the same LAs one after another in one process (``n_jobs=None``).

It records wall time, pupils per second, each worker's peak resident memory, the
parent's, and the national audit, into ``benchmarks/national.json`` and the
"National scale" section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
N_LAS = 150
TOTAL = 8_200_000
#: (pupils, how many LAs): the smallest ones are fixed, the rest log-normal
TINY = (300, 2)


def la_sizes(fraction=1.0, n_las=N_LAS, total=TOTAL, seed=2024) -> np.ndarray:
    """Pupils per LA (largest first): log-normal spread like English LAs, scaled.

    >>> s = la_sizes(1.0)
    >>> len(s), round(s.sum(), -5), s.max() < 260_000, s.min() <= 300
    (150, 8200000.0, True, True)
    """
    rng = np.random.default_rng(seed)
    n_big = n_las - TINY[1]
    raw = np.exp(rng.normal(np.log(45_000), 0.62, n_big))
    raw = np.minimum(raw, 240_000)
    raw *= (total - TINY[0] * TINY[1]) / raw.sum()
    raw = np.minimum(raw, 240_000)
    raw *= (total - TINY[0] * TINY[1]) / raw.sum()
    sizes = np.concatenate([np.round(raw), np.full(TINY[1], TINY[0])])
    sizes = np.maximum(200, np.round(sizes * fraction)).astype(int)
    return np.sort(sizes)[::-1]


def synthetic_records(n_pupils, seed, la_code):
    """One synthetic LA's records (called inside the task that screens it)."""
    from screening.datasets import make_local_authority

    return make_local_authority(n_pupils=int(n_pupils), seed=int(seed),
                                la_code=int(la_code)).records


def sources(sizes):
    return {f"LA{301 + i}": partial(synthetic_records, n, 1000 + i, 301 + i)
            for i, n in enumerate(sizes)}


def census_dates():
    from screening.datasets import make_local_authority

    return make_local_authority(n_pupils=500, seed=0).census_dates


def alone(n_pupils, model_path, as_of):
    """Peak RSS (MiB) of a fresh process that generates and screens one LA."""
    code = (
        "import json, resource, sys, time, warnings\n"
        "warnings.simplefilter('ignore')\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "import screening\n"
        "from benchmarks.national import synthetic_records\n"
        f"scr = screening.load({str(model_path)!r})\n"
        "t = time.perf_counter()\n"
        f"rec = synthetic_records({int(n_pupils)}, 1000, 301)\n"
        f"res = scr.screen(rec, as_of={str(as_of.date())!r})\n"
        "print(json.dumps({'seconds': time.perf_counter() - t, 'cohort': len(res.scores),"
        " 'peak_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _workers_peak(summary):
    per = summary.groupby("worker_pid")["worker_peak_rss_mb"].max()
    return {str(k): float(v) for k, v in per.items()}


def _fit(workers, n_boot, dates, out_json):
    """The Screener fitted by ``fit_many`` on three mid-sized LAs, saved beside the JSON."""
    import screening

    t = time.perf_counter()
    train = {f"T{i}": partial(synthetic_records, 20_000, 50 + i, 250 + i) for i in range(3)}
    scr = screening.fit_many(screening.Screener(n_boot=n_boot), train, as_of=dates[-3:-1],
                             n_jobs=workers)
    fit = {"seconds": time.perf_counter() - t, "las": 3, "rows": scr.training_["n_pupils"]}
    model = Path(out_json).with_suffix(".skops")
    screening.save(scr, model)
    return scr, model, fit


def _on_cluster(scr, src, as_of, workers):
    """``screen_many`` on a LocalCluster of ``workers`` one-thread worker processes."""
    import joblib
    from dask.distributed import Client, LocalCluster

    import screening
    from benchmarks._memory import PeakMemory, mib

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, memory_limit=0) as cluster, \
            Client(cluster), joblib.parallel_config(backend="dask"), PeakMemory() as mem:
        t = time.perf_counter()
        national = screening.screen_many(scr, src, as_of=as_of, n_jobs=-1)
        wall = time.perf_counter() - t
    return national, wall, mib(mem.peak)


def _in_loop(scr, src, as_of):
    """The same LAs one after another in this process, with one BLAS thread: what each
    dask worker is (its nanny sets OMP/MKL/OPENBLAS_NUM_THREADS=1)."""
    from threadpoolctl import threadpool_limits

    import screening
    from benchmarks._memory import PeakMemory, mib

    with PeakMemory() as mem, threadpool_limits(limits=1):
        t = time.perf_counter()
        loop = screening.screen_many(scr, src, as_of=as_of, n_jobs=None)
        wall = time.perf_counter() - t
    return loop, wall, mib(mem.peak)


def scaling(fraction, workers, n_boot, out_json, every=1):
    """Where the cluster's throughput goes: the machine's ceiling, dask's own overhead
    (a one-worker cluster against the loop), and the per-task slowdown of running
    ``workers`` tasks at once."""
    import screening
    from benchmarks._ceiling import machine_ceiling
    from benchmarks._machine import machine_facts

    warnings.simplefilter("ignore")
    sizes = la_sizes(fraction)[::every]
    src = sources(sizes)
    dates = census_dates()
    as_of = dates[-1]
    f = {"machine": machine_facts(REPO), "fraction": fraction, "n_las": len(sizes),
         "pupils": int(sizes.sum()), "largest": int(sizes.max()), "workers": workers,
         "n_boot": n_boot, "every": every, "as_of": str(as_of.date()),
         "load_before": os.getloadavg()}
    scr, _, f["fit_many"] = _fit(workers, n_boot, dates, out_json)
    f["ceiling"] = machine_ceiling(workers)
    loop, wall, peak = _in_loop(scr, src, as_of)
    f["loop"] = {"wall_seconds": wall, "task_seconds": float(loop.summary["seconds"].sum()),
                 "peak_mib": peak}
    scores = loop.scores
    del loop
    for n in (1, workers):
        national, wall, peak = _on_cluster(scr, src, as_of, n)
        task = float(national.summary["seconds"].sum())
        f[f"cluster_{n}"] = {
            "workers": n, "wall_seconds": wall, "task_seconds": task, "parent_peak_mib": peak,
            "utilisation": task / (wall * n),
            "per_task_slowdown": task / f["loop"]["task_seconds"],
            "ratio": f["loop"]["wall_seconds"] / (wall * n),
            "same_scores": bool(national.scores.equals(scores))}
        del national
    f["load_after"] = os.getloadavg()
    f["package"] = screening.__version__
    Path(out_json).write_text(json.dumps(f, indent=1, default=str))
    return f


def scaling_markdown(f) -> str:
    c1, cn, ce, lo = f["cluster_1"], f[f"cluster_{f['workers']}"], f["ceiling"], f["loop"]
    w = f["workers"]
    every = f" (every {f['every']}th LA by size)" if f.get("every", 1) > 1 else ""
    return "\n".join([
        "## National scale: where the throughput goes (`benchmarks/national.py --scaling`)",
        "",
        f"Recorded by hand with `python -m benchmarks.national --scaling --fraction "
        f"{f['fraction']:g} --workers {w}` on {f['machine'].get('date_utc', '')} (commit "
        f"{f['machine'].get('git') or '?'}), 1-minute load average before / after "
        f"{f['load_before'][0]:.1f} / {f['load_after'][0]:.1f} on {os.cpu_count()} cores: "
        f"{f['n_las']} synthetic LAs{every} at {f['fraction']:g} of their national size, "
        f"{_n(f['pupils'])} pupils (largest {_n(f['largest'])}). Every run keeps every LA's "
        "result and gives the same scores.",
        "",
        "| run | wall s | sum of task s | workers busy | per-task time vs loop | "
        "throughput / (loop x workers) |",
        "|---|---|---|---|---|---|",
        f"| one process, one thread (the loop) | {lo['wall_seconds']:.1f} | "
        f"{lo['task_seconds']:.1f} | – | 1.00 | – |",
        f"| LocalCluster, 1 worker | {c1['wall_seconds']:.1f} | {c1['task_seconds']:.1f} | "
        f"{c1['utilisation']:.0%} | {c1['per_task_slowdown']:.2f} | **{c1['ratio']:.2f}** |",
        f"| LocalCluster, {w} workers | {cn['wall_seconds']:.1f} | {cn['task_seconds']:.1f} | "
        f"{cn['utilisation']:.0%} | {cn['per_task_slowdown']:.2f} | **{cn['ratio']:.2f}** |",
        f"| plain CPU work ({w} processes at once against one alone) | "
        f"{max(ce['together_seconds']):.2f} vs {ce['alone_seconds']:.2f} | – | – | "
        f"{max(ce['together_seconds']) / ce['alone_seconds']:.2f} | "
        f"**{ce['ceiling']:.2f}** (compute-bound work) |",
        "",
        f"Reading: with one worker (and a core free for the parent), dask costs "
        f"{1 - c1['ratio']:.0%} of the loop's throughput: each task runs "
        f"{c1['per_task_slowdown']:.2f}x as long in the worker as in the loop, and the "
        f"rest is the time between tasks. With {w} workers the workers are busy "
        f"{cn['utilisation']:.0%} of the time, but each task runs "
        f"{cn['per_task_slowdown']:.2f}x as long as in the loop, while {w} processes of "
        f"compute-bound work (numpy hashing, a Python loop) run "
        f"{max(ce['together_seconds']) / ce['alone_seconds']:.2f}x as long as one: the "
        "cores themselves scale, so the loss is what screening tasks share that the "
        "compute-bound work does not (memory bandwidth and cache: a screen streams "
        "hundreds of MB of columns) plus the parent receiving results on the same two "
        "cores.",
        ""])


def run(fraction, workers, n_boot, out_json, skip_loop=False, every=1):
    import screening
    from benchmarks._machine import machine_facts

    warnings.simplefilter("ignore")
    sizes = la_sizes(fraction)[::every]
    src = sources(sizes)
    dates = census_dates()
    as_of = dates[-1]
    facts = {"machine": machine_facts(REPO), "fraction": fraction, "n_las": len(sizes),
             "pupils": int(sizes.sum()), "largest": int(sizes.max()),
             "smallest": int(sizes.min()), "median": int(np.median(sizes)),
             "workers": workers, "n_boot": n_boot, "every": every, "as_of": str(as_of.date()),
             "load_before": os.getloadavg()}

    # fit once on pooled training rows of three mid-sized LAs (built in their tasks)
    scr, model, facts["fit_many"] = _fit(workers, n_boot, dates, out_json)
    facts["largest_alone"] = alone(sizes.max(), model, as_of)

    national, wall, parent_peak = _on_cluster(scr, src, as_of, workers)
    t = time.perf_counter()
    screening.audits.merge_audits({k: r.audit for k, r in national.results.items()},
                                  controls=["year_group"])
    merge_s = time.perf_counter() - t
    cohort = int(national.summary["n_pupils"].sum())
    facts["cluster"] = {
        "wall_seconds": wall, "merge_seconds": merge_s, "cohort_pupils": cohort,
        "pupils_per_second": facts["pupils"] / wall,
        "cohort_pupils_per_second": cohort / wall,
        "task_seconds": float(national.summary["seconds"].sum()),
        "worker_peak_mib": _workers_peak(national.summary),
        "parent_peak_mib": parent_peak,
    }
    a = national.audit
    cluster_frame = a.to_frame()
    cluster_scores = national.scores if not skip_loop else None
    facts["audit"] = {
        "n_rows": a.params["n_rows"], "merged_from": len(a.params["merged_from"]),
        "table": a.to_frame()[["attribute", "group", "n", "n_flagged", "flag_rate",
                               "flag_ratio", "flag_ratio_low", "flag_ratio_high",
                               "recent_base_ratio", "recent_amplification",
                               "suppressed"]].to_dict(orient="records"),
        "findings": list(a.findings[:4]),
        "recent": a.params.get("recent_label"),
    }
    del national
    if not skip_loop:
        loop, lwall, lpeak = _in_loop(scr, src, as_of)
        facts["loop"] = {"wall_seconds": lwall, "pupils_per_second": facts["pupils"] / lwall,
                         "peak_mib": lpeak,
                         "same_audit": bool(loop.audit.to_frame().equals(cluster_frame))}
        facts["throughput_ratio"] = (facts["cluster"]["pupils_per_second"]
                                     / (facts["loop"]["pupils_per_second"] * workers))
        facts["loop"]["same_scores"] = bool(loop.scores.equals(cluster_scores))
        del loop
    facts["load_after"] = os.getloadavg()
    Path(out_json).write_text(json.dumps(facts, indent=1, default=str))
    return facts


def _n(x, d=0):
    return f"{x:,.{d}f}"


def markdown(f) -> str:
    c = f["cluster"]
    lines = [
        "## National scale: many LAs on a dask LocalCluster (`benchmarks/national.py`)",
        "",
        f"Recorded by hand with `python -m benchmarks.national --fraction {f['fraction']:g} "
        f"--workers {f['workers']}` on {f['machine'].get('date_utc', '')} "
        f"(commit {f['machine'].get('git') or '?'}); not part of `python -m benchmarks`. "
        f"1-minute load average before / after: {f['load_before'][0]:.1f} / "
        f"{f['load_after'][0]:.1f} on {os.cpu_count()} cores ("
        + ("other work was running: read times as upper bounds)." if
           max(f['load_before'][0], f['load_after'][0]) > 1.5 else
           "the machine was otherwise idle).") + " Both runs keep every LA's result "
        "(scores, reasons and audit come back to the parent); the loop runs in one process "
        "with one thread (threadpoolctl), as each dask worker does (its nanny sets "
        "OMP/MKL/OPENBLAS_NUM_THREADS=1), so the ratio below measures scaling.",
        "",
    ]
    if f["fraction"] < 1 or f.get("every", 1) > 1:
        sub = (f"every {f['every']}th of the 150 LAs by size, " if f.get("every", 1) > 1
               else "")
        lines += [
            "**This is a small fraction of the national size, not the full 8 million**: "
            f"{sub}each at {f['fraction']:g} of its full size: {f['n_las']} synthetic LAs "
            f"with {_n(f['pupils'])} pupils in all (largest {_n(f['largest'])}, median "
            f"{_n(f['median'])}, smallest {_n(f['smallest'])}). The full size could not run "
            "in the time available on this shared 2-core machine.", ""]
    else:
        lines += [f"{f['n_las']} synthetic LAs, {_n(f['pupils'])} pupils in all (largest "
                  f"{_n(f['largest'])}, median {_n(f['median'])}).", ""]
    alone_ = f["largest_alone"]
    lines += [
        "Each LA is generated inside its task (records never travel), screened (Year 5-7 "
        f"cohort at {f['as_of']}, n_boot={f['n_boot']}) and audited; the national audit is "
        "`merge_audits` of the LAs' audits (breakdown by year group). The Screener was "
        f"fitted with `fit_many` on 3 LAs of 20,000 pupils ({_n(f['fit_many']['rows'])} "
        f"training rows, {f['fit_many']['seconds']:.1f} s).",
        "",
        "| run | wall s | pupils/s (all pupils) | cohort pupils/s | peak memory |",
        "|---|---|---|---|---|",
        f"| largest LA alone ({_n(f['largest'])} pupils), fresh process | "
        f"{alone_['seconds']:.1f} | {_n(f['largest'] / alone_['seconds'])} | "
        f"{_n(alone_['cohort'] / alone_['seconds'])} | {_n(alone_['peak_mib'])} MiB |",
        f"| `screen_many` on a LocalCluster of {f['workers']} worker processes | "
        f"{c['wall_seconds']:.1f} | {_n(c['pupils_per_second'])} | "
        f"{_n(c['cohort_pupils_per_second'])} | per worker: "
        + ", ".join(f"{_n(v)} MiB" for v in c["worker_peak_mib"].values())
        + f"; parent {_n(c['parent_peak_mib'])} MiB |",
    ]
    if "loop" in f:
        lo = f["loop"]
        lines.append(
            f"| the same LAs one after another in one process | {lo['wall_seconds']:.1f} | "
            f"{_n(lo['pupils_per_second'])} | {_n(c['cohort_pupils'] / lo['wall_seconds'])}"
            f" | {_n(lo['peak_mib'])} MiB |")
    lines += ["", f"Merging the {f['audit']['merged_from']} audits into the national one "
              f"(included above): {c['merge_seconds']:.1f} s for "
              f"{_n(f['audit']['n_rows'])} cohort pupils."]
    worst = max(c["worker_peak_mib"].values())
    lines += ["", "Targets:", "",
              f"- peak memory per worker ≤ largest LA's need + 1 GB: worst worker "
              f"{_n(worst)} MiB against {_n(alone_['peak_mib'])} + 1,024 MiB: "
              f"**{'met' if worst <= alone_['peak_mib'] + 1024 else 'not met'}**."]
    if "loop" in f:
        r = f["throughput_ratio"]
        lines.append(
            f"- cluster throughput ≥ 0.9 × single-process loop × workers: {r:.2f} × "
            f"(loop × {f['workers']}): **{'met' if r >= 0.9 else 'not met'}**; the "
            f"loop's national audit equals the cluster's: {f['loop']['same_audit']}.")
    if f["fraction"] < 1 or f.get("every", 1) > 1:
        lines += ["", "Reading these numbers: at this size each LA has a few hundred to a few "
                  "thousand pupils, so the fixed cost of a task (generating an LA's six "
                  "years of history, its audit with linked suppression, adjusted ratios and "
                  "a recent cohort) dominates, and with the load average above 10 on 2 "
                  "cores the cluster's two workers competed with other work for the same "
                  "cores: the throughput ratio says nothing about a free machine. What the "
                  "run does show: every LA was generated and screened inside its task on "
                  "the dask workers, a worker's peak memory stayed at what one LA needs, "
                  "and the national audit from the cluster equals the one from the "
                  "single-process loop. The full-size run is `python -m "
                  "benchmarks.national --fraction 1` (about 8.2 million pupils; expect the "
                  "largest LA, 240,000 pupils, to need about 1.5 GB per worker, from the "
                  "1M-pupil row of the table above)."]
    if f["fraction"] >= 1 and f.get("every", 1) == 1 and "loop" in f:
        lo = f["loop"]
        lines += ["", "Reading these numbers: this is the national size, every synthetic LA "
                  "generated, screened and audited inside its own task; the parent holds "
                  "the LAs' results (every cohort pupil's score and reasons) and merges "
                  "their audits. The loop's national audit and stacked scores equal the "
                  f"cluster's: {lo['same_audit']} / {lo.get('same_scores')}. Tasks go out "
                  "largest LA first, so the last tasks to finish are the smallest."]
    lines += ["", "The national audit (flag ratios against each attribute's largest group; "
              "`recent_amplification`: flags against the outcomes of the latest complete "
              f"census, {f['audit']['recent']}):", "",
              "| attribute | group | n | flagged | flag ratio (95% interval) | "
              "recent amplification |", "|---|---|---|---|---|---|"]
    for r in f["audit"]["table"]:
        def fmt(v, d=2):
            return "–" if v is None or (isinstance(v, float) and np.isnan(v)) else \
                f"{v:.{d}f}"
        n = "c" if r["n"] is None or r["suppressed"] else _n(r["n"])
        nf = "c" if r["n_flagged"] is None or (isinstance(r["n_flagged"], float) and
                                                 np.isnan(r["n_flagged"])) else \
            _n(r["n_flagged"])
        lines.append(
            f"| {r['attribute']} | {r['group']} | {n} | {nf} | {fmt(r['flag_ratio'])} "
            f"({fmt(r['flag_ratio_low'])}-{fmt(r['flag_ratio_high'])}) | "
            f"{fmt(r['recent_amplification'])} |")
    lines += ["", "Findings (first lines):", ""] + [f"- {s}" for s in f["audit"]["findings"]]
    return "\n".join(lines) + "\n"


def write_section(text, path=HERE / "RESULTS.md"):
    """Replace (or append) the section of RESULTS.md whose heading ``text`` starts with."""
    heading = text.split("\n", 1)[0].split("(`", 1)[0].rstrip()
    body = path.read_text(encoding="utf-8")
    pat = re.compile(re.escape(heading) + r".*?(?=\n## |\Z)", re.S)
    body = pat.sub(lambda m: text.rstrip() + "\n", body) if pat.search(body) else \
        body.rstrip() + "\n\n" + text
    path.write_text(body, encoding="utf-8")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fraction", type=float, default=0.1)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--n-boot", type=int, default=200)
    p.add_argument("--every", type=int, default=1,
                   help="screen every k-th LA of the 150 (by size), a subset with the spread")
    p.add_argument("--no-loop", action="store_true", help="skip the single-process loop")
    p.add_argument("--out", default=str(HERE / "national.json"))
    p.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    p.add_argument("--scaling", action="store_true",
                   help="instead: the machine's ceiling, a 1-worker and a --workers cluster "
                        "against the loop (to national_scaling.json and its own section)")
    a = p.parse_args(argv)
    if a.scaling:
        out = a.out if a.out != str(HERE / "national.json") else str(
            HERE / "national_scaling.json")
        text = scaling_markdown(scaling(a.fraction, a.workers, a.n_boot, out, a.every))
        print(text)
        if not a.no_write:
            write_section(text)
        return
    facts = run(a.fraction, a.workers, a.n_boot, a.out, skip_loop=a.no_loop, every=a.every)
    text = markdown(facts)
    print(text)
    if not a.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
