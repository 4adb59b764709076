"""screen_many / fit_many: many local authorities, each loaded in its own joblib task."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import screening
from screening import audits, features
from screening.datasets import make_local_authority

N = 2_000


@pytest.fixture(scope="module")
def las():
    return {f"LA{s}": make_local_authority(n_pupils=N, seed=s, la_code=200 + s)
            for s in (1, 2)}


@pytest.fixture(scope="module")
def dates(las):
    return las["LA1"].census_dates


@pytest.fixture(scope="module")
def scr(las, dates):
    return screening.Screener(n_boot=20).fit(las["LA1"].records, as_of=dates[-3:-1])


def _loader(la):
    return lambda: la.records


def _sources(las):
    return {name: _loader(la) for name, la in las.items()}


@pytest.fixture(scope="module")
def national(scr, las, dates):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return screening.screen_many(scr, _sources(las), as_of=dates[-1])


def test_each_la_as_if_screened_alone_and_audit_merged(national, scr, las, dates):
    assert list(national.results) == ["LA1", "LA2"]
    alone = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, la in las.items():
            alone[name] = scr.screen(la.records, as_of=dates[-1])
            assert_frame_equal(national.results[name].scores, alone[name].scores)
    scores = national.scores
    assert scores.columns[0] == "la"
    assert scores.groupby("la").size().to_dict() == {n: len(r.scores) for n, r in alone.items()}
    merged = audits.merge_audits({n: r.audit for n, r in alone.items()},
                                 controls=["year_group"])
    assert_frame_equal(national.audit.to_frame(), merged.to_frame())
    assert_frame_equal(national.audit.by_control, merged.by_control)
    n_sex = national.audit.to_frame().query("attribute == 'sex'")["n"].sum()
    assert n_sex == len(scores)  # every pupil of every LA is in the national audit
    assert national.summary["la"].tolist() == ["LA1", "LA2"]
    assert (national.summary["n_pupils"] == [len(alone["LA1"].scores),
                                             len(alone["LA2"].scores)]).all()


def test_folder_sources_and_la_breakdown(scr, las, dates, tmp_path, national):
    folders = [las[n].write(tmp_path / n) for n in ("LA1", "LA2")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = screening.screen_many(scr, folders, as_of=dates[-1], keep="audits",
                                    breakdowns=["la", "year_group"])
    assert list(got.results) == ["LA1", "LA2"]  # named by folder
    assert isinstance(got.results["LA1"], audits.AuditReport)
    # the same LAs' audits (folders load as the in-memory records do)
    same = audits.merge_audits(got.results, controls=["year_group"])
    assert_frame_equal(same.to_frame(), national.audit.to_frame())
    by_la = got.audit.breakdown("la")
    assert set(by_la["control_value"]) == {"LA1", "LA2"}
    with pytest.raises(AttributeError, match="keep='results'"):
        got.scores


def test_dask_local_cluster_runs_it_unchanged(scr, las, dates, national):
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_config

    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster), parallel_config(backend="dask"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = screening.screen_many(scr, _sources(las), as_of=dates[-1], n_jobs=2)
    assert_frame_equal(got.scores, national.scores)
    assert_frame_equal(got.audit.to_frame(), national.audit.to_frame())


def _broken():
    raise OSError("pupils.csv is unreadable")


def test_a_failing_la_is_named(scr, las, dates):
    sources = {"LA1": _loader(las["LA1"]), "Broken": _broken}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(screening.LocalAuthorityError, match="'Broken' failed to screen"
                           ) as err:
            screening.screen_many(scr, sources, as_of=dates[-1])
        assert err.value.la == "Broken"
        assert isinstance(err.value.__cause__, OSError)
        got = screening.screen_many(scr, sources, as_of=dates[-1], on_error="report")
    assert got.failures.to_dict(orient="records") == [
        {"la": "Broken", "error": "OSError", "message": "pupils.csv is unreadable"}]
    assert list(got.results) == ["LA1"]
    assert got.audit.params["merged_from"] == ["LA1"]


def test_bad_sources_refused(scr, dates):
    with pytest.raises(TypeError, match="folder of records"):
        screening.screen_many(scr, [42], as_of=dates[-1])
    with pytest.raises(ValueError, match="both named 'x'"):
        screening.screen_many(scr, ["a/x", "b/x"], as_of=dates[-1])
    with pytest.raises(screening.LocalAuthorityError, match="not Records"):
        screening.screen_many(scr, [lambda: "records"], as_of=dates[-1])


def _shift_schools(records, offset):
    """The same records with every school number moved by ``offset`` (unique URNs)."""
    tables = {}
    for name in ("pupils", "enrolments", "attendance", "suspensions", "sen", "allocations",
                 "episodes"):
        t = getattr(records, name)
        if t is not None and "school" in t.columns:
            t = t.assign(school=(t["school"].astype(int) + offset).astype(str))
        tables[name] = t
    return features.Records(**tables, source=records.source,
                            extract_date=records.extract_date)


def test_fit_many_equals_fit_on_pooled_records(las, dates):
    # the school's suspension rate is shrunk towards its LA's rate, so it is the one
    # feature that depends on which LA a pupil is screened in: without it, features are
    # pupil by pupil and the pooled fit must give the same card
    kw = dict(n_boot=0, exclude_features=("school_suspension_rate_12m",))
    one = las["LA1"].records
    two = _shift_schools(las["LA2"].records, 500_000)
    train = dates[-3:-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both = features.concat_records([one, two])
        pooled = features.Records(  # pupils in UPN order, as fit_many stacks them
            pupils=both.pupils.sort_values("upn", kind="stable"), enrolments=both.enrolments,
            attendance=both.attendance, suspensions=both.suspensions, sen=both.sen,
            allocations=both.allocations, episodes=both.episodes,
            extract_date=both.extract_date)
        ref = screening.Screener(**kw).fit(pooled, as_of=train)
        many = screening.fit_many(screening.Screener(**kw),
                                  {"LA2": lambda: two, "LA1": lambda: one}, as_of=train,
                                  n_jobs=2)
    assert_frame_equal(many.model_.scorecard_, ref.model_.scorecard_)
    assert many.training_["n_pupils"] == ref.training_["n_pupils"]
    assert many.training_["local_authorities"] == ["LA2", "LA1"]
    X = ref._features(pooled, dates[-1])[ref.feature_names_]
    np.testing.assert_allclose(many.model_.predict_proba(X), ref.model_.predict_proba(X),
                               rtol=1e-10)


def test_fit_many_names_a_failing_la(las, dates):
    with pytest.raises(screening.LocalAuthorityError, match="'la_1' failed to fit"):
        screening.fit_many(screening.Screener(n_boot=0), [_loader(las["LA1"]), _broken],
                           as_of=dates[-3:-1])


def test_national_result_repr(national):
    assert repr(national).startswith("NationalResult(2 local authorities, ")
    assert isinstance(national.summary, pd.DataFrame)


class _TwoArgError(Exception):
    def __init__(self, what, where):  # cannot be rebuilt from its args: not picklable
        super().__init__(f"{what} in {where}")
        # dask's distributed installs tblib's exception pickling once imported, which can
        # rebuild the error above; an attribute that no pickler can carry fails either way
        self.handle = threading.Lock()


def test_errors_that_cannot_travel_from_a_worker_keep_their_text():
    from screening._many import _portable

    try:
        raise _TwoArgError("bad date", "pupils.csv")
    except _TwoArgError as err:
        got = _portable(err)
    assert isinstance(got, RuntimeError)
    assert str(got).startswith("_TwoArgError: bad date in pupils.csv")
    assert "Traceback" in str(got)
    ok = OSError("disk")
    assert _portable(ok) is ok
