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


def test_reasons_as_codes_are_the_reasons_as_texts():
    """The codes path (the scorecard's) gives what the frame of texts gives: equal texts
    share a code, -1 is blank, and texts that no row holds change nothing."""
    import numpy as np

    from screening._reasons import distinguishing_reason_codes

    rng = np.random.default_rng(3)
    vocab = np.array([NEW, "Absence: +2 points", "SEN support: +5 points", "Unused: +1 point",
                      "Moves: +1 point"], dtype=object)
    for n, years in ((0, []), (25, [7] * 25), (90, [5] * 40 + [6] * 35 + [7] * 15)):
        codes = np.full((n, 4), -1, dtype=np.intp)
        for i in range(n):  # distinct reasons per row, most rows holding NEW first
            row = rng.permutation([0, 1, 2, 4])[:rng.integers(0, 5)]
            if i % 25:
                row = np.r_[0, row[row != 0]]
            codes[i, :len(row)] = row
        texts = np.append(vocab, "")[codes]
        frame = pd.DataFrame(texts, columns=[f"reason_{i + 1}" for i in range(4)])
        for k in (1, 3, 5):
            want, want_shared = distinguishing_reasons(frame, years, k=k)
            got, shared = distinguishing_reason_codes(codes, vocab, years, k=k)
            pd.testing.assert_frame_equal(got, want, check_exact=True)
            assert shared == want_shared
