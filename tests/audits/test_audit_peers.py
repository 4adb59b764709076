"""What aequitas and fairlearn report: error rates and their disparities, references, units;
flags against a recent cohort's outcomes; government symbols in CSV."""

import re

import numpy as np
import pandas as pd
import pytest
from screening.audits import _messages as msg
from sklearn.metrics import confusion_matrix

from screening import audits


def _match(const):
    return re.escape(const.split("{")[0][:60])


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(5)
    n = 4000
    df = pd.DataFrame({"race": rng.choice(["A", "B", "C"], n, p=[.5, .35, .15]),
                       "sex": rng.choice(["F", "M"], n)})
    risk = rng.beta(2, 6, n) * np.where(df.race == "B", 1.4, 1.0)
    df["outcome"] = rng.random(n) < risk
    df["flagged"] = risk > np.quantile(risk, 0.8)
    return df


def test_every_error_rate_matches_the_confusion_matrix(scored):
    f = audits.audit(scored, groups="race", flag="flagged", outcome="outcome",
                     n_boot=100, random_state=0).to_frame().set_index("group")
    for g, sub in scored.groupby("race"):
        tn, fp, fn, tp = confusion_matrix(sub.outcome, sub.flagged).ravel()
        want = {"tpr": tp / (tp + fn), "fnr": fn / (tp + fn), "fpr": fp / (fp + tn),
                "tnr": tn / (fp + tn), "ppv": tp / (tp + fp), "fdr": fp / (tp + fp),
                "npv": tn / (tn + fn), "for": fn / (tn + fn)}
        for k, v in want.items():
            assert f.loc[g, k] == pytest.approx(v), (g, k)
    ref = f.loc["A"]
    for e in ("fpr", "fnr", "ppv", "npv", "fdr", "for", "tnr", "tpr"):
        assert f.loc["B", f"{e}_ratio"] == pytest.approx(f.loc["B", e] / ref[e])
        assert f.loc["B", f"{e}_diff"] == pytest.approx(f.loc["B", e] - ref[e])
        assert f.loc["B", f"{e}_ratio_low"] <= f.loc["B", f"{e}_ratio"] <= f.loc[
            "B", f"{e}_ratio_high"]
    assert f.loc["B", "flag_rate_diff"] == pytest.approx(f.loc["B", "flag_rate"] -
                                                         ref["flag_rate"])


def test_reference_rules(scored):
    def refs(rule):
        return audits.audit(scored, groups=["race", "sex"], flag="flagged", n_boot=0,
                            reference=rule).references

    assert refs("largest") == {"race": "A", "sex": refs(None)["sex"]}
    rates = scored.groupby("race").flagged.mean()
    assert refs("lowest")["race"] == rates.idxmin()
    assert refs("cohort") == {"race": "whole cohort", "sex": "whole cohort"}
    rep = audits.audit(scored, groups="race", flag="flagged", n_boot=0, reference="cohort")
    f = rep.to_frame().set_index("group")
    assert f.loc["B", "flag_ratio"] == pytest.approx(rates["B"] / scored.flagged.mean())
    assert not f["reference"].any()
    assert "the whole cohort" in rep.comparisons["sentence"].str.cat()
    with pytest.raises(ValueError, match=_match(msg._REFERENCE_RULE)):
        refs("smallest")


def test_band_and_unit_nouns(scored):
    rep = audits.audit(scored, groups="race", flag="flagged", n_boot=200, random_state=0,
                       unit="defendants", band=(0.5, 2.0))
    text = " ".join(rep.findings)
    assert "pupils" not in text.lower() and "Defendants with race = B" in text
    assert "outside 0.5-2" in rep.findings[0]
    wide = audits.audit(scored, groups="race", flag="flagged", n_boot=200, random_state=0,
                        band=(0.2, 5.0))
    assert not wide.comparisons["finding"].any()
    with pytest.raises(ValueError, match=_match(msg._BAND)):
        audits.audit(scored, groups="race", flag="flagged", band=(1.2, 0.8))
    with pytest.raises(ValueError, match=_match(msg._UNIT)):
        audits.audit(scored, groups="race", flag="flagged", unit="")


