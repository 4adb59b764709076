"""Small-cell suppression, primary and secondary."""

import numpy as np
import pandas as pd
import pytest
from screening.audits import _messages as msg
from screening.audits._suppress import complement

from screening import audits


def _frame(sizes, flagged, outcome=None):
    rows = []
    for i, (g, n) in enumerate(sizes.items()):
        k = flagged[g]
        for j in range(n):
            row = {"g": g, "flagged": int(j < k)}
            if outcome is not None:
                row["outcome"] = int(j >= n - outcome[g])
            rows.append(row)
    return pd.DataFrame(rows)


COUNT_COLS = ["n", "n_flagged", "n_outcome", "flag_rate", "flag_ratio", "flag_ratio_low",
              "base_rate", "tpr", "fpr", "fnr", "ppv", "mean_score"]


def test_primary_and_secondary_row_suppression():
    df = _frame({"A": 60, "B": 40, "C": 5}, {"A": 30, "B": 20, "C": 2})
    f = audits.audit(df, groups="g", flag="flagged", n_boot=50, random_state=0).to_frame()
    f = f.set_index("group")
    assert f.loc["C", "suppressed"]  # primary: n = 5 < 10
    assert f.loc["B", "suppressed"]  # secondary: total - A - B would reveal C
    assert not f.loc["A", "suppressed"]
    for g in ("B", "C"):
        assert f.loc[g, COUNT_COLS].isna().all(), g
        assert f.loc[g, "note"] == msg.NOTE_SUPPRESSED.format(10)
    assert f.loc["A", "n"] == 60


def test_two_primary_cells_need_no_secondary_when_their_total_is_safe():
    df = _frame({"A": 60, "B": 40, "C": 5, "D": 6}, {"A": 30, "B": 20, "C": 0, "D": 0})
    f = audits.audit(df, groups="g", flag="flagged", n_boot=0).to_frame().set_index("group")
    assert f.loc[["C", "D"], "suppressed"].all()
    assert not f.loc[["A", "B"], "suppressed"].any()


def test_hidden_cells_whose_total_is_small_get_a_third():
    # C + D = 8 = total - A - B would be a count of 8 pupils (those in C or D)
    df = _frame({"A": 60, "B": 40, "C": 5, "D": 3}, {"A": 30, "B": 20, "C": 0, "D": 0})
    f = audits.audit(df, groups="g", flag="flagged", n_boot=0).to_frame().set_index("group")
    assert f.loc[["C", "D", "B"], "suppressed"].all()
    assert not f.loc["A", "suppressed"]


def test_small_flag_counts_are_hidden_with_secondary():
    # A has 3 flagged (hidden); B (smallest non-zero flag count left) hidden too; C shown
    df = _frame({"A": 50, "B": 40, "C": 60}, {"A": 3, "B": 20, "C": 30},
                outcome={"A": 20, "B": 20, "C": 20})
    f = audits.audit(df, groups="g", flag="flagged", outcome="outcome", n_boot=50,
                     random_state=0).to_frame().set_index("group")
    assert f.loc["A", "n"] == 50 and pd.isna(f.loc["A", "n_flagged"])
    assert np.isnan(f.loc["A", "flag_rate"]) and np.isnan(f.loc["A", "flag_ratio"])
    assert np.isnan(f.loc["A", "ppv"]) and np.isnan(f.loc["A", "tpr"])
    assert pd.isna(f.loc["B", "n_flagged"])
    assert f.loc["C", "n_flagged"] == 30
    assert msg.NOTE_FLAG_HIDDEN.format(9) in f.loc["A", "note"]
    assert f.loc["A", "n_outcome"] == 20  # outcome counts are safe and shown


def test_complement_of_unflagged_count_is_protected():
    # all but 2 of A flagged: n - n_flagged = 2 would be revealed by the rate
    df = _frame({"A": 40, "B": 40, "C": 40}, {"A": 38, "B": 10, "C": 20})
    f = audits.audit(df, groups="g", flag="flagged", n_boot=0).to_frame().set_index("group")
    assert np.isnan(f.loc["A", "flag_rate"])


def _safe(x, m):
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    return np.all((np.round(x) == 0) | (np.round(x) >= m))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_small_count_can_be_read_or_derived(seed):
    rng = np.random.default_rng(seed)
    n = 300
    df = pd.DataFrame({
        "g": rng.choice(list("ABCDEF"), n, p=[.4, .3, .15, .08, .05, .02]),
        "flagged": rng.random(n) < 0.15,
        "outcome": rng.random(n) < 0.2,
    })
    mc = 10
    f = audits.audit(df, groups="g", flag="flagged", outcome="outcome", n_boot=0,
                     min_cell=mc).to_frame()
    n_ = f["n"].astype(float)
    for col in ("n", "n_flagged", "n_outcome"):
        assert _safe(f[col].astype(float), mc), col
    # rates times a shown denominator give counts: those must be safe too
    assert _safe(f["flag_rate"] * n_, mc) and _safe((1 - f["flag_rate"]) * n_, mc)
    assert _safe(f["base_rate"] * n_, mc)
    assert _safe(f["tpr"] * f["n_outcome"].astype(float), mc)
    assert _safe(f["ppv"] * f["n_flagged"].astype(float), mc)
    assert _safe(f["fpr"] * (n_ - f["n_outcome"].astype(float)), mc)
    # secondary: never exactly one hidden non-empty group per quantity
    for col in ("n", "n_flagged", "n_outcome"):
        assert f[col].isna().sum() != 1, col


