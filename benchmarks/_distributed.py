"""Scaling past one machine: the same joblib code on loky (this machine) and on dask.

``Screener.backtest(n_jobs=...)`` runs its folds through ``joblib.Parallel``. Wrapped in
``joblib.parallel_config(backend="dask")`` the same call sends the folds to a
``dask.distributed`` cluster: here a real ``LocalCluster`` of worker processes, in
production a cluster spanning machines (``Client("scheduler-address:8786")``).
"""

from __future__ import annotations

import time

import numpy as np


def dask_version():
    """Installed dask.distributed version, or None when the optional extra is missing."""
    try:
        import distributed
    except ImportError:
        return None
    return distributed.__version__


def compare_backends(records, dates, *, n_jobs=2, n_boot=100, min_train=2,
                     loky=True) -> dict:
    """Time one rolling backtest sequentially, with loky and with a dask LocalCluster.

    Parameters
    ----------
    records : Records
    dates : list of Timestamp
        Census dates with complete outcome windows.
    n_jobs : int
        Workers for loky and for the dask cluster.
    loky : bool
        Also time the loky backend (skipped in smoke tests: starting its workers is slow).

    Returns
    -------
    dict
        Seconds per backend, cluster start-up time, folds, whether every backend gave the
        same metrics; or ``{"skipped": reason}`` when dask is not installed.
    """
    import joblib

    import screening

    version = dask_version()
    if version is None:
        return {"skipped": "dask.distributed is not installed (pip install "
                           "'pupil-risk-screening[dask]'); the dask comparison was not run."}
    import dask
    from dask.distributed import Client, LocalCluster

    def run(**kw):
        scr = screening.Screener(n_boot=n_boot, random_state=0)
        t = time.perf_counter()
        bt = scr.backtest(records, as_of=dates, min_train=min_train, **kw)
        return bt.metrics, time.perf_counter() - t

    out = {"dask": dask.__version__, "distributed": version, "joblib": joblib.__version__,
           "n_jobs": n_jobs, "censuses": [str(d.date()) for d in dates],
           "min_train": min_train}
    m_seq, out["sequential_seconds"] = run(n_jobs=1)
    out["folds"] = int(len(m_seq))
    m_loky = None
    if loky:
        with joblib.parallel_config(backend="loky"):
            m_loky, out["loky_seconds"] = run(n_jobs=n_jobs)
    t = time.perf_counter()
    cluster = LocalCluster(n_workers=n_jobs, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    out["cluster_start_seconds"] = time.perf_counter() - t
    try:
        with joblib.parallel_config(backend="dask"):
            m_dask, out["dask_seconds"] = run(n_jobs=n_jobs)
        out["dask_workers"] = len(client.scheduler_info()["workers"])
        out["dask_tasks_seen"] = _tasks_run(client)
    finally:
        client.close()
        cluster.close()

    def same(a, b):
        cols = [c for c in ("auc", "average_precision", "precision_at_capacity") if c in a]
        return bool(np.allclose(a[cols].to_numpy(float), b[cols].to_numpy(float),
                                equal_nan=True))

    out["same_metrics_loky"] = same(m_seq, m_loky) if m_loky is not None else None
    out["same_metrics_dask"] = same(m_seq, m_dask)
    out["metrics"] = m_seq.reset_index().to_dict(orient="records")
    return out


def _tasks_run(client):
    """Number of tasks the dask workers ran (proof that the work went to the cluster)."""
    try:
        counts = client.run(lambda dask_worker: len(dask_worker.state.log))
        return int(sum(counts.values()))
    except Exception:  # noqa: BLE001 - a diagnostic only
        return None