def test_tests_argument_adds_error_rate_disparities_to_holm(scored):
    rep = audits.audit(scored, groups="race", flag="flagged", outcome="outcome", n_boot=0,
                       tests=["flag_ratio", "fpr_ratio", "fnr_ratio", "ppv_ratio"])
    assert set(rep.comparisons["measure"]) == {"flag_ratio", "fpr_ratio", "fnr_ratio",
                                               "ppv_ratio"}
    assert len(rep.comparisons) == 8
    with pytest.raises(ValueError, match=_match(msg._TESTS)):
        audits.audit(scored, groups="race", flag="flagged", tests=["auc"])


def test_recent_amplification_compares_flags_with_recent_outcomes():
    rng = np.random.default_rng(9)
    n = 6000

    def cohort(rate_b):
        g = rng.choice(["A", "B"], n, p=[.7, .3])
        return pd.DataFrame({"g": g, "y": rng.random(n) < np.where(g == "B", rate_b, .05)})

    recent = cohort(0.10)  # B had the outcome twice as often, recently
    now = cohort(0.10)
    now["flagged"] = rng.random(n) < np.where(now.g == "B", 0.20, 0.05)  # flagged 4x
    rep = audits.audit(now, groups="g", flag="flagged", n_boot=500, random_state=0,
                       recent=recent, recent_outcome="y", recent_label="census 2023-10-05")
    b = rep.to_frame().set_index("group").loc["B"]
    assert b["recent_base_ratio"] == pytest.approx(2.0, rel=0.2)
    assert b["recent_amplification"] == pytest.approx(2.0, rel=0.25)
    assert b["recent_amplification_low"] > 1
    assert rep.params["recent_label"] == "census 2023-10-05"
    comp = rep.comparisons.set_index("measure")
    assert comp.loc["recent_amplification", "p_holm"] < 0.05
    assert "recent cohort" in comp.loc["recent_amplification", "sentence"]
    with pytest.raises(ValueError, match=_match(msg._RECENT_OUTCOME)):
        audits.audit(now, groups="g", flag="flagged", recent=recent)
    with pytest.raises(KeyError, match=_match(msg._RECENT_GROUPS)):
        audits.audit(now, groups="g", flag="flagged", recent=recent.rename(columns={"g": "h"}),
                     recent_outcome="y")
    with pytest.raises(TypeError, match=_match(msg._RECENT_TYPE)):
        audits.audit(now, groups="g", flag="flagged", recent=[1], recent_outcome="y")


def test_csv_symbols():
    rows = [("a", 30, 15), ("b", 25, 5), ("c", 4, 1)]
    df = pd.DataFrame([{"g": g, "f": int(j < k)} for g, n, k in rows for j in range(n)])
    rep = audits.audit(df, groups="g", flag="f", n_boot=0)
    out = pd.read_csv(pd.io.common.StringIO(rep.to_csv(symbols=True)), dtype=str)
    out = out.set_index("group")
    assert out.loc["c", "n"] == "c"  # suppressed
    assert out.loc["a", "n_outcome"] == "z"  # no outcome given: not applicable
    assert out.loc["a", "flag_ratio_low"] == "z"  # no bootstrap asked for
    tiny = audits.audit(pd.DataFrame({"g": ["a"] * 2000 + ["b"] * 2000,
                                      "f": [1] + [0] * 3999}), groups="g", flag="f",
                        n_boot=0, min_cell=0)
    rounded = pd.read_csv(pd.io.common.StringIO(tiny.to_csv(symbols=True, decimals=2)),
                          dtype=str).set_index("group")
    assert rounded.loc["a", "flag_rate"] == "low"  # 1 / 2000 rounds to 0.00
    assert rounded.loc["b", "flag_rate"] == "0.0"  # a true zero stays zero
    with pytest.raises(ValueError, match=_match(msg._SYMBOLS)):
        rep.to_csv(symbols="yes")
