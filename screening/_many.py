"""Many local authorities in one call: each loaded, screened (or its training rows built)
in its own joblib task, with one exact national audit.

Work goes through :class:`joblib.Parallel`, so ``joblib.parallel_config(backend="dask")``
on a ``dask.distributed`` cluster runs it unchanged. A task loads its local authority's
records itself (from a folder or a callable), so a worker holds one LA at a time and
memory is bounded by the largest LA, not the nation. Statistics stay in the engines:
the national audit is :func:`screening.audits.merge_audits` of the LAs' audits.
"""

from __future__ import annotations

import copyreg
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from screening import audits, features

from ._progress import progress
from ._typing import DateLike, Dates, PathLike

if TYPE_CHECKING:
    from ._screener import Screener

#: One LA's records: a folder in the input contract, or a callable returning Records.
Source: TypeAlias = "PathLike | Callable[[], features.Records]"
#: The local authorities: one source, a sequence of them, or a mapping of LA name to source.
Sources: TypeAlias = "Source | Sequence[Source] | Mapping[str, Source]"

_SOURCE_TYPE = (
    "Each source must be a folder of records (str or path) or a callable that returns one "
    "local authority's Records; {0!r} is a {1}. Wrap an in-memory Records as "
    "`lambda: records`, or write it with records.write(folder)."
)
_NOT_RECORDS = (
    "The source of local authority {0!r} returned a {1}, not Records. Its callable must "
    "return one LA's records, e.g. `lambda: screening.load_records(folder)`."
)
_DUPLICATE = (
    "Two sources are both named {0!r}. Pass a mapping {{name: source}} with one unique "
    "name per local authority."
)
_NO_SOURCES = "screen_many needs at least one source (a folder or callable); got none."
_ON_ERROR = "on_error must be 'raise' or 'report'; got {0!r}."
_KEEP = "keep must be 'results' or 'audits'; got {0!r}."
_ALL_FAILED = (
    "Every local authority failed, so there is no national audit: {0}. Fix the first "
    "failure and run again."
)


class LocalAuthorityError(RuntimeError):
    """One local authority failed in :func:`screen_many` or :func:`fit_many`.

    ``la`` names it; the original exception is chained (``__cause__``) and its text is
    part of the message.
    """

    def __init__(self, la: str, error: BaseException, action: str = "screen") -> None:
        self.la = la
        super().__init__(
            f"Local authority {la!r} failed to {action}: {type(error).__name__}: {error}. "
            f"Fix that LA's records, or pass on_error='report' to {action} the others "
            "and list the failures.")

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt without calling __init__ (whose arguments differ from ``args``), so
        # the error survives the trip back from a joblib or dask worker unchanged
        return (copyreg.__newobj__,  # type: ignore[attr-defined]  # not in typeshed
                (type(self), *self.args), self.__dict__)


def named_sources(sources: Sources) -> list[tuple[str, Source]]:
    """``(name, source)`` pairs: a mapping's keys, a folder's name, or ``la_<i>``."""
    if isinstance(sources, Mapping):
        items = [(str(k), v) for k, v in sources.items()]
    else:
        if isinstance(sources, (str, os.PathLike)) or callable(sources):
            sources = [sources]
        items = []
        for i, src in enumerate(sources):
            if isinstance(src, (str, os.PathLike)):
                items.append((Path(src).name or f"la_{i}", src))
            else:
                items.append((f"la_{i}", src))
    if not items:
        raise ValueError(_NO_SOURCES)
    seen = set()
    for name, src in items:
        if not isinstance(src, (str, os.PathLike)) and not callable(src):
            raise TypeError(_SOURCE_TYPE.format(src, type(src).__name__))
        if name in seen:
            raise ValueError(_DUPLICATE.format(name))
        seen.add(name)
    return items