def test_min_cell_zero_disables_suppression():
    df = _frame({"A": 60, "B": 3}, {"A": 30, "B": 1})
    f = audits.audit(df, groups="g", flag="flagged", n_boot=0, min_cell=0).to_frame()
    assert not f["suppressed"].any() and f["n"].tolist() == [60, 3]


def test_complement_picks_next_smallest():
    hidden = np.array([[False, True, False, False], [True, True, False, False]])
    value = np.array([[0, 4, 30, 12], [3, 2, 50, 60]])
    n = np.array([[20, 40, 60, 50], [30, 20, 50, 60]])
    out = complement(hidden, value, n)
    # row 0: value 0 not preferred, so the 12 is hidden; row 1 already has two
    assert out.tolist() == [[False, True, False, True], [True, True, False, False]]


def test_intersection_cells_are_protected_against_margins():
    # F x True has 4 pupils (primary). F x False = F - F x True would reveal it, and
    # M x True = (fsm True) - F x True too: the slices F x . and . x True each need a
    # second hidden cell.
    df = pd.DataFrame({
        "sex": ["F"] * 54 + ["M"] * 80,
        "fsm": [True] * 4 + [False] * 50 + [True] * 30 + [False] * 50,
        "flagged": [0, 1] * 67,
    })
    rep = audits.audit(df, groups=["sex", "fsm"], intersections=[("sex", "fsm")],
                       flag="flagged", n_boot=0)
    f = rep.to_frame()
    cells = f[f["attribute"] == "sex × fsm"].set_index("group")["suppressed"]
    assert cells.all()  # a 2x2 table with one small cell must hide all four
    margins = f[f["attribute"] != "sex × fsm"]
    assert not margins["suppressed"].any()


def test_breakdown_cells_are_protected_across_schools():
    # group B: 30 pupils, 25 in school s1 and 5 in s2. The main table shows B = 30, so
    # showing B in s1 would reveal s2's 5: s1 must be hidden too.
    df = pd.DataFrame({
        "g": ["A"] * 100 + ["B"] * 30,
        "school": ["s1"] * 50 + ["s2"] * 50 + ["s1"] * 25 + ["s2"] * 5,
        "flagged": [1, 0] * 65,
    })
    rep = audits.audit(df, groups="g", flag="flagged", n_boot=0, controls="school")
    b = rep.breakdown("school").set_index(["control_value", "group"])
    assert b.loc[("s2", "B"), "suppressed"] and b.loc[("s1", "B"), "suppressed"]
    for col in ("n", "n_flagged", "n_outcome"):
        for gname, sub in b.groupby(level="group"):
            assert sub[col].isna().sum() != 1, (col, gname)


def test_group_hidden_in_main_table_is_hidden_in_every_school():
    df = pd.DataFrame({
        "g": ["A"] * 100 + ["B"] * 40 + ["C"] * 6,
        "school": (["s1", "s2"] * 73),
        "flagged": [1, 0] * 73,
    })
    rep = audits.audit(df, groups="g", flag="flagged", n_boot=0, controls="school")
    main = rep.to_frame().set_index("group")["suppressed"]
    assert main["B"] and main["C"]
    b = rep.breakdown("school")
    assert b.loc[b["group"].isin(["B", "C"]), "suppressed"].all()


def test_hidden_reference_hides_ratios_with_a_note():
    df = _frame({"A": 60, "B": 40, "C": 50}, {"A": 30, "B": 20, "C": 4})
    f = audits.audit(df, groups="g", flag="flagged", reference={"g": "C"}, n_boot=20,
                     random_state=0).to_frame().set_index("group")
    assert np.isnan(f.loc["C", "flag_rate"])
    assert f.loc[["A", "B"], "flag_ratio"].isna().all()
    assert msg.NOTE_REF_ABSENT in f.loc["A", "note"]
    # ratio to the whole cohort is still shown for groups whose own counts are safe
    assert f.loc["A", "flag_ratio_overall"] == pytest.approx(0.5 / (54 / 150))
    assert pd.isna(f.loc["B", "n_flagged"])  # secondary: B's flags hidden with C's
