"""How long ``screening --help`` takes, and what importing the command costs.

Runs ``python -m screening --help`` several times in fresh processes and reports the
median and range of the wall time, and the cumulative import time of
``screening._cli`` from ``python -X importtime``. With ``--compare PYTHON`` the same is
measured, interleaved run by run, for another interpreter (for example a virtual
environment holding an older version), and the ratio is printed, so both numbers come
from the same minutes on the same machine.

Usage::

    python -m benchmarks.cli_startup --runs 15 [--compare /path/to/other/python]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time

#: Run outside any source tree, so ``-m screening`` finds each interpreter's own install.
_CWD = tempfile.gettempdir()


def _help_seconds(python: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([python, "-m", "screening", "--help"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=_CWD)
    return time.perf_counter() - t0


def _import_seconds(python: str) -> float:
    res = subprocess.run([python, "-X", "importtime", "-c", "import screening._cli"],
                         capture_output=True, text=True, check=True, cwd=_CWD)
    for line in res.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s+screening\._cli$", line)
        if m:
            return int(m.group(1)) / 1e6
    raise RuntimeError("screening._cli not found in the import-time report")


def _modules(python: str) -> list[str]:
    code = ("import sys, screening._cli; print(' '.join(m for m in ('pandas', 'sklearn', "
            "'skops', 'matplotlib', 'scipy', 'numpy') if m in sys.modules))")
    res = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True,
                         cwd=_CWD)
    return res.stdout.split()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--compare", metavar="PYTHON", help="another interpreter to time")
    args = parser.parse_args(argv)
    pythons = {"this": sys.executable}
    if args.compare:
        pythons["compare"] = args.compare
    helps = {k: [] for k in pythons}
    imports = {k: [] for k in pythons}
    for k, py in pythons.items():  # warm the file cache once
        _help_seconds(py)
    for _ in range(args.runs):
        for k, py in pythons.items():
            helps[k].append(_help_seconds(py))
            imports[k].append(_import_seconds(py))
    for k, py in pythons.items():
        h, i = helps[k], imports[k]
        print(f"{k:8s} {py}\n  --help wall: median {statistics.median(h):.3f} s "
              f"(min {min(h):.3f}, max {max(h):.3f}, {len(h)} runs)\n"
              f"  import screening._cli: median {statistics.median(i):.3f} s\n"
              f"  heavy modules imported with the command: {_modules(py) or 'none'}")
    if args.compare:
        ratio = statistics.median(helps["compare"]) / statistics.median(helps["this"])
        iratio = statistics.median(imports["compare"]) / statistics.median(imports["this"])
        print(f"ratio compare/this: --help wall {ratio:.1f}x, import {iratio:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
