"""Capacity per school, phase or year group, and ties at the cut-off made visible."""

import html
import json

import numpy as np
import pytest

import screening
from screening import audits
from screening._units import (
    _BAD_CAPACITY_BY,
    _BAD_UNIT_COUNT,
    _MAPPING_NEEDS_UNIT,
    cutoff_ties,
)


def _like(fitted, **params):
    """A screener with ``params`` and the fitted state of ``fitted`` (no refit)."""
    scr = screening.Screener(n_boot=20, **params)
    scr.__dict__.update({k: v for k, v in fitted.__dict__.items() if k.endswith("_")})
    return scr


@pytest.fixture(scope="module")
def by_school(la, fitted):
    return _like(fitted, capacity=0.05, capacity_by="school").screen(
        la.records, as_of=la.census_dates[-1])


def test_five_percent_of_every_school(by_school):
    s = by_school.scores
    per = s.groupby("school")["flagged"].agg(["size", "sum"])
    assert (per["sum"] == np.floor(0.05 * per["size"] + 1e-9)).all()
    assert (s["flag_unit"] == s["school"]).all()
    # within each school the flagged pupils are its highest risks
    for _, part in s.groupby("school"):
        if part["flagged"].any() and not part["flagged"].all():
            assert part.loc[part["flagged"], "risk"].min() >= part.loc[
                ~part["flagged"], "risk"].max()


def test_the_one_rule_reproduces_the_flags(by_school):
    s = by_school.scores
    again = audits.flag_top(s["risk"], capacity=0.05, groups=s["school"], tiebreak=s["upn"])
    assert (again == s["flagged"].to_numpy()).all()


def test_the_rule_is_said_in_facts_json_and_report(by_school):
    facts = by_school.facts
    assert facts["capacity_by"] == "school"
    assert facts["sizing"] == "the top 5.0% of each school"
    doc = json.loads(by_school.to_json())
    assert doc["schema_version"] == screening._result.JSON_SCHEMA_VERSION
    assert doc["model"]["capacity_by"] == "school" and doc["model"]["ties"] == "break"
    assert {"flag_unit", "tied_at_cutoff"} <= set(doc["scores"][0])
    assert "the top 5.0% of each school" in by_school.to_html()


def test_audit_still_compares_flags_la_wide(by_school):
    frame = by_school.audit.to_frame()
    sex = frame[frame["attribute"] == "sex"]
    assert sex["n"].sum() == len(by_school.scores)
    assert sex["n_flagged"].sum() == by_school.scores["flagged"].sum()


def test_ties_table_matches_the_scores(by_school):
    s, t = by_school.scores, by_school.ties
    assert len(t) == s["school"].nunique()
    assert t["n_flagged"].sum() == s["flagged"].sum()
    for row in t[t["n_tied"] > 0].itertuples():
        part = s[s["school"] == row.unit]
        tied = part["risk"] == row.cutoff_risk
        assert tied.sum() == row.n_tied
        assert (tied & part["flagged"]).sum() == row.n_tied_flagged
    straddling = t[t["straddles"]]
    assert len(straddling), "the synthetic LA has tied risks at some school's cut-off"
    assert s["tied_at_cutoff"].sum() == t.loc[t["n_tied"] > 1, "n_tied"].sum()
    assert by_school.ties_text.startswith(f"In {len(t[t['n_tied'] > 1])} of {len(t)} units")
    assert "broken by UPN" in by_school.ties_text
    assert html.escape(by_school.ties_text) in by_school.to_html()


def test_ties_include_flags_every_tied_pupil(la, fitted):
    d = la.census_dates[-1]
    _, broken = _like(fitted, capacity=0.05, capacity_by="school")._score(la.records, d)
    _, whole = _like(fitted, capacity=0.05, capacity_by="school",
                     ties="include")._score(la.records, d)
    assert (whole["flagged"] >= broken["flagged"]).all()
    extra = whole["flagged"] & ~broken["flagged"]
    assert extra.any() and whole.loc[extra, "tied_at_cutoff"].all()
    t = cutoff_ties(whole["risk"], whole["flagged"], whole["flag_unit"])
    assert not t["straddles"].any()


@pytest.mark.parametrize("by, unit", [("phase", {"primary", "secondary"}),
                                      ("year_group", {"Year 5", "Year 6", "Year 7"})])
def test_capacity_by_phase_and_year_group(la, fitted, by, unit):
    _, s = _like(fitted, capacity=10, capacity_by=by)._score(la.records, la.census_dates[-1])
    assert set(s["flag_unit"]) == unit
    assert (s.groupby("flag_unit")["flagged"].sum() == 10).all()


def test_a_mapping_of_unit_to_count(la, fitted):
    d = la.census_dates[-1]
    _, s = _like(fitted, capacity={5: 7, 6: 3}, capacity_by="year_group")._score(
        la.records, d)
    assert s.groupby("year_group")["flagged"].sum().to_dict() == {5: 7, 6: 3, 7: 0}
    schools = sorted(s["school"].unique())[:2]
    _, s = _like(fitted, capacity={schools[0]: 2, schools[1]: 1},
                 capacity_by="school")._score(la.records, d)
    assert s.loc[s["flagged"], "school"].value_counts().to_dict() == {
        schools[0]: 2, schools[1]: 1}


def test_bad_settings_say_what_to_pass(la, fitted):
    d = la.census_dates[-1]
    with pytest.raises(ValueError, match="capacity_by must be one of"):
        _like(fitted, capacity_by="la").screen(la.records, as_of=d)
    with pytest.raises(ValueError, match="capacity_by is None"):
        _like(fitted, capacity={"100001": 3}).screen(la.records, as_of=d)
    with pytest.raises(ValueError, match="whole number of pupils >= 0"):
        _like(fitted, capacity={"100001": 0.5}, capacity_by="school").screen(
            la.records, as_of=d)
    with pytest.raises(ValueError, match="no row belongs to"):
        _like(fitted, capacity={"nope": 3}, capacity_by="school").screen(la.records, as_of=d)
    with pytest.raises(ValueError, match="ties must be"):
        _like(fitted, ties="random").screen(la.records, as_of=d)
    assert "'school'" in _BAD_CAPACITY_BY and "capacity_by=" in _MAPPING_NEEDS_UNIT
    assert "fraction" in _BAD_UNIT_COUNT


def test_whole_cohort_is_one_unit(result):
    s = result.scores
    assert (s["flag_unit"] == "whole cohort").all()
    assert result.facts["capacity_by"] is None
    assert len(result.ties) == 1 and result.ties["n_flagged"].iloc[0] == s["flagged"].sum()


def test_a_threshold_is_la_wide_whatever_capacity_by_says(la, fitted):
    scr = _like(fitted, threshold=0.2, capacity_by="school")
    _, s = scr._score(la.records, la.census_dates[-1])
    assert (s["flagged"] == (s["risk"] >= 0.2)).all()
    assert (s["flag_unit"] == "whole cohort").all()
    scr.feature_names_ = fitted.feature_names_
    facts = scr._facts()
    assert facts["capacity_by"] is None and facts["sizing"] == "risk at least 0.200"
