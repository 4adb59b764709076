"""Screener(episode_kinds=..., known_if=...): episode features, already-known pupils."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import screening
from screening import features

KINDS = ("child_in_need", "child_protection")
KNOWN = ("child_in_need", "child_protection", "ehc_plan")


@pytest.fixture(scope="module")
def sc_la():
    return screening.datasets.make_local_authority(n_pupils=6_000, seed=2, social_care=True)


def _with_episode(records, upn, start):
    raw = {k: v for k, v in records.raw.items() if v is not None}
    extra = pd.DataFrame({"upn": [upn], "kind": ["child_in_need"],
                          "start_date": [pd.Timestamp(start)], "end_date": [pd.NaT]})
    raw["episodes"] = pd.concat([raw["episodes"], extra], ignore_index=True)
    return screening.Records(**raw, extract_date=records.extract_date)


def test_default_screener_uses_no_episode_and_marks_no_one(fitted, result):
    """The shared fit of tests/screening/conftest.py: the default screener."""
    assert not any("episode" in f for f in fitted.feature_names_)
    assert "already_known" not in result.scores and result.added_value is None
    assert result.to_dict()["summary"]["added_value"] is None


@pytest.fixture(scope="module")
def social(sc_la):
    d = sc_la.census_dates
    return screening.Screener(episode_kinds=KINDS, known_if=KNOWN, n_boot=0,
                              capacity=0.1).fit(sc_la.records, as_of=d[2:4])


def test_episode_features_are_model_inputs(social):
    names = set(social.feature_names_)
    assert {"episode_child_in_need_current", "months_since_episode_child_protection"} <= names
    card = social.model_.scorecard_
    assert (card.loc[card["feature"].str.startswith("episode_"), "points"] != 0).any()
    facts = social._facts()
    assert facts["episode_kinds"] == list(KINDS) and facts["known_if"] == list(KNOWN)


def test_an_episode_counts_only_when_it_started_before_the_census(sc_la, social):
    t = sc_la.census_dates[-1]
    score = lambda rec: social._score(rec, t)[1].set_index("upn")  # noqa: E731 (no audit)
    base = score(sc_la.records)
    # a pupil with no social-care history and no EHC plan
    upn = base.index[~base["already_known"]][0]
    pd.testing.assert_frame_equal(score(_with_episode(sc_la.records, upn, t)), base)
    before = score(_with_episode(sc_la.records, upn, t - pd.Timedelta(days=30)))
    row, old = before.loc[upn], base.loc[upn]
    assert row["already_known"] and row["known_to"] == "child_in_need"
    assert row["points"] != old["points"] and row["risk"] != old["risk"]
    assert before.drop(index=upn)[["risk", "already_known"]].equals(
        base.drop(index=upn)[["risk", "already_known"]])


def test_already_known_matches_features_and_added_value_adds_up(sc_la, social):
    t = sc_la.census_dates[-1]
    res = social.screen(sc_la.records, as_of=t)
    known = features.already_known(sc_la.records, t, KNOWN).reindex(res.scores["upn"])
    assert res.scores["already_known"].tolist() == known["already_known"].tolist()
    assert res.scores["known_to"].tolist() == known["known_to"].tolist()
    v = res.added_value
    flagged = res.scores["flagged"]
    assert v["n_flagged"] == flagged.sum()
    assert v["n_flagged_not_known"] == (flagged & ~res.scores["already_known"]).sum()
    assert v["n_flagged_not_known"] + v["n_flagged_already_known"] == v["n_flagged"]
    doc = json.loads(res.to_json())
    assert doc["schema_version"] == screening._result.JSON_SCHEMA_VERSION
    assert doc["summary"]["added_value"]["n_flagged_not_known"] == v["n_flagged_not_known"]
    assert {"already_known", "known_to"} <= set(doc["scores"][0])
    assert "Added value." in res.to_html()


def test_already_known_can_be_an_audit_group(sc_la, social):
    from sklearn.base import clone

    scr = clone(social).set_params(audit_groups=("sex", "already_known"))
    scr.fit(sc_la.records, as_of=sc_la.census_dates[2:4])
    res = scr.screen(sc_la.records, as_of=sc_la.census_dates[-1])
    assert "already_known" in set(res.audit.to_frame()["attribute"])


def test_evaluation_gives_precision_among_pupils_not_known(sc_la, social):
    ev = social.evaluate(sc_la.records, as_of=sc_la.census_dates[-2])
    s = ev.scores
    new = s["flagged"] & ~s["already_known"]
    v = ev.added_value
    assert v["precision_not_known"] == pytest.approx(s.loc[new, "outcome"].mean())
    assert v["precision_flagged"] == pytest.approx(s.loc[s["flagged"], "outcome"].mean())


def test_protected_kind_warns_and_bad_kinds_are_refused():
    la = screening.datasets.make_local_authority(n_pupils=1_500, seed=2, social_care=True)
    d = la.census_dates
    with pytest.warns(UserWarning, match="protected or sensitive"):
        screening.Screener(episode_kinds=("looked_after",), n_boot=0).fit(
            la.records, as_of=d[2:4])
    with pytest.raises(ValueError, match="must be a sequence"):
        screening.Screener(known_if="child_in_need").fit(la.records, as_of=d[2:4])
