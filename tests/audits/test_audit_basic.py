"""Hand-computed rates, ratios, notes and degenerate groups."""

import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from screening.audits import _messages as msg
from sklearn.metrics import roc_auc_score

from screening import audits


def _row(rep, attribute, group):
    f = rep.to_frame()
    return f[(f["attribute"] == attribute) & (f["group"] == group)].iloc[0]


def test_hand_computed_confusion_table(tiny):
    rep = audits.audit(tiny, groups="sex", flag="flagged", score="risk", outcome="outcome",
                       min_cell=0, n_boot=200, random_state=0)
    f, m = _row(rep, "sex", "F"), _row(rep, "sex", "M")
    assert (f["n"], f["n_flagged"], f["n_outcome"]) == (6, 3, 3)
    assert (m["n"], m["n_flagged"], m["n_outcome"]) == (6, 1, 3)
    assert_allclose([f.flag_rate, f.tpr, f.fpr, f.fnr, f.ppv, f.base_rate],
                    [1 / 2, 2 / 3, 1 / 3, 1 / 3, 2 / 3, 1 / 2])
    assert_allclose([m.flag_rate, m.tpr, m.fpr, m.fnr, m.ppv, m.base_rate],
                    [1 / 6, 1 / 3, 0.0, 2 / 3, 1.0, 1 / 2])
    # reference = largest group; a tie goes to the first group (F)
    assert rep.references == {"sex": "F"}
    assert f["reference"] and not m["reference"]
    assert_allclose([f.flag_ratio, m.flag_ratio], [1.0, 1 / 3])
    assert_allclose([f.flag_ratio_overall, m.flag_ratio_overall], [1.5, 0.5])
    assert_allclose([m.base_ratio, m.amplification], [1.0, 1 / 3])
    # AUC within group: F positives .9 .3 .7 vs negatives .8 .2 .1 -> 7/9
    assert_allclose(f["auc"], 7 / 9)
    sub = tiny[tiny["sex"] == "M"]
    assert_allclose(m["auc"], roc_auc_score(sub["outcome"], sub["risk"]))
    assert_allclose(f["mean_score"], np.mean([0.9, 0.8, 0.3, 0.2, 0.1, 0.7]))
    assert_allclose(f["calibration_gap"], f["mean_score"] - 0.5)
    ov = rep.overall
    assert ov["n"] == 12 and ov["n_flagged"] == 4
    assert_allclose(ov["tpr"], 3 / 6)


def test_interval_contains_point_and_is_reproducible(cohort):
    a = audits.audit(cohort, groups="ethnicity", flag="flagged", outcome="outcome",
                     n_boot=300, random_state=3, min_cell=0).to_frame()
    b = audits.audit(cohort, groups="ethnicity", flag="flagged", outcome="outcome",
                     n_boot=300, random_state=3, min_cell=0).to_frame()
    pd.testing.assert_frame_equal(a, b)
    other = a[~a["reference"]]
    assert (other["flag_ratio_low"] <= other["flag_ratio"]).all()
    assert (other["flag_ratio"] <= other["flag_ratio_high"]).all()
    assert other["flag_ratio_low"].notna().all()


def test_no_outcome_leaves_outcome_columns_nan(tiny):
    f = audits.audit(tiny, groups="sex", flag="flagged", min_cell=0, n_boot=50,
                     random_state=0).to_frame()
    for col in ("base_rate", "base_ratio", "tpr", "fpr", "fnr", "ppv", "auc", "amplification"):
        assert f[col].isna().all(), col
    assert list(f.columns) == audits.FRAME_COLUMNS


def test_degenerate_groups_get_nan_with_reason():
    df = pd.DataFrame({
        "g": pd.Categorical(["none"] * 20 + ["all"] * 20 + ["ref"] * 40,
                            categories=["none", "all", "ref", "empty"]),
        "flagged": [0] * 20 + [1] * 20 + [1, 0] * 20,
        "outcome": [1, 0] * 10 + [1] * 20 + [0, 1, 1, 0] * 10,
    })
    f = audits.audit(df, groups="g", flag="flagged", outcome="outcome", min_cell=0,
                     n_boot=200, random_state=0).to_frame().set_index("group")
    # group with no flags: ratio 0 shown, interval NaN, with a note
    assert f.loc["none", "flag_ratio"] == 0
    assert np.isnan(f.loc["none", "flag_ratio_low"])
    assert msg.NOTE_NO_FLAGS in f.loc["none", "note"]
    assert np.isnan(f.loc["none", "ppv"])
    # all flagged and all positive: no crash; fpr undefined
    assert f.loc["all", "flag_rate"] == 1 and f.loc["all", "tpr"] == 1
    assert np.isnan(f.loc["all", "fpr"]) and np.isnan(f.loc["all", "auc"])
    assert msg.NOTE_NO_NEGATIVES in f.loc["all", "note"]
    assert np.isfinite(f.loc["all", "flag_ratio_low"])
    # empty category: reported with n = 0 and no rates
    assert f.loc["empty", "n"] == 0 and np.isnan(f.loc["empty", "flag_rate"])
    assert f.loc["empty", "note"] == msg.NOTE_EMPTY
    assert not f.loc["empty", "suppressed"]