def load_source(name, source):
    """One local authority's Records, loaded (inside the task that uses them)."""
    records = features.load_records(source) if isinstance(source, (str, os.PathLike)) \
        else source()
    if not isinstance(records, features.Records):
        raise TypeError(_NOT_RECORDS.format(name, type(records).__name__))
    return records


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far (MB); NaN where not available."""
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1024.0  # kilobytes on Linux
    except (ImportError, OSError):  # pragma: no cover - not on Linux
        return float("nan")


def _portable(err: Exception) -> Exception:
    """``err`` if it survives pickling (to come back from a worker), else a RuntimeError
    with its type, message and traceback."""
    import pickle
    import traceback

    try:
        pickle.loads(pickle.dumps(err))
        return err
    except Exception:  # noqa: BLE001 - any failure to round-trip
        text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        return RuntimeError(f"{type(err).__name__}: {err}\n{text}")


def _screen_one(screener, name, source, as_of, keep, allow_after_data_end):
    """One task: load, screen, and return the result (or the error, with the LA name)."""
    start = time.perf_counter()
    try:
        records = load_source(name, source)
        result = screener.screen(records, as_of=as_of,
                                 allow_after_data_end=allow_after_data_end)
        del records
    except Exception as err:  # noqa: BLE001 - reported with the LA's name
        return name, None, _portable(err), {}
    info = {"la": name, "n_pupils": len(result.scores),
            "n_flagged": int(result.scores["flagged"].sum()),
            "seconds": time.perf_counter() - start, "worker_pid": os.getpid(),
            "worker_peak_rss_mb": _peak_rss_mb()}
    if keep == "audits":
        return name, result.audit, None, info
    return name, result, None, info


def run_tasks(func, items, args, *, n_jobs, desc):
    """``func(*args_before, name, source, *args_after)`` for every source, via joblib,
    with a progress bar as tasks finish. Returns the outputs in source order."""
    from joblib import Parallel, delayed

    head, tail = args
    tasks = (delayed(func)(*head, name, src, *tail) for name, src in items)
    if n_jobs in (None, 1):
        outs = (func(*head, name, src, *tail) for name, src in items)
    else:
        outs = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks)
    got = {}
    for out in progress(outs, desc=desc, unit="LA", total=len(items)):
        got[out[0]] = out
    return [got[name] for name, _ in items]


@dataclass(frozen=True, repr=False)
class NationalResult:
    """Screens of many local authorities and their one national audit.

    Attributes
    ----------
    results : dict
        Each LA's :class:`ScreeningResult` by name (with ``keep="audits"``, its
        :class:`~screening.audits.AuditReport` only).
    audit : screening.audits.AuditReport
        The national audit, merged exactly from the LAs' audits
        (:func:`screening.audits.merge_audits`), with the ``breakdowns`` asked for.
    summary : pandas.DataFrame
        One row per LA: ``la, n_pupils, n_flagged, seconds, worker_pid,
        worker_peak_rss_mb`` (the peak memory of the process that ran it, so far).
    failures : pandas.DataFrame
        With ``on_error="report"``: ``la, error, message`` of each LA that failed
        (those LAs are not in the audit); empty otherwise.
    """

    results: dict
    audit: object
    summary: pd.DataFrame
    failures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["la", "error", "message"]))

    @property
    def scores(self) -> pd.DataFrame:
        """Every LA's scores, stacked, with an ``la`` column first."""
        frames = []
        for name, res in self.results.items():
            if not hasattr(res, "scores"):
                raise AttributeError(
                    "This national run kept only the audits (keep='audits'); run with "
                    "keep='results' to keep every LA's scores.")
            frames.append(res.scores.assign(la=name))
        out = pd.concat(frames, ignore_index=True)
        return out[["la", *[c for c in out.columns if c != "la"]]]

    def __repr__(self) -> str:
        n = int(self.summary["n_pupils"].sum()) if len(self.summary) else 0
        fail = f", {len(self.failures)} failed" if len(self.failures) else ""
        return f"NationalResult({len(self.results)} local authorities, {n} pupils{fail})"


def _check_options(on_error, keep=None):
    if on_error not in ("raise", "report"):
        raise ValueError(_ON_ERROR.format(on_error))
    if keep is not None and keep not in ("results", "audits"):
        raise ValueError(_KEEP.format(keep))


def _failures(outs, on_error, action):
    bad = [(name, err) for name, _, err, _ in outs if err is not None]
    if bad and on_error == "raise":
        name, err = bad[0]
        raise LocalAuthorityError(name, err, action) from err
    return pd.DataFrame({"la": [n for n, _ in bad],
                         "error": [type(e).__name__ for _, e in bad],
                         "message": [str(e) for _, e in bad]},
                        columns=["la", "error", "message"])


