"""Adjusted odds and risk ratios against statsmodels, and their failure modes."""

import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from screening.audits import _messages as msg

from screening import audits


def _match(const):
    return re.escape(const.split("{")[0][:60])


@pytest.fixture(scope="module")
def fixed():
    rng = np.random.default_rng(20)
    n = 6000
    df = pd.DataFrame({
        "eth": rng.choice(["WBRI", "BCRB", "ASIA"], n, p=[.7, .12, .18]),
        "sen": rng.choice(["none", "SEN support", "EHC plan"], n, p=[.8, .15, .05]),
        "fsm": rng.random(n) < 0.3,
        "year_group": rng.choice([5, 6, 7], n),
    })
    lin = (-3 + 0.5 * (df.eth == "BCRB") + 1.2 * (df.sen == "SEN support")
           + 2.0 * (df.sen == "EHC plan") + 0.7 * df.fsm + 0.2 * (df.year_group - 6))
    df["excluded"] = rng.random(n) < 1 / (1 + np.exp(-lin))
    return df


def test_odds_ratios_equal_statsmodels_row_level_logit(fixed):
    adj = audits.adjusted_ratios(fixed, groups="eth", outcome="excluded",
                                 covariates=["sen", "fsm", "year_group"])
    fit = smf.logit("excluded ~ C(eth, Treatment('WBRI')) + C(sen, Treatment('none')) + "
                    "C(fsm) + C(year_group)", data=fixed.assign(
                        excluded=fixed.excluded.astype(int))).fit(disp=0)
    a = adj.set_index("group")
    assert a.loc["WBRI", "reference_group"] == "WBRI" and a.loc["WBRI", "odds_ratio"] == 1
    for g in ("BCRB", "ASIA"):
        name = f"C(eth, Treatment('WBRI'))[T.{g}]"
        assert a.loc[g, "odds_ratio"] == pytest.approx(np.exp(fit.params[name]), abs=1e-6)
        lo, hi = np.exp(fit.conf_int().loc[name])
        assert a.loc[g, "odds_ratio_low"] == pytest.approx(lo, abs=1e-6)
        assert a.loc[g, "odds_ratio_high"] == pytest.approx(hi, abs=1e-6)
        assert a.loc[g, "odds_ratio_p"] == pytest.approx(fit.pvalues[name], abs=1e-6)
    assert a.loc["BCRB", "odds_ratio"] == pytest.approx(np.exp(0.5), rel=0.25)
    assert a["n"].sum() == len(fixed)
    assert "marginal standardisation" in adj.attrs["method"]


def test_risk_ratio_is_marginal_standardisation(fixed):
    adj = audits.adjusted_ratios(fixed, groups="eth", outcome="excluded",
                                 covariates=["sen", "fsm"]).set_index("group")
    fit = smf.logit("y ~ C(eth, Treatment('WBRI')) + C(sen) + C(fsm)",
                    data=fixed.assign(y=fixed.excluded.astype(int))).fit(disp=0)
    p_g = fit.predict(fixed.assign(eth="BCRB")).mean()
    p_r = fit.predict(fixed.assign(eth="WBRI")).mean()
    assert adj.loc["BCRB", "risk_ratio"] == pytest.approx(p_g / p_r, rel=1e-6)
    assert adj.loc["BCRB", "risk_ratio_low"] < p_g / p_r < adj.loc["BCRB", "risk_ratio_high"]


def test_adjustment_explains_a_gap_that_comes_from_sen(fixed):
    df = fixed.copy()
    rng = np.random.default_rng(1)
    # group X is more often on SEN support, and SEN alone drives the outcome
    df["grp"] = np.where(df.sen != "none", rng.choice(["X", "Y"], len(df), p=[.6, .4]),
                         rng.choice(["X", "Y"], len(df), p=[.3, .7]))
    lin = -3 + 1.5 * (df.sen != "none")
    df["y"] = rng.random(len(df)) < 1 / (1 + np.exp(-lin))
    raw = audits.audit(df, groups="grp", flag="y", reference={"grp": "Y"}, n_boot=0)
    adj = audits.adjusted_ratios(df, groups="grp", outcome="y", covariates=["sen"],
                                 reference={"grp": "Y"}).set_index("group")
    assert raw.to_frame().set_index("group").loc["X", "flag_ratio"] > 1.4
    assert adj.loc["X", "odds_ratio_low"] < 1 < adj.loc["X", "odds_ratio_high"]


