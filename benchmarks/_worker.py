"""One benchmark job in its own process, results written to a JSON file as they come.

The driver (``python -m benchmarks``) runs each size in a fresh process so that peak
memory at one size is not inflated by the previous one, and so that a size that runs out
of time or memory leaves the others (and its own finished steps) intact.

Usage::

    python -m benchmarks._worker pipeline --pupils 20000 --json out.json --workdir DIR \
        [--n-boot 1000] [--peers] [--shap-rows 200] [--fairlearn-n 100000]
    python -m benchmarks._worker dask --pupils 20000 --json out.json [--n-jobs 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
import warnings

from ._steps import StepLog


def _guarded(log, name, fn, *args, **kwargs):
    """Run one section; record its result, or its error, and carry on."""
    try:
        log.section(name, fn(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - a benchmark records failures and carries on
        traceback.print_exc()
        log.error(name, exc)


def pipeline_job(args) -> int:
    from . import _peers
    from ._pipeline import run_pipeline

    log = StepLog(args.json, meta={"job": "pipeline", "pupils": args.pupils,
                                   "seed": args.seed, "n_boot": args.n_boot,
                                   "quick": args.quick})
    workdir = args.workdir or tempfile.mkdtemp(prefix="bench_")
    try:
        ctx = run_pipeline(log, args.pupils, seed=args.seed, n_boot=args.n_boot,
                           workdir=workdir, keep_generator=args.peers)
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc()
        log.error("pipeline", exc)
        return 1
    if args.peers:
        scr, X = ctx["screener"], ctx["X"]
        _guarded(log, "shap", _peers.compare_shap, scr.model_, X[scr.feature_names_],
                 n_shap_rows=args.shap_rows, n_background=20 if args.quick else 100)
        _guarded(log, "models", _peers.compare_models, ctx["la"], ctx["records"],
                 n_boot=min(args.n_boot, 200), quick=args.quick)
        _guarded(log, "fairlearn", _peers.compare_fairlearn, n=args.fairlearn_n,
                 n_boot=args.fairlearn_boot)
        if args.real_data:
            _guarded(log, "real_data", _peers.real_data)
    return 0


def dask_job(args) -> int:
    import screening

    from ._distributed import compare_backends

    log = StepLog(args.json, meta={"job": "dask", "pupils": args.pupils, "seed": args.seed})
    la = screening.datasets.make_local_authority(n_pupils=args.pupils, seed=args.seed)
    dates = list(la.census_dates)[:-1]
    _guarded(log, "dask", compare_backends, la.records, dates, n_jobs=args.n_jobs,
             n_boot=args.n_boot, min_train=max(1, len(dates) - args.folds),
             loky=not args.quick)
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks._worker")
    p.add_argument("job", choices=["pipeline", "dask"])
    p.add_argument("--pupils", type=int, required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--workdir")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n-boot", type=int, default=1000)
    p.add_argument("--peers", action="store_true")
    p.add_argument("--shap-rows", type=int, default=20)
    p.add_argument("--fairlearn-n", type=int, default=100_000)
    p.add_argument("--fairlearn-boot", type=int, default=1000)
    p.add_argument("--real-data", action="store_true")
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--folds", type=int, default=4,
                   help="test censuses of the dask backtest")
    p.add_argument("--quick", action="store_true",
                   help="smaller peers (smoke tests only; not for recorded results)")
    args = p.parse_args(argv)
    warnings.simplefilter("ignore")  # drift and data warnings are not what is measured here
    return pipeline_job(args) if args.job == "pipeline" else dask_job(args)


if __name__ == "__main__":
    sys.exit(main())
