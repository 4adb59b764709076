"""How much faster ``n`` processes of plain CPU work run at once than one alone.

A dask cluster of ``n`` single-threaded workers cannot scale better than the machine
lets ``n`` independent processes scale. This measures that ceiling with work shaped
like a screening task (numpy sorts and uniques over a few million values, then a
Python loop), one thread per process, so a throughput ratio can be read against it:
on two virtual cores that share a physical core (or a busy host) two processes do not
run twice as fast as one. The work is compute-bound (numpy 2.4's ``unique`` hashes), so
it says whether the cores scale, not whether memory bandwidth does: work that streams
large columns (a screen) can scale less on the same machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

_WORK = """
import json, os, sys, time
os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = "1"
import numpy as np
start = float(sys.argv[1])
while time.time() < start:  # every process starts its work at the same moment
    time.sleep(0.001)
t = time.perf_counter()
rng = np.random.default_rng(0)
for _ in range(6):
    v = rng.integers(0, 2**40, 4_000_000)
    np.unique(np.sort(v))
x = 0
for i in range(3_000_000):
    x += i % 7
print(json.dumps(time.perf_counter() - t))
"""


def _run(n: int) -> list[float]:
    start = time.time() + 2.0  # time for every interpreter to start and import numpy
    procs = [subprocess.Popen([sys.executable, "-c", _WORK, repr(start)],
                              stdout=subprocess.PIPE, text=True) for _ in range(n)]
    return [json.loads(p.communicate()[0]) for p in procs]


def machine_ceiling(n: int = 2, repeat: int = 3) -> dict:
    """Speed-up of ``n`` simultaneous processes over one, best of ``repeat`` rounds.

    Returns ``{"alone_seconds", "together_seconds" (each process), "speedup",
    "ceiling"}`` where ``speedup = n * alone / slowest together`` and ``ceiling =
    speedup / n``: the highest throughput ratio (cluster against loop x workers)
    the machine allows before any dask overhead.

    Examples
    --------
    >>> c = machine_ceiling(1, repeat=1)  # doctest: +SKIP
    >>> 0.5 < c["ceiling"] <= 1.2  # doctest: +SKIP
    True
    """
    alone = min(_run(1)[0] for _ in range(repeat))
    together = min((_run(n) for _ in range(repeat)), key=max)
    speedup = n * alone / max(together)
    return {"processes": n, "alone_seconds": alone, "together_seconds": together,
            "speedup": speedup, "ceiling": speedup / n, "cpu_count": os.cpu_count(),
            "load_before": os.getloadavg()[0]}


if __name__ == "__main__":
    print(json.dumps(machine_ceiling(int(sys.argv[1]) if len(sys.argv) > 1 else 2)))
