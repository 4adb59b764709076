"""The Screener is a scikit-learn estimator, and its results are snapshots."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import screening
from screening import audits


def test_clone_get_and_set_params():
    scr = screening.Screener(capacity=0.1, audit_groups=("sex",))
    twin = clone(scr)
    assert twin is not scr and twin.get_params() == scr.get_params()
    assert twin.set_params(capacity=40, n_boot=10) is twin
    assert (twin.capacity, twin.n_boot, scr.capacity) == (40, 10, 0.1)
    with_model = screening.Screener(model=screening.models.RiskScorecard(C=0.5))
    deep = with_model.get_params(deep=True)
    assert deep["model__C"] == 0.5
    assert "model__C" not in with_model.get_params(deep=False)
    assert clone(with_model).set_params(model__C=2.0).model.C == 2.0
    assert with_model.model.C == 0.5


@pytest.mark.parametrize("method", ["screen", "evaluate"])
def test_not_fitted_raises_sklearns_error(la, method):
    with pytest.raises(NotFittedError):
        getattr(screening.Screener(), method)(la.records, as_of=la.census_dates[-2])


def test_evaluate_and_backtest_change_nothing(la, fitted, evaluation):
    before = {k: v for k, v in vars(fitted).items()}
    fitted.evaluate(la.records, as_of=la.census_dates[-2])
    assert vars(fitted).keys() == before.keys()
    assert not hasattr(fitted, "evaluation_") and not hasattr(fitted, "backtest_")
    assert evaluation.facts["capacity"] == fitted.capacity


def test_results_do_not_change_when_the_screener_does(la, fitted, evaluation, tmp_path):
    scr = clone(fitted)
    scr.__dict__.update({k: v for k, v in vars(fitted).items() if k.endswith("_")})
    result = scr.screen(la.records, as_of=la.census_dates[-1])
    json_before = result.to_json()
    html_before = result.to_html(evaluation=evaluation)
    scr.set_params(capacity=0.2, threshold=0.5, audit_groups=("sex",))
    scr.fit(la.records, as_of=la.census_dates[-3:-1])  # refit on other censuses too
    assert result.to_json() == json_before
    assert result.to_html(evaluation=evaluation) == html_before
    assert "top 5.0%" in html_before and "top 20" not in html_before
    doc = json.loads(json_before)
    assert doc["model"]["capacity"] == 0.05 and doc["model"]["threshold"] is None


def test_report_shows_only_the_evaluation_it_is_given(result, evaluation):
    assert "No out-of-time evaluation was run" in result.to_html()
    assert "No out-of-time evaluation was run" not in result.to_html(evaluation=evaluation)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 60), capacity=st.one_of(st.floats(0.01, 0.99), st.integers(1, 80)),
       levels=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_audit_capacity_reproduces_the_screens_flags(n, capacity, levels, seed):
    rng = np.random.default_rng(seed)
    risk = rng.integers(0, levels, n) / levels  # few levels: many ties
    upn = rng.permutation([f"U{i:03d}" for i in range(n)])
    frame = pd.DataFrame({"upn": upn, "risk": risk, "row": np.arange(n).astype(str)})
    flags = audits.flag_top(risk, capacity=capacity, tiebreak=upn)
    rep = audits.audit(frame, groups="row", score="risk", capacity=capacity, tiebreak="upn",
                       min_cell=0, n_boot=0)
    got = rep.to_frame().set_index("group").loc[frame["row"], "n_flagged"].to_numpy()
    np.testing.assert_array_equal(got.astype(int), flags.astype(int))


def test_audit_of_scores_csv_gives_the_screens_flags(result, tmp_path):
    result.to_csv(tmp_path)
    scores = pd.read_csv(tmp_path / "scores.csv", dtype={"upn": str})
    cap = result.facts["capacity"]
    rep = audits.audit(scores, groups="school", score="risk", capacity=cap, tiebreak="upn",
                       min_cell=0, n_boot=0)
    want = result.scores.groupby("school")["flagged"].sum()
    got = rep.to_frame().set_index("group")["n_flagged"].astype(int)
    pd.testing.assert_series_equal(got.loc[want.index], want.astype(int),
                                   check_names=False)
