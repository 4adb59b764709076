"""``python -m benchmarks --size small|large``: run every benchmark and write RESULTS.md.

Each size (and the dask comparison) runs in its own process; see ``_worker.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._machine import machine_facts
from ._report import scaling_chart, write_results

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

#: pupils per size, the size at which peers are compared, and worker settings
PRESETS = {
    "small": {"sizes": [20_000], "peer_size": 20_000, "n_boot": 1000, "shap_rows": 20,
              "fairlearn_n": 20_000, "fairlearn_boot": 1000, "dask_pupils": 20_000},
    "large": {"sizes": [20_000, 100_000, 200_000, 1_000_000], "peer_size": 200_000,
              "n_boot": 1000, "shap_rows": 20, "fairlearn_n": 100_000,
              "fairlearn_boot": 1000, "dask_pupils": 20_000},
}


def _run(cmd, *, timeout, label, log):
    """Run a worker in its own process group; kill the group if it runs out of time."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    print(f"[benchmarks] {label}: {' '.join(shlex.quote(c) for c in cmd[2:])}", flush=True)
    t = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout)
            note = None if rc == 0 else f"{label}: worker exited with status {rc} (see {log})"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            note = f"{label}: stopped after the {timeout:.0f} s time limit; finished steps kept"
    if note and proc.returncode in (-9, 137) and "time limit" not in note:
        note += " (killed: probably out of memory)"
    print(f"[benchmarks] {label}: done in {time.perf_counter() - t:.0f} s"
          + (f" - {note}" if note else ""), flush=True)
    return note


def _load(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time, memory, quality and peer comparisons; writes RESULTS.md and "
                    "scaling.png.")
    p.add_argument("--size", choices=sorted(PRESETS), default="small")
    p.add_argument("--pupils", type=int, nargs="+", help="override the sizes run")
    p.add_argument("--peer-pupils", type=int, help="size at which the peers are compared")
    p.add_argument("--n-boot", type=int, help="bootstrap resamples of the audit")
    p.add_argument("--shap-rows", type=int)
    p.add_argument("--fairlearn-n", type=int)
    p.add_argument("--fairlearn-boot", type=int)
    p.add_argument("--dask-pupils", type=int)
    p.add_argument("--no-dask", action="store_true", help="skip the dask comparison")
    p.add_argument("--no-real-data", action="store_true",
                   help="skip the real-data comparison (benchmarks/real_data.py)")
    p.add_argument("--quick", action="store_true",
                   help="smaller peers and a 2-fold dask backtest; for smoke tests only, "
                        "the results are not comparable with the recorded ones")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds allowed per worker (default: 3600 for large, none for small)")
    p.add_argument("--out", type=Path, default=HERE,
                   help="folder for RESULTS.md, scaling.png and results.json")
    a = p.parse_args(argv)

    cfg = dict(PRESETS[a.size])
    for key in ("n_boot", "shap_rows", "fairlearn_n", "fairlearn_boot", "dask_pupils"):
        if getattr(a, key) is not None:
            cfg[key] = getattr(a, key)
    sizes = sorted(a.pupils) if a.pupils else cfg["sizes"]
    peer_size = a.peer_pupils or (cfg["peer_size"] if cfg["peer_size"] in sizes
                                  else sizes[min(1, len(sizes) - 1)])
    timeout = a.timeout if a.timeout is not None else (3600 if a.size == "large" else None)
    command = "python -m benchmarks " + " ".join(shlex.quote(x) for x in
                                                 (sys.argv[1:] if argv is None else argv))
    a.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="benchmarks_"))
    py = [sys.executable, "-m", "benchmarks._worker"]
    notes, runs, peers, dask = [], {}, {}, None
    if peer_size not in sizes:
        sizes = sorted(sizes + [peer_size])

    # largest size last: it is the one most likely to hit a time or memory limit
    order = [n for n in sizes if n != max(sizes)]
    jobs = [("pipeline", n) for n in order]
    if not a.no_dask:
        jobs.append(("dask", cfg["dask_pupils"]))
    jobs.append(("pipeline", max(sizes)))
    commands = []
    for job, n in jobs:
        out = scratch / f"{job}_{n}.json"
        cmd = py + [job, "--pupils", str(n), "--json", str(out), "--n-boot",
                    str(cfg["n_boot"] if job == "pipeline" else min(cfg["n_boot"], 100)),
                    "--workdir", str(scratch / "work")]
        if a.quick:
            cmd += ["--quick"] + (["--folds", "2"] if job == "dask" else [])
        if job == "pipeline" and n == peer_size:
            cmd += ["--peers", "--shap-rows", str(cfg["shap_rows"]), "--fairlearn-n",
                    str(cfg["fairlearn_n"]), "--fairlearn-boot", str(cfg["fairlearn_boot"])]
            if not a.no_real_data:
                cmd += ["--real-data"]
        commands.append((job, n, out, cmd))

    loads = []

    def launch(item):
        job, n, _, cmd = item
        before = os.getloadavg()[0]
        t = time.time()
        note = _run(cmd, timeout=timeout, label=f"{job} at {n:,} pupils",
                    log=scratch / f"{job}_{n}.log")
        loads.append({"job": f"{job} at {n:,} pupils", "load_before": before,
                      "load_after": os.getloadavg()[0], "seconds": time.time() - t,
                      "started_utc": time.strftime("%H:%M", time.gmtime(t))})
        return note

    if a.quick:  # smoke tests: jobs side by side (timings are not for the record anyway)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(launch, commands))
    else:  # one job at a time, so that no job's timings are disturbed by another's
        outcomes = [launch(item) for item in commands]

    for (job, n, out, _), note in zip(commands, outcomes):
        if note:
            notes.append(note)
        res = _load(out)
        if res is None:
            notes.append(f"{job} at {n:,} pupils: no results were written")
            continue
        if job == "dask":
            dask = res["sections"].get("dask")
            if isinstance(dask, dict):
                dask["pupils"] = n
            for e in res.get("errors", []):
                notes.append(f"dask: {e['where']}: {e['error']}")
                dask = dask or {"skipped": f"failed: {e['error']}"}
            continue
        runs[n] = res
        if n == peer_size:
            peers = {k: v for k, v in res["sections"].items()
                     if not k.startswith("screen_breakdown")}

    facts = machine_facts(REPO)
    facts["jobs"] = loads
    (a.out / "results.json").write_text(json.dumps(
        {"command": command, "machine": facts, "runs": {str(k): v for k, v in runs.items()},
         "dask": dask, "notes": notes}, indent=1))
    tg = write_results(a.out / "RESULTS.md", runs=runs, peers=peers, peer_size=peer_size,
                       dask=dask, facts=facts, command=command, notes=notes)
    if runs:
        scaling_chart(a.out / "scaling.png", runs)
    print(f"[benchmarks] wrote {a.out / 'RESULTS.md'}")
    for t in tg:
        status = {True: "met", False: "MISSED", None: "not measured"}[t["met"]]
        print(f"  {status:>12}  {t['target']}: {t['shown']}")
    print(f"[benchmarks] worker logs in {scratch}")
    return 0 if runs else 1


if __name__ == "__main__":
    sys.exit(main())
