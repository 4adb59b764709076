"""capacity_curve: every capacity flags by flag_top, counts agree with the audit, small
counts are hidden."""

import numpy as np
import pandas as pd
import pytest

from screening import audits


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    n = 4000
    g = rng.choice(["a", "b", "c"], size=n, p=[0.6, 0.35, 0.05])
    risk = rng.random(n) + (g == "b") * 0.2
    y = (rng.random(n) < 0.05 + 0.1 * (risk > 0.9)).astype(int)
    return pd.DataFrame({"id": [f"P{i:05d}" for i in range(n)], "risk": risk.round(2),
                         "y": y, "g": g})


def test_rows_match_flag_top_and_the_audit(frame):
    curve = audits.capacity_curve(frame, score="risk", outcome="y", groups=["g"],
                                  capacities=[0.02, 0.1, 50], tiebreak="id")
    assert list(curve.columns) == audits.CURVE_COLUMNS
    for cap in (0.02, 0.1, 50):
        flag = audits.flag_top(frame["risk"], capacity=cap, tiebreak=frame["id"])
        row = curve[(curve["capacity"] == cap) & (curve["attribute"] == "all")].iloc[0]
        tp = int((flag & (frame["y"] == 1)).sum())
        assert row["n_flagged"] == flag.sum()
        assert row["precision"] == pytest.approx(tp / flag.sum())
        assert row["recall"] == pytest.approx(tp / frame["y"].sum())
        # the same flags audited: the same count per group
        rep = audits.audit(frame.assign(f=flag), groups="g", flag="f", n_boot=0)
        shown = curve[(curve["capacity"] == cap) & (curve["attribute"] == "g")
                      & ~curve["suppressed"]]
        for r in shown.itertuples():
            ref = rep.by_group[rep.by_group["group"] == r.group]["n_flagged"].iloc[0]
            if not pd.isna(ref):
                assert int(ref) == int(r.n_flagged)


def test_amplification_is_share_of_flags_over_share_of_outcomes(frame):
    curve = audits.capacity_curve(frame, score="risk", outcome="y", groups=["g"],
                                  capacities=[0.2])
    a = curve[(curve["attribute"] == "g") & ~curve["suppressed"]].iloc[0]
    total = curve[curve["attribute"] == "all"].iloc[0]
    expect = (a["n_flagged"] / total["n_flagged"]) / (a["n_outcome"] / total["n_outcome"])
    assert a["amplification"] == pytest.approx(expect)


def test_small_counts_are_hidden_with_a_complement(frame):
    curve = audits.capacity_curve(frame, score="risk", outcome="y", groups=["g"],
                                  capacities=[0.01], min_cell=10)
    grp = curve[curve["attribute"] == "g"]
    shown = grp[~grp["suppressed"]]
    for col in ("n_flagged", "n_outcome", "n_true_positive"):
        v = grp[col].dropna()
        assert not ((v > 0) & (v < 10)).any(), col
        # never exactly one group's count hidden: the total would give it away
        assert grp[col].isna().sum() != 1, col
    assert len(shown) < len(grp)
    assert grp.loc[grp["n_true_positive"].isna(), ["precision", "recall"]].isna().all().all()
    assert grp.loc[grp["n_flagged"].isna(), ["flag_rate", "amplification"]].isna().all().all()
    assert (grp["n_true_positive"].isna() | grp["n_flagged"].isna()).sum() >= 2


def test_errors_name_the_fix(frame):
    with pytest.raises(KeyError, match="Available columns"):
        audits.capacity_curve(frame, score="nope", outcome="y")
    with pytest.raises(ValueError, match="capacity must be"):
        audits.capacity_curve(frame, score="risk", outcome="y", capacities=[2.5])
    with pytest.raises(ValueError, match="only 0/1"):
        audits.capacity_curve(frame.assign(y=2), score="risk", outcome="y")
