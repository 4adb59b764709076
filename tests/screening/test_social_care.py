"""The synthetic LA's children-in-need and child-protection episodes (social_care=True)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from screening import features
from screening.datasets import _local_authority as la_mod
from screening.datasets import make_local_authority

TABLES = ("pupils", "enrolments", "attendance", "suspensions", "sen")


@pytest.fixture(scope="module")
def la():
    return make_local_authority(n_pupils=15_000, seed=4, social_care=True)


def test_off_by_default_and_nothing_else_drawn_differently():
    plain = make_local_authority(n_pupils=600, seed=9)
    off = make_local_authority(n_pupils=600, seed=9, social_care=False)
    assert plain.records.raw.get("episodes") is None and len(plain.records.episodes) == 0
    for name in TABLES:
        pd.testing.assert_frame_equal(plain.records.raw[name], off.records.raw[name])


def test_episodes_are_valid_dated_and_near_the_target_shares(la):
    la.records.validate()
    ep = la.records.episodes
    assert set(ep["kind"]) == {"child_in_need", "child_protection"}
    assert (ep["start_date"] <= la.extract_date).all()
    assert (ep["end_date"].isna() | (ep["end_date"] > ep["start_date"])).all()
    for t in la.census_dates:
        known = features.already_known(la.records, t, ["child_in_need", "child_protection"],
                                       year_groups=tuple(range(1, 12)))
        share = known["known_to"].str.split(", ").explode().value_counts() / len(known)
        assert 0.025 < share["child_in_need"] < 0.06, (t, share)
        assert 0.003 < share["child_protection"] < 0.012, (t, share)


def test_children_in_need_are_excluded_more_often(la):
    """The raw ratio of permanent exclusion exceeds the adjusted effect (~4) it was given."""
    hit = cin = rest = rest_hit = 0
    for t in la.census_dates[:-1]:
        k = features.already_known(la.records, t, ["child_in_need", "child_protection"],
                                   year_groups=tuple(range(1, 12)))["already_known"]
        y = features.label(la.records, as_of=t, target="permanent",
                           year_groups=tuple(range(1, 12))).reindex(k.index)
        hit, cin = hit + y[k].sum(), cin + k.sum()
        rest_hit, rest = rest_hit + y[~k].sum(), rest + (~k).sum()
    assert (hit / cin) / (rest_hit / rest) > 4


def test_true_risk_stays_exact_by_monte_carlo():
    """Redraw the suspensions of one population with episodes; the oracle is their mean."""
    state = la_mod._setup(3_000, 12, 2019, 3, None, social_care=True)
    upn = np.array([f"P{i:06d}" for i in range(3_000)])
    census = [pd.Timestamp(str(c)) for c in state["census"][:-1]]
    obs = exp = var = 0.0
    for r in range(12):
        run = dict(state, p=copy.deepcopy(state["p"]))
        events, _seg, oracle = la_mod._draw(run, np.random.default_rng(200 + r))
        oracle["upn"] = upn
        for t in census:
            risk = la_mod._oracle_risk(oracle, t, 12, "permanent", tuple(range(1, 12)))
            who = np.searchsorted(upn, risk.index.to_numpy())
            lo = oracle["cal"].index(np.datetime64(t.date(), "D"))
            hi = oracle["cal"].index(np.datetime64((t + pd.DateOffset(months=12)).date(), "D"))
            ev = (events["day"] >= lo) & (events["day"] < hi) & events["perm"]
            y = np.isin(who, events["pupil"][ev])
            p = risk.to_numpy()
            obs, exp, var = obs + y.sum(), exp + p.sum(), var + (p * (1 - p)).sum()
    assert exp > 50
    assert abs(obs - exp) / np.sqrt(var) < 4, (obs, exp)


def test_written_and_read_back(tmp_path):
    la = make_local_authority(n_pupils=400, seed=1, social_care=True)
    back = features.load_records(la.write(tmp_path))
    pd.testing.assert_frame_equal(back.episodes.reset_index(drop=True),
                                  la.records.episodes.reset_index(drop=True),
                                  check_dtype=False, check_categorical=False)
