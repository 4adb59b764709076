"""p-values from the counts: power, calibration under the null, agreement with the bootstrap."""

import numpy as np
import pandas as pd
import pytest
from screening.audits._pvalues import log_amp_var, rate_ratio_p, wald_p

from screening import audits


def _groups_frame(rng, n_groups, n_per, rates, outcome_rates=None):
    g = np.repeat([f"g{i:02d}" for i in range(n_groups)], n_per)
    p = np.repeat(rates, n_per)
    df = pd.DataFrame({"g": g, "flagged": rng.random(len(g)) < p})
    if outcome_rates is not None:
        df["outcome"] = rng.random(len(g)) < np.repeat(outcome_rates, n_per)
    return df


def test_thirty_groups_with_ratio_four_are_significant_after_holm():
    # the case: with bootstrap p-values, Holm over 29 comparisons floored every
    # p at 29 * 2 / 1001 = 0.058, so nothing could be significant
    rng = np.random.default_rng(14)
    rates = np.r_[0.025, np.full(29, 0.10)]
    df = _groups_frame(rng, 30, 2000, rates)
    rep = audits.audit(df, groups="g", flag="flagged", reference={"g": "g00"}, n_boot=1000,
                       random_state=0)
    comp = rep.comparisons
    assert len(comp) == 29
    assert (comp["p_holm"] < 0.05).all(), comp["p_holm"].max()
    assert comp["finding"].all()
    assert comp["p"].max() < 1e-10  # far below the bootstrap's floor of 2 / 1001
    assert (comp["p_bootstrap"] >= 2 / 1001 - 1e-12).all()
    assert "significant at 5%" in comp["sentence"].iloc[0]
    assert "not significant" not in " ".join(comp["sentence"])


def test_true_ratio_one_gives_five_percent_false_findings():
    """200 simulated audits x 9 comparisons with no true difference."""
    rng = np.random.default_rng(2024)
    raw, family = [], []
    for _ in range(200):
        df = _groups_frame(rng, 10, 400, np.full(10, 0.12))
        comp = audits.audit(df, groups="g", flag="flagged", reference={"g": "g00"},
                            n_boot=0, min_cell=0).comparisons
        raw.append((comp["p"] < 0.05).mean())
        family.append((comp["p_holm"] < 0.05).any())
    per_comparison = float(np.mean(raw))
    assert 0.035 <= per_comparison <= 0.065, per_comparison  # calibrated p-values
    assert np.mean(family) <= 0.075, np.mean(family)  # Holm keeps the family rate ~5%


@pytest.mark.parametrize("x1,x0", [(60, 40), (45, 30), (80, 50)])
def test_rate_ratio_p_agrees_with_the_bootstrap(x1, x0):
    rng = np.random.default_rng(x1)
    df = pd.DataFrame({"g": ["a"] * 500 + ["b"] * 500,
                       "flagged": [1] * x1 + [0] * (500 - x1) + [1] * x0 + [0] * (500 - x0)})
    rep = audits.audit(df, groups="g", flag="flagged", reference={"g": "b"}, n_boot=20000,
                       random_state=rng, min_cell=0)
    row = rep.comparisons.iloc[0]
    assert abs(row["p"] - row["p_bootstrap"]) < 0.25 * max(row["p"], 0.01) + 0.005, row


def test_amplification_p_agrees_with_the_bootstrap():
    rng = np.random.default_rng(3)
    n = 1500
    g = np.repeat(["a", "b"], n)
    risk = np.where(g == "a", 0.15, 0.10)
    outcome = rng.random(2 * n) < risk
    # flags fall on group a more than its outcome rate explains
    flag = rng.random(2 * n) < np.where(g == "a", 0.12, 0.06) + 0.2 * outcome
    df = pd.DataFrame({"g": g, "flagged": flag, "outcome": outcome})
    rep = audits.audit(df, groups="g", flag="flagged", outcome="outcome",
                       reference={"g": "b"}, n_boot=20000, random_state=1, min_cell=0)
    row = rep.comparisons.set_index("measure").loc["amplification"]
    assert 0.0005 < row["p"] < 0.5
    assert abs(np.log(row["p"]) - np.log(max(row["p_bootstrap"], 1e-4))) < 0.6, row


def test_p_values_do_not_move_with_n_boot(cohort):
    a = audits.audit(cohort, groups="sex", flag="flagged", n_boot=50, random_state=0)
    b = audits.audit(cohort, groups="sex", flag="flagged", n_boot=500, random_state=1)
    assert np.allclose(a.comparisons["p"], b.comparisons["p"])
    assert "score test" in a.params["p_value_method"]


def test_closed_forms():
    # pooled two-proportion z: 30/100 vs 15/100, z = 2.54
    assert rate_ratio_p(30, 100, 15, 100) == pytest.approx(0.0111, abs=1e-4)
    assert np.isnan(rate_ratio_p(0, 100, 0, 100))  # nothing to test
    # delta-method variance: independent flag and outcome (p_tp = pF pO) reduces to the sum
    c = np.array([4.0, 16.0, 16.0, 64.0])  # pF = pO = 0.2, p_tp = 0.04
    assert log_amp_var(c) == pytest.approx((1 / 20 - 1 / 100) * 2)
    assert np.isnan(wald_p(np.log(2), np.inf))