def test_no_positive_group_and_reference_without_flags():
    df = pd.DataFrame({
        "g": ["a"] * 30 + ["b"] * 20,
        "flagged": [0] * 30 + [1] * 10 + [0] * 10,
        "outcome": [1, 0, 0] * 10 + [0] * 20,
    })
    f = audits.audit(df, groups="g", flag="flagged", outcome="outcome", min_cell=0,
                     n_boot=100, random_state=0).to_frame().set_index("group")
    assert np.isnan(f.loc["b", "tpr"]) and np.isnan(f.loc["b", "fnr"])
    assert msg.NOTE_NO_POSITIVES in f.loc["b", "note"]
    # reference "a" (largest) has no flags: flag ratios undefined, not 0 or inf
    assert np.isnan(f.loc["b", "flag_ratio"])
    assert msg.NOTE_REF_NO_FLAGS in f.loc["b", "note"]
    assert np.isnan(f.loc["b", "amplification"])


def test_unknown_group_is_explicit():
    df = pd.DataFrame({"eth": ["A", None, "B", np.nan] * 10, "flagged": [1, 0, 0, 1] * 10})
    rep = audits.audit(df, groups="eth", flag="flagged", min_cell=0, n_boot=0)
    f = rep.to_frame().set_index("group")
    assert list(f.index) == ["A", "B", "Unknown"]
    assert f.loc["Unknown", "n"] == 20 and f.loc["Unknown", "n_flagged"] == 10
    assert rep.references["eth"] != "Unknown"


def test_reference_override(tiny):
    rep = audits.audit(tiny, groups="sex", flag="flagged", reference={"sex": "M"},
                       min_cell=0, n_boot=0)
    f = rep.to_frame().set_index("group")
    assert f.loc["M", "reference"] and f.loc["M", "flag_ratio"] == 1
    assert_allclose(f.loc["F", "flag_ratio"], 3.0)
    with pytest.raises(ValueError, match=re.escape(msg._REFERENCE_GROUP.split("{")[0])):
        audits.audit(tiny, groups="sex", flag="flagged", reference={"sex": "X"})
    with pytest.raises(KeyError, match=re.escape(msg._REFERENCE_ATTRIBUTE.split("{")[0])):
        audits.audit(tiny, groups="sex", flag="flagged", reference={"fsm": True})


def test_intersections(cohort):
    rep = audits.audit(cohort, groups=["sex", "fsm"], flag="flagged", min_cell=0, n_boot=0,
                       intersections=[("sex", "fsm")], reference={"sex × fsm": ("F", False)})
    f = rep.to_frame()
    sub = f[f["attribute"] == "sex × fsm"].set_index("group")
    expected = cohort.groupby(["sex", "fsm"]).size()
    for (s, b), n in expected.items():
        assert sub.loc[f"{s} × {b}", "n"] == n
    flags = cohort.groupby(["sex", "fsm"])["flagged"].sum()
    assert sub.loc["M × True", "n_flagged"] == flags[("M", True)]
    assert sub.loc["F × False", "reference"]


def test_capacity_and_threshold(tiny):
    rep = audits.audit(tiny, groups="sex", score="risk", capacity=3, min_cell=0, n_boot=0)
    assert rep.to_frame()["n_flagged"].tolist() == [3, 0]  # .9 .8 .7 all F
    rep = audits.audit(tiny, groups="sex", score="risk", capacity=0.25, min_cell=0, n_boot=0)
    assert rep.overall["n_flagged"] == 3
    rep = audits.audit(tiny, groups="sex", score="risk", threshold=0.5, min_cell=0, n_boot=0)
    assert rep.to_frame()["n_flagged"].tolist() == [3, 2]
    ties = pd.DataFrame({"g": list("abab"), "s": [0.5, 0.5, 0.5, 0.1]})
    rep = audits.audit(ties, groups="g", score="s", capacity=2, min_cell=0, n_boot=0)
    assert rep.to_frame()["n_flagged"].tolist() == [1, 1]  # rows 0 and 1, not row 2


def test_findings_text_and_comparisons():
    df = pd.DataFrame({"grp": ["X"] * 300 + ["Y"] * 300,
                       "flagged": [1] * 90 + [0] * 210 + [1] * 30 + [0] * 270})
    rep = audits.audit(df, groups="grp", flag="flagged", n_boot=500, random_state=0)
    assert len(rep.comparisons) == 1
    assert rep.findings[0].startswith("1 comparison made")
    assert len(rep.findings) == 2
    text = rep.findings[1]
    assert "grp = Y" in text and "0.33" in text and "Holm-adjusted" in text
    assert "3.00 times less often" in text
    # no disparity -> only the summary line
    df2 = pd.DataFrame({"grp": ["X", "Y"] * 200, "flagged": [1, 1, 0, 0] * 100})
    rep2 = audits.audit(df2, groups="grp", flag="flagged", n_boot=200, random_state=0)
    assert len(rep2.findings) == 1 and "0 have" in rep2.findings[0]


def test_repr_is_compact(cohort):
    rep = audits.audit(cohort, groups=["sex", "fsm"], flag="flagged", n_boot=50, random_state=0)
    r = repr(rep)
    assert r.startswith("AuditReport(2 attributes, 4 groups, n=400, n_boot=50")
    assert "\n" not in r
    with pytest.raises(AttributeError):
        rep.findings = ()