def test_separation_and_rare_groups_give_notes_not_crashes():
    rng = np.random.default_rng(0)
    n = 2000
    df = pd.DataFrame({"g": rng.choice(["a", "b"], n), "sen": rng.random(n) < 0.3})
    df.loc[:24, "g"] = "never"  # 25 pupils, none with the outcome: separation
    df.loc[25:29, "g"] = "tiny"  # 5 pupils
    df["y"] = (rng.random(n) < 0.2) & (df.g != "never")
    adj = audits.adjusted_ratios(df, groups="g", outcome="y", covariates=["sen"])
    a = adj.set_index("group")
    assert np.isnan(a.loc["never", "odds_ratio"])
    assert msg.NOTE_ADJ_SEPARATION in a.loc["never", "note"]
    assert np.isnan(a.loc["tiny", "odds_ratio"]) and pd.isna(a.loc["tiny", "n"])
    assert np.isfinite(a.loc["b", "odds_ratio"])


def test_covariate_that_duplicates_the_attribute_is_left_out(fixed):
    df = fixed.assign(major=fixed.eth.map({"WBRI": "White", "BCRB": "Black",
                                           "ASIA": "Asian"}))
    adj = audits.adjusted_ratios(df, groups="eth", outcome="excluded",
                                 covariates=["major", "fsm"])
    assert "major" not in adj["covariates"].iloc[0]
    assert np.isfinite(adj.set_index("group").loc["BCRB", "odds_ratio"])


def test_audit_section_adjusts_flags_and_outcomes(fixed):
    df = fixed.assign(flagged=fixed.excluded | (np.arange(len(fixed)) % 17 == 0))
    rep = audits.audit(df, groups="eth", flag="flagged", outcome="excluded", n_boot=0,
                       adjust=["sen", "fsm", "year_group"])
    assert set(rep.adjusted["measure"]) == {"flagged", "outcome"}
    assert rep.params["adjusted_for"] == ["sen", "fsm", "year_group"]
    assert rep.to_dict()["adjusted"][0]["attribute"] == "eth"


def test_bad_covariates_raise_the_message():
    df = pd.DataFrame({"g": ["a", "b"] * 20, "y": [0, 1, 1, 0] * 10})
    with pytest.raises(TypeError, match=_match(msg._COVARIATES)):
        audits.adjusted_ratios(df, groups="g", outcome="y", covariates=[1])
    with pytest.raises(KeyError, match=_match(msg._COLUMN_MISSING)):
        audits.adjusted_ratios(df, groups="g", outcome="y", covariates=["nope"])


def test_fewer_covariate_patterns_than_model_columns():
    # a small LA: 4 patterns of (group, sen, fsm) but 6 model columns (intercept, 2
    # groups, 2 SEN levels, FSM); the aliased columns are found, not an IndexError
    patterns = [("a", "x", False), ("b", "y", True), ("c", "z", False), ("a", "y", True)]
    rows = [p for p in patterns for _ in range(60)]
    df = pd.DataFrame(rows, columns=["g", "sen", "fsm"])
    df["y"] = np.arange(len(df)) % 4 == 0  # the outcome varies inside every pattern
    adj = audits.adjusted_ratios(df, groups="g", outcome="y", covariates=["sen", "fsm"],
                                 min_cell=1)
    a = adj.set_index("group")
    assert a.loc["a", "odds_ratio"] == 1.0  # the reference, the largest group
    assert set(a.index) == {"a", "b", "c"}


def test_independent_columns_of_a_short_design():
    from screening.audits._adjusted import _independent

    x = np.array([[1.0, 0.0, 1.0, 2.0], [1.0, 1.0, 2.0, 0.0]])  # 2 rows, 4 columns
    names = [("intercept",), ("group", 1), ("sen", 1), ("fsm", 1)]
    keep, dropped, stuck = _independent(x, names, keep_first=1)
    assert keep == [0, 1]  # columns 2 and 3 are combinations of the first two
    assert dropped == ["fsm", "sen"] and not stuck
    # one pattern left: the group column cannot be told from the intercept
    assert _independent(np.array([[1.0, 1.0]]), names[:2], keep_first=2)[2]


def test_one_group_left_after_separation_is_a_note_not_a_crash():
    # a small LA (as LA305 of the national benchmark at 1%): every outcome is among boys
    # with FSM, so the level FSM = False (no outcome) is set aside, and with it every girl:
    # one group is left and nothing compares the groups
    df = pd.DataFrame({"g": ["F"] * 40 + ["M"] * 40,
                       "fsm": [False] * 40 + [False] * 20 + [True] * 20})
    df["y"] = False
    df.loc[df.index[60::4], "y"] = True
    adj = audits.adjusted_ratios(df, groups="g", outcome="y", covariates=["fsm"],
                                 reference={"g": "F"}, min_cell=1)
    a = adj.set_index("group")
    assert msg.NOTE_ADJ_NO_CONTRAST in a.loc["M", "note"]
    assert np.isnan(a.loc["M", "odds_ratio"])
