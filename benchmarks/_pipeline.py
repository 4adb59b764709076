"""The timed pipeline at one size: generate, write, load, features, fit, screen, explain, save.

Every step is timed with its peak memory through :class:`benchmarks._steps.StepLog`. The
census dates used: fit on the two latest complete censuses, screen the latest census (whose
outcome window is still open, as on a real screening day).
"""

from __future__ import annotations

import gc
import shutil
import time
from pathlib import Path

import numpy as np


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def run_pipeline(log, n_pupils: int, *, seed: int = 0, n_boot: int = 1000, workdir,
                 keep_files: bool = False, keep_generator: bool = False) -> dict:
    """Run and time every step of the screening pipeline on a synthetic LA of ``n_pupils``.

    Parameters
    ----------
    log : StepLog
        Receives one row per step.
    n_pupils : int
    seed : int
    n_boot : int
        Bootstrap resamples of the audit produced with the screen.
    workdir : path-like
        Scratch folder for the written tables and the saved model.
    keep_files : bool
        Keep the written tables (they are deleted at the end otherwise).
    keep_generator : bool
        Keep the synthetic LA object (its own copy of the records) in memory for later
        sections; otherwise it is dropped after writing, so the memory measured from
        loading on is what a user who loads the files would see.

    Returns
    -------
    dict
        The objects later sections reuse: ``la``, ``records``, ``screener``, ``X``
        (features of the screened cohort) and the census dates used.
    """
    import screening
    from screening import features

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    n = int(n_pupils)

    with log.step("generate", pupils=n) as extra:
        la = screening.datasets.make_local_authority(n_pupils=n, seed=seed)
        la.records.validate()
        extra["rows"] = {k: int(len(v)) for k, v in la.records.tables().items()}
    dates = list(la.census_dates)
    screen_date = dates[-1]
    fit_dates = dates[-3:-1]

    paths = {}
    for fmt in ("csv", "parquet"):
        folder = workdir / f"la_{n}_{fmt}"
        if folder.exists():
            shutil.rmtree(folder)
        with log.step(f"write_{fmt}", pupils=n) as extra:
            la.write(folder, format=fmt)
        log.steps[-1]["disk_mib"] = _folder_bytes(folder) / 2**20
        paths[fmt] = folder

    if not keep_generator:  # a user has only the loaded records, not the generator's copy
        del la
        gc.collect()
    with log.step("load_csv", pupils=n):
        rec = screening.load_records(paths["csv"])
        rec.validate()
    del rec
    gc.collect()
    with log.step("load_parquet", pupils=n):
        records = screening.load_records(paths["parquet"])
        records.validate()
    if not keep_files:
        for folder in paths.values():
            shutil.rmtree(folder, ignore_errors=True)

    with log.step("features", pupils=n, census=str(screen_date.date())) as extra:
        X = features.build(records, as_of=screen_date)
        extra["cohort"] = int(len(X))

    with log.step("fit", pupils=n, census=[str(d.date()) for d in fit_dates]) as extra:
        scr = screening.Screener(n_boot=n_boot, random_state=0).fit(records, as_of=fit_dates)
        extra["training_rows"] = int(scr.training_["n_pupils"])

    with log.step("screen", pupils=n, census=str(screen_date.date())) as extra:
        result = scr.screen(records, as_of=screen_date)
        cohort = int(len(result.scores))
        extra["cohort"] = cohort
        extra["flagged"] = int(result.scores["flagged"].sum())
    s = log.steps[-1]
    s["cohort_pupils_per_s"] = cohort / s["seconds"] if s["seconds"] > 0 else float("nan")
    log._flush()

    _screen_breakdown(log, scr, records, screen_date, n)

    Xm = X[scr.feature_names_]
    with log.step("explain", pupils=n) as extra:
        parts = scr.model_.explain(Xm)
        extra["rows"] = int(len(parts))
    s = log.steps[-1]
    s["rows_per_s"] = len(parts) / s["seconds"] if s["seconds"] > 0 else float("nan")
    log._flush()
    check = np.allclose(parts.sum(axis=1).to_numpy() + scr.model_.intercept_,
                        scr.model_.decision_function(Xm))
    log.steps[-1]["additive_check"] = bool(check)

    model_path = workdir / f"model_{n}.skops"
    with log.step("save", pupils=n):
        screening.save(scr, model_path)
    log.steps[-1]["file_kib"] = model_path.stat().st_size / 1024
    with log.step("load_model", pupils=n):
        scr2 = screening.load(model_path)
    same = np.array_equal(scr2.model_.predict_proba(Xm), scr.model_.predict_proba(Xm))
    log.steps[-1]["same_predictions"] = bool(same)
    log._flush()
    model_path.unlink(missing_ok=True)

    return {"la": la if keep_generator else None, "records": records, "screener": scr,
            "X": X, "dates": dates,
            "screen_date": screen_date, "fit_dates": fit_dates, "result": result}


def _screen_breakdown(log, scr, records, as_of, n):
    """Time the parts of ``screen`` separately (features, scores, reasons, audit).

    These call the same public pieces the Screener composes; their sum is close to, not
    exactly, the screen step (the Screener also checks drift and assembles the result).
    """
    from screening import audits, features

    parts = {}
    t = time.perf_counter()
    X = features.build(records, as_of=as_of)
    parts["features"] = time.perf_counter() - t
    Xm = X[scr.feature_names_]
    t = time.perf_counter()
    risk = scr.model_.predict_proba(Xm)[:, 1]
    parts["scores"] = time.perf_counter() - t
    t = time.perf_counter()
    scr.model_.reasons(Xm, k=3)
    parts["reasons"] = time.perf_counter() - t
    t = time.perf_counter()
    scr._drift(X)
    parts["drift_check"] = time.perf_counter() - t
    import pandas as pd
    scores = pd.DataFrame({"upn": X.index.to_numpy().astype(str), "school": X["school"].to_numpy(),
                           "year_group": X["year_group"].to_numpy(), "risk": risk,
                           "flagged": audits.flag_top(risk, tiebreak=X.index.to_numpy().astype(str),
                                                      **scr._flag_rule(None))})
    t = time.perf_counter()
    scr._audit(records, as_of, scores)
    parts["audit"] = time.perf_counter() - t
    log.section(f"screen_breakdown_{n}", parts)
