"""Suppression linked across every table of one audit, checked by an intruder's LP."""

import re

import numpy as np
import pandas as pd
import pytest
from screening.audits import _messages as msg
from screening.audits._inputs import detect_nesting, encode

from screening import audits

from .intruder import Intruder

MAJOR = {"WBRI": "White", "WIRT": "White", "WOTH": "White", "WROM": "White",
         "BCRB": "Black", "BAFR": "Black", "AIND": "Asian", "APKN": "Asian"}


def _match(const):
    return re.escape(const.split("{")[0][:60])


def _ethnic_frame(seed=0, n=900, schools=6):
    rng = np.random.default_rng(seed)
    codes = list(MAJOR)
    p = np.array([.55, .02, .08, .004, .08, .12, .08, .066])
    df = pd.DataFrame({"ethnicity": rng.choice(codes, n, p=p / p.sum()),
                       "sex": rng.choice(["F", "M"], n),
                       "school": rng.choice([f"S{i}" for i in range(schools)], n)})
    df["ethnicity_major"] = df["ethnicity"].map(MAJOR)
    df["flagged"] = rng.random(n) < 0.12
    df["outcome"] = rng.random(n) < 0.15
    return df


def test_nesting_is_found_in_the_data_and_declared_nesting_is_checked():
    df = _ethnic_frame()
    fine, coarse = encode(df["ethnicity"], "ethnicity"), encode(df["ethnicity_major"], "major")
    assert [(f, c) for f, c, _ in detect_nesting([fine, coarse])] == [("ethnicity", "major")]
    rep = audits.audit(df, groups=["ethnicity", "ethnicity_major"], flag="flagged", n_boot=0)
    assert rep.params["nesting"] == [["ethnicity", "ethnicity_major"]]
    with pytest.raises(ValueError, match=_match(msg._NESTED_NOT)):
        audits.audit(df, groups=["sex", "ethnicity"], flag="flagged", n_boot=0,
                     nested={"sex": "ethnicity"})
    with pytest.raises(KeyError, match=_match(msg._NESTED_UNKNOWN)):
        audits.audit(df, groups=["sex"], flag="flagged", n_boot=0, nested={"sex": "x"})
    with pytest.raises(ValueError, match=_match(msg._NESTED_SPEC)):
        audits.audit(df, groups=["sex"], flag="flagged", n_boot=0, nested=["sex"])


def test_major_group_minus_its_shown_codes_cannot_recover_a_hidden_code():
    # the case: White - WBRI - WOTH recovered a hidden WROM of 1-2 pupils
    n = {"WBRI": 300, "WOTH": 60, "WROM": 2, "BCRB": 80, "BAFR": 70}
    eth = np.concatenate([[k] * v for k, v in n.items()])
    df = pd.DataFrame({"ethnicity": eth, "flagged": np.arange(len(eth)) % 5 == 0})
    df["ethnicity_major"] = df["ethnicity"].map(MAJOR)
    f = audits.audit(df, groups=["ethnicity", "ethnicity_major"], flag="flagged",
                     n_boot=0).to_frame().set_index("group")
    assert pd.isna(f.loc["WROM", "n"])
    white = f.loc["White", "n"]
    codes = f.loc[["WBRI", "WOTH", "WROM"], "n"]
    # either White is hidden, or another White code is, so the difference is not one count
    assert pd.isna(white) or codes.isna().sum() >= 2


def test_concentration_cannot_give_the_smallest_unit():
    # six schools: total x (1 - top-5 share) would be the smallest school's flags (3)
    rows = []
    for s, (n, k) in enumerate([(100, 20), (100, 18), (100, 15), (100, 14), (100, 12),
                                (40, 3)]):
        rows += [{"school": f"S{s}", "g": "ab"[j % 2], "flagged": int(j < k)} for j in range(n)]
    df = pd.DataFrame(rows)
    rep = audits.audit(df, groups="g", flag="flagged", n_boot=0, controls="school")
    c = rep.concentration.set_index("measure").loc["flags"]
    total, top5 = c["total"], c["top_5_share"]
    assert pd.isna(top5) or round(total * (1 - top5)) not in range(1, 10)
    assert pd.isna(c["n_units_with_any"]) or not rep.breakdown("school")["n_flagged"].isna().any()