def screen_many(screener: Screener, sources: Sources, *, as_of: DateLike,
                n_jobs: int | None = None, on_error: Literal["raise", "report"] = "raise",
                keep: Literal["results", "audits"] = "results",
                breakdowns: Sequence[str] = ("year_group",),
                allow_after_data_end: bool = False) -> NationalResult:
    """Screen many local authorities with one fitted Screener, and audit the nation.

    Parameters
    ----------
    screener : Screener
        A fitted screener (e.g. :func:`fit_many` on pooled history, or
        :func:`screening.load` of a saved one).
    sources : sequence or mapping of folders or callables
        One per local authority: a folder of records in the input contract (loaded
        with :func:`screening.load_records`), or a callable with no arguments that
        returns one LA's :class:`~screening.Records`. Each is loaded inside its own
        task. A mapping's keys name the LAs; otherwise a folder's name, or ``la_<i>``.
    as_of : date-like
        Today's census date, the same for every LA.
    n_jobs : int, optional
        Tasks run through :class:`joblib.Parallel`: ``-1`` uses every core (the
        default loky backend), and inside ``joblib.parallel_config(backend="dask")``
        they run on the dask cluster. ``None`` or 1: one after another, here.
    on_error : {"raise", "report"}, default="raise"
        ``"raise"``: the first LA that fails raises :class:`LocalAuthorityError`
        naming it (the original error chained). ``"report"``: the other LAs are
        screened and audited, and ``failures`` lists those that failed.
    keep : {"results", "audits"}, default="results"
        ``"audits"`` keeps only each LA's audit (no pupil rows come back from the
        workers), for national runs that need only the audit.
    breakdowns : sequence of str, default=("year_group",)
        Breakdowns of the national audit, among ``"la"`` (one row per local authority
        and group), ``"year_group"`` and ``"school"`` (schools labelled
        ``"<la>/<school>"``; tens of thousands nationally, and each LA's own audit
        already has them).
    allow_after_data_end : bool, default=False
        Passed to :meth:`Screener.screen`.

    Returns
    -------
    NationalResult
        ``results`` per LA, ``scores`` of every pupil with an ``la`` column, the
        merged national ``audit``, a ``summary`` per LA and any ``failures``.

    See Also
    --------
    fit_many : fit on the pooled training rows of many local authorities.
    screening.audits.merge_audits : the exact merge behind ``audit``.

    Examples
    --------
    >>> import screening
    >>> from screening.datasets import make_local_authority
    >>> las = {f"LA{s}": make_local_authority(n_pupils=2_000, seed=s) for s in (1, 2)}
    >>> d = las["LA1"].census_dates
    >>> scr = screening.Screener(n_boot=0).fit(las["LA1"].records, as_of=d[-3:-1])
    >>> national = screening.screen_many(
    ...     scr, {name: (lambda la=la: la.records) for name, la in las.items()}, as_of=d[-1])
    >>> national.scores.groupby("la").size().to_dict() == {
    ...     name: len(r.scores) for name, r in national.results.items()}
    True
    >>> national.audit.params["merged_from"]
    ['LA1', 'LA2']
    """
    check_is_fitted(screener)
    _check_options(on_error, keep)
    items = named_sources(sources)
    outs = run_tasks(_screen_one, items, ((screener,), (as_of, keep, allow_after_data_end)),
                     n_jobs=n_jobs, desc="Screening local authorities")
    failures = _failures(outs, on_error, "screen")
    good = [(name, res, info) for name, res, err, info in outs if err is None]
    if not good:
        raise ValueError(_ALL_FAILED.format("; ".join(
            f"{r.la}: {r.error}: {r.message}" for r in failures.itertuples())))
    reports = {name: (res if keep == "audits" else res.audit) for name, res, _ in good}
    wanted = [breakdowns] if isinstance(breakdowns, str) else list(breakdowns)
    national = audits.merge_audits(
        reports, local=["school"] if "school" in wanted else [],
        controls=[c for c in wanted if c != "la"], by="la" if "la" in wanted else None)
    summary = pd.DataFrame([info for _, _, info in good])
    return NationalResult(results={name: res for name, res, _ in good}, audit=national,
                          summary=summary, failures=failures)


