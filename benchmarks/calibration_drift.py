"""Calibration-in-the-large on a later census across synthetic LAs (issue 13).

For each seed, a synthetic LA (``screening.datasets.make_local_authority(n_pupils, seed)``): a
default :class:`screening.Screener` is fitted on two complete censuses and evaluated on
the next; the measure is the mean predicted risk over the observed outcome rate on that
later census (target: within ±10%, 0.9 to 1.1). The result is merged into
``benchmarks/calibration_drift.json`` under ``--label`` (e.g. ``before`` / ``after``),
so the same script measures two commits. Run
``python benchmarks/calibration_drift.py --label after --seeds 7 11 13 21``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
import warnings
from pathlib import Path

OUT = Path(__file__).with_suffix(".json")


def one(seed: int, n_pupils: int) -> dict:
    """Fit on the two censuses before the last complete one, test on the last complete."""
    import screening

    la = screening.datasets.make_local_authority(n_pupils=n_pupils, seed=seed)
    complete = list(la.census_dates)[:-1]
    train, test = complete[-3:-1], complete[-1]
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scr = screening.Screener().fit(la.records, as_of=train)
        ev = scr.evaluate(la.records, as_of=test)
    s = ev.scores
    mean_risk, rate = float(s["risk"].mean()), float(s["outcome"].mean())
    return {"seed": seed, "n_pupils": n_pupils, "train": [str(d)[:10] for d in train],
            "test": str(test)[:10], "n_test": int(len(s)), "mean_risk": mean_risk,
            "observed_rate": rate, "ratio": mean_risk / rate,
            "seconds": time.perf_counter() - t0}


def main() -> None:
    """Measure every seed and merge the rows into the JSON under the label."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--seeds", type=int, nargs="+", default=[7, 11, 13, 21])
    ap.add_argument("--pupils", type=int, default=20_000)
    a = ap.parse_args()
    rows = []
    for seed in a.seeds:
        rows.append(one(seed, a.pupils))
        print(json.dumps(rows[-1]), flush=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    doc = json.loads(OUT.read_text()) if OUT.exists() else {}
    doc[a.label] = {"head": commit, "load_1min": os.getloadavg()[0], "rows": rows}
    OUT.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