def test_tiny_unknown_group_is_pooled_and_does_not_hide_fsm_true():
    # one pupil without FSM: alone it would be suppressed and, by complement, FSM = True too
    rng = np.random.default_rng(1)
    fsm = np.where(rng.random(400) < 0.3, "True", "False").astype(object)
    fsm[7] = None
    df = pd.DataFrame({"fsm": fsm, "flagged": rng.random(400) < 0.2})
    rep = audits.audit(df, groups="fsm", flag="flagged", n_boot=0)
    f = rep.to_frame().set_index("group")
    assert not f.loc["True", "suppressed"] and f.loc["True", "n"] > 0
    assert f.loc["Unknown", "suppressed"] and pd.isna(f.loc["Unknown", "n"])
    assert f.loc["Unknown", "note"] == msg.NOTE_POOLED.format(10, "False")
    assert msg.NOTE_POOLED_INTO.format("fsm", 10) in f.loc["False", "note"]
    assert f.loc[["False", "True"], "n"].sum() == 400  # the pupil is counted, with False
    assert rep.params["pooled_unknown"] == {"fsm": "False"}
    kept = audits.audit(df, groups="fsm", flag="flagged", n_boot=0, pool_unknown=False)
    assert kept.to_frame()["suppressed"].sum() >= 2  # the old behaviour, for comparison


def _attack(df, rep, groups, outcome, controls, min_cell=None):
    return Intruder(df, rep, groups=groups, flag="flagged", outcome=outcome,
                    controls=controls, min_cell=min_cell).read_report().attack()


@pytest.mark.parametrize("seed", [0, 2])
def test_intruder_recovers_no_small_count_from_a_random_audit(seed):
    df = _ethnic_frame(seed, n=500, schools=5)
    groups = ["sex", "ethnicity", "ethnicity_major"]
    rep = audits.audit(df, groups=groups, flag="flagged", outcome="outcome",
                       controls="school", n_boot=0)
    res = _attack(df, rep, groups, "outcome", ["school"])
    assert res.checked > 50  # there really were small hidden counts to attack
    assert res.recovered == [], res.recovered[:5]


def test_intruder_finds_what_table_by_table_suppression_leaks():
    """The check has teeth: switch the linking off (min_cell=0 then blank by hand)."""
    df = _ethnic_frame(0, n=500, schools=5)
    groups = ["ethnicity", "ethnicity_major"]
    rep = audits.audit(df, groups=groups, flag="flagged", n_boot=0, min_cell=0)
    f = rep.by_group
    small = f["n"].astype(float).between(1, 9)
    f.loc[small, ["n", "n_flagged", "flag_rate"]] = np.nan  # primary only, no complement
    res = _attack(df, rep, groups, None, [], min_cell=10)
    assert res.recovered


def test_intruder_recovers_nothing_from_a_screener_audit(monkeypatch):
    """The audit every screen carries, on a small synthetic LA (the full check, seeds 0-9
    at 3,000 pupils, is `python -m benchmarks.audit_disclosure`; results in RESULTS.md)."""
    import screening

    seen = {}
    real = audits.audit

    def spy(frame, **kw):
        seen.update(frame=frame, kw=kw, rep=real(frame, **kw))
        return seen["rep"]

    la = screening.datasets.make_local_authority(n_pupils=1200, seed=4)
    d = la.census_dates
    scr = screening.Screener(random_state=0, n_boot=20).fit(la.records, as_of=d[-4:-2])
    monkeypatch.setattr(audits, "audit", spy)
    scr.screen(la.records, as_of=d[-1])
    kw, rep = seen["kw"], seen["rep"]
    assert "ethnicity_major" in kw["groups"] and kw["controls"] == ["year_group", "school"]
    assert ["ethnicity", "ethnicity_major"] in rep.params["nesting"]
    # every screen compares its flags with the latest census whose outcomes are complete
    earlier = d[-2]
    assert rep.params["has_recent"] and rep.params["recent_label"].startswith("census ")
    assert abs((pd.Timestamp(rep.params["recent_label"].split()[1]) - earlier).days) < 14
    f = rep.to_frame()
    assert rep.params["recent_n_rows"] > 100
    # a small LA's recent outcomes are few: shown where safe, else hidden with a reason
    hidden_note = msg.NOTE_RECENT_HIDDEN.format(9)
    shown = f["recent_base_ratio"].notna() | f["note"].str.contains(hidden_note, regex=False)
    assert shown[~f["suppressed"]].all()
    assert {"recent_amplification_low", "recent_amplification_high"} <= set(f.columns)
    assert "recent_amplification" in rep.params["tests"]
    # and adjusts who is flagged for SEN, FSM, sex and year group
    assert rep.params["adjusted_for"] == ["sen", "fsm", "sex", "year_group"]
    assert set(rep.adjusted["measure"]) >= {"flagged", "recent outcome"}
    res = Intruder(seen["frame"], rep, groups=kw["groups"], flag=kw["flag"],
                   controls=kw["controls"]).read_report().attack()
    assert res.checked > 100
    assert res.recovered == [], res.recovered[:5]
