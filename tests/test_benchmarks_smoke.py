"""Smoke test: the benchmark harness runs end to end at a tiny size.

Runs ``python -m benchmarks`` at 3,000 pupils with few bootstrap resamples and checks
that every step, every peer comparison and the report were produced, and that the
measured explanations agree with shap's. It never asserts a speed: timings belong in
``benchmarks/RESULTS.md``, not in tests.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

STEPS = ("generate", "write_csv", "write_parquet", "load_csv", "load_parquet", "features",
         "fit", "screen", "explain", "save", "load_model")


def test_peak_memory_sees_an_allocation():
    from benchmarks._memory import PeakMemory, mib

    with PeakMemory(interval=0.001) as mem:
        block = bytearray(64 * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])  # touch every page so it is resident
        del block
    assert mib(mem.increase) >= 48
    assert mem.peak >= mem.end


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    cmd = [sys.executable, "-m", "benchmarks", "--pupils", "3000", "--n-boot", "20",
           "--shap-rows", "2", "--fairlearn-n", "3000", "--fairlearn-boot", "2",
           "--dask-pupils", "3000", "--no-real-data", "--quick", "--timeout", "300",
           "--out", str(out)]
    # one OpenMP thread: on a busy shared machine, gradient boosting's spinning threads
    # can make a tiny fit 30x slower; the smoke test checks behaviour, not speed
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600,
                          env=env)
    return proc, out


def test_harness_runs_end_to_end(run):
    proc, out = run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((out / "results.json").read_text())
    res = results["runs"]["3000"]
    assert res["errors"] == []
    done = {s["step"]: s for s in res["steps"]}
    assert set(STEPS) <= set(done)
    for s in done.values():
        assert s["seconds"] > 0 and s["peak_mib"] > 0 and s["increase_mib"] >= 0
    assert done["screen"]["cohort"] > 0
    assert done["explain"]["additive_check"] is True
    assert done["load_model"]["same_predictions"] is True


def test_peers_agree_and_report_is_written(run):
    proc, out = run
    res = json.loads((out / "results.json").read_text())["runs"]["3000"]
    sec = res["sections"]
    assert sec["shap"]["max_abs_diff"] < 1e-8  # explain == shap up to centring
    assert sec["shap"]["linear_max_abs_diff"] < 1e-8
    models = {r["model"] for r in sec["models"]["table"]}
    assert models == {"RiskScorecard", "BoostedRiskModel", "LogisticRegression",
                      "oracle (true risk)"}
    text = (out / "RESULTS.md").read_text()
    for heading in ("## Machine and software", "## Targets", "## Time and peak memory",
                    "shap", "fairlearn", "dask"):
        assert heading in text
    assert "python -m benchmarks --pupils 3000" in text
    assert (out / "scaling.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_dask_backend_ran_the_backtest(run):
    pytest.importorskip("distributed")
    proc, out = run
    dk = json.loads((out / "results.json").read_text())["dask"]
    assert dk["dask_workers"] >= 1
    assert dk["same_metrics_dask"] is True  # same folds, same results on the cluster