def _rows_one(screener, name, source, dates, names, kinds):
    """One task: load one LA and build its training rows at each census date."""
    start = time.perf_counter()
    try:
        records = load_source(name, source)
        for d in dates:
            features.check_outcome_window(records, d, screener.horizon_months,
                                          action="fit")
        rows = []
        for d in dates:
            X = screener._features(records, d, kinds)
            y = screener._label(records, d).reindex(X.index).astype(int)
            rows.append((X[names], y))
        del records
    except Exception as err:  # noqa: BLE001 - reported with the LA's name
        return name, None, _portable(err), {}
    info = {"la": name, "n_rows": sum(len(y) for _, y in rows),
            "seconds": time.perf_counter() - start, "worker_pid": os.getpid(),
            "worker_peak_rss_mb": _peak_rss_mb()}
    return name, rows, None, info


def fit_many(screener: Screener, sources: Sources, *, as_of: Dates, n_jobs: int | None = None,
             on_error: Literal["raise", "report"] = "raise") -> Screener:
    """Fit a Screener on the pooled training rows of many local authorities.

    Each LA is loaded and its training features and outcomes built inside its own
    joblib task (so only one LA's records are in a worker at a time); the stacked
    rows are then fitted in this process, as :meth:`Screener.fit` fits one LA's. Rows
    are stacked census by census, and within a census in UPN order (so the order of
    ``sources`` does not matter).

    The fitted model equals ``screener.fit`` on all the LAs' records combined in
    memory (when they fit, and with the pupils table in UPN order), with one
    exception: the school's suspension rate is shrunk towards its own LA's rate, as
    it is when each LA is screened, not towards the pooled rate. Each pupil's
    features are those their LA's screen will see.

    Parameters
    ----------
    screener : Screener
        Fitted in place (like :meth:`Screener.fit`) and returned.
    sources : sequence or mapping of folders or callables
        As for :func:`screen_many`.
    as_of : date-like or list of date-like
        Training census dates, the same for every LA; each LA must have their whole
        outcome windows in its records.
    n_jobs : int, optional
        As for :func:`screen_many` (joblib; dask under ``parallel_config``).
    on_error : {"raise", "report"}, default="raise"
        ``"report"`` fits on the LAs that could be loaded; their names are in
        ``screener.training_["local_authorities"]`` and the failures in
        ``screener.training_["failed"]``.

    Returns
    -------
    screener : Screener
        Fitted; ``training_["local_authorities"]`` lists the LAs it was fitted on.

    Examples
    --------
    >>> import screening
    >>> from screening.datasets import make_local_authority
    >>> las = [make_local_authority(n_pupils=2_000, seed=s, la_code=200 + s) for s in (1, 2)]
    >>> d = las[0].census_dates
    >>> scr = screening.fit_many(screening.Screener(n_boot=0),
    ...                          [lambda la=la: la.records for la in las], as_of=d[-3:-1])
    >>> scr.training_["local_authorities"]
    ['la_0', 'la_1']
    """
    from ._dates import census_dates

    screener._check_params()
    _check_options(on_error)
    dates = census_dates(as_of)
    if not dates:
        raise features.CensusError("fit_many needs at least one census date in as_of; "
                                   "got none.")
    kinds = screener._training_kinds()
    names = screener._training_names(kinds)
    items = named_sources(sources)
    outs = run_tasks(_rows_one, items, ((screener,), (dates, names, kinds)), n_jobs=n_jobs,
                     desc="Building training rows")
    failures = _failures(outs, on_error, "fit")
    good = [(name, rows) for name, rows, err, _ in outs if err is None]
    if not good:
        raise ValueError(_ALL_FAILED.format("; ".join(
            f"{r.la}: {r.error}: {r.message}" for r in failures.itertuples())))
    # stacked census by census; within a census, pupils in UPN order, whatever the
    # order of the sources (the model's calibration folds follow row order)
    Xs, ys = [], []
    for i in range(len(dates)):
        Xd = pd.concat([rows[i][0] for _, rows in good])
        yd = pd.concat([rows[i][1] for _, rows in good])
        order = np.argsort(Xd.index.to_numpy().astype(str), kind="stable")
        Xs.append(Xd.iloc[order])
        ys.append(yd.iloc[order])
    upns = np.concatenate([x.index.to_numpy().astype(str) for x in Xs])
    X = pd.concat(Xs, ignore_index=True)
    y = pd.concat(ys, ignore_index=True).astype(int)
    del Xs, ys, good
    screener._fit_rows(X, y, dates, names, kinds, groups=upns)
    screener.training_["local_authorities"] = [n for n, _, err, _ in outs if err is None]
    if len(failures):
        screener.training_["failed"] = failures.to_dict(orient="records")
    return screener
