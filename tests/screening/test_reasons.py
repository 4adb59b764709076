"""A reason nearly every pupil of a year group shares is never listed as a reason."""

import pandas as pd

from screening._reasons import MIN_PUPILS, SHARED_SHARE, distinguishing_reasons

NEW = "New to the school < 1: +4 points"


def _frame(rows):
    width = max(len(r) for r in rows)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows],
                        columns=[f"reason_{i + 1}" for i in range(width)])


def test_new_to_the_school_never_leads_for_september_year7s():
    rows = [[NEW, f"Absence band {i % 3}: +2 points"] + (["SEN support: +5 points"] if i % 2
                                                          else []) for i in range(60)]
    out, shared = distinguishing_reasons(_frame(rows), [7] * 60)
    assert shared == {7: [NEW]}
    assert not out.isin([NEW]).any().any()
    assert out.loc[0, "reason_1"] == "Absence band 0: +2 points"  # the order is kept
    assert out.loc[1, "reason_2"] == "SEN support: +5 points"


def test_only_the_year_group_that_shares_it_loses_it():
    rows = [[NEW, "Absence: +2 points"]] * 40 + [["Absence: +2 points"], [NEW]] * 20
    years = [7] * 40 + [6] * 40
    out, shared = distinguishing_reasons(_frame(rows), years)
    assert shared == {7: sorted([NEW, "Absence: +2 points"])}
    assert (out.loc[40:, "reason_1"] != "").all()  # Year 6: half each, both kept


def test_a_reason_most_but_not_nearly_all_share_is_kept():
    n = 100
    k = int(SHARED_SHARE * n) - 1
    rows = [[NEW]] * k + [["Other: +1 point"]] * (n - k)
    out, shared = distinguishing_reasons(_frame(rows), [7] * n)
    assert shared == {} and (out["reason_1"] == _frame(rows)["reason_1"]).all()


def test_small_year_groups_keep_every_reason():
    rows = [[NEW]] * (MIN_PUPILS - 1)
    out, shared = distinguishing_reasons(_frame(rows), [7] * (MIN_PUPILS - 1))
    assert shared == {} and (out["reason_1"] == NEW).all()
