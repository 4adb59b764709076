"""The longer-history suspension features look back a fixed 24 months, never "ever".

An "ever" count grows with the length of the extract (two years of records at one
census, four at a later one), so the same pupil would score higher at a later census
for no reason. These tests pin the window: ``census - 24 months <= start < census``.
"""

import pandas as pd
import pytest

from screening import features

WINDOW = ["suspensions_24m", "any_exclusion_24m", "exclusions_violence_24m",
          "exclusions_disruption_24m", "exclusions_other_24m", "permanent_exclusion_24m"]


def _records(census, events, shift_months=0):
    """One Y6 pupil with suspensions ``events`` given as (months before census, category,
    reason); ``shift_months`` moves the pupil, the census and every date later."""
    census = pd.Timestamp(census) + pd.DateOffset(months=shift_months)
    ago = lambda m, days=0: (census - pd.DateOffset(months=m)  # noqa: E731
                             + pd.Timedelta(days=days)).strftime("%Y-%m-%d")
    pupils = pd.DataFrame({"upn": ["P1"], "date_of_birth": [ago(12 * 11 + 1)],
                           "sex": ["F"], "ethnicity": ["WBRI"], "fsm": ["N"], "eal": ["N"]})
    enrolments = pd.DataFrame({"upn": ["P1"], "school": ["S1"],
                               "entry_date": [ago(12 * 7)], "leaving_date": [None],
                               "phase": ["primary"]})
    suspensions = pd.DataFrame({
        "upn": ["P1"] * len(events),
        "start_date": [ago(m, d) for m, d, _, _ in events],
        "category": [c for _, _, c, _ in events],
        "sessions": [2] * len(events),
        "reason": [r for _, _, _, r in events]})
    attendance = pd.DataFrame({"upn": ["P1"], "period_start": [ago(4)],
                               "period_end": [ago(2)], "sessions_possible": [80],
                               "sessions_authorised": [2], "sessions_unauthorised": [0]})
    sen = pd.DataFrame(columns=["upn", "start_date", "end_date", "provision",
                                "primary_need"])
    recs = features.Records(pupils=pupils, enrolments=enrolments, attendance=attendance,
                            suspensions=suspensions, sen=sen)
    return recs, census


def _window(events, census="2022-10-06", shift_months=0):
    recs, t = _records(census, events, shift_months)
    X = features.build(recs, as_of=t, year_groups=(6,))
    assert list(X.index) == ["P1"]
    return X.loc["P1", WINDOW]


# (months before the census, days after that date, category, reason)
RECENT = [(1, 0, "FIXD", "VA"), (13, 0, "FIXD", "DB"), (23, 0, "PERM", "TH")]


def test_the_same_history_shifted_later_gives_the_same_values():
    first = _window(RECENT)
    assert first.tolist() == [2, True, 1, 1, 1, True]
    for shift in (12, 24, 37):
        pd.testing.assert_series_equal(_window(RECENT, shift_months=shift), first)


def test_a_longer_extract_does_not_grow_the_features():
    older = [(m, 0, "FIXD", r) for m, r in ((25, "VA"), (30, "DB"), (40, "TH"), (47, "PA"))]
    older += [(36, 0, "PERM", "VA")]
    pd.testing.assert_series_equal(_window(RECENT + older, shift_months=24),
                                   _window(RECENT))


@pytest.mark.parametrize("months, days, counts", [
    (25, 0, False),   # 25 months before the census: outside the window
    (24, -1, False),  # the day before the window opens
    (24, 0, True),    # exactly 24 months before: the first day of the window
    (0, -1, True),    # the day before the census
    (0, 0, False),    # on the census date: not known yet
])
def test_the_window_edges(months, days, counts):
    x = _window([(months, days, "FIXD", "VA")])
    assert x["suspensions_24m"] == int(counts) and x["exclusions_violence_24m"] == int(counts)
    assert x["any_exclusion_24m"] == counts and not x["permanent_exclusion_24m"]


def test_a_permanent_exclusion_more_than_24_months_ago_no_longer_counts():
    assert not _window([(25, 0, "PERM", "DB")])["permanent_exclusion_24m"]
    x = _window([(20, 0, "PERM", "DB")])
    assert x["permanent_exclusion_24m"] and x["suspensions_24m"] == 0
    assert x["exclusions_disruption_24m"] == 1


HISTORY = ["sen_24m", "schools_24m", "days_since_last_exclusion_24m",
           "episode_child_in_need_count_24m", "suspensions_24m", "any_exclusion_24m"]


def _history(extract_years, census="2022-10-06"):
    """One Y6 pupil whose records start ``extract_years`` before the census: the same
    last two years, plus (for a longer extract) an older school, SEN spell, suspension
    and child-in-need episode that all ended more than 24 months before."""
    t = pd.Timestamp(census)
    ago = lambda m: (t - pd.DateOffset(months=m)).strftime("%Y-%m-%d")  # noqa: E731
    old = extract_years > 2
    pupils = pd.DataFrame({"upn": ["P1"], "date_of_birth": [ago(12 * 11 + 1)],
                           "sex": ["F"], "ethnicity": ["WBRI"], "fsm": ["N"], "eal": ["N"]})
    enrolments = pd.DataFrame({
        "upn": ["P1"] * (2 + old), "school": ["S2", "S3"] + ["S1"] * old,
        "entry_date": [ago(20), ago(8)] + [ago(40)] * old,
        "leaving_date": [ago(8), None] + [ago(30)] * old,
        "phase": ["primary"] * (2 + old)})
    suspensions = pd.DataFrame({
        "upn": ["P1"] * (1 + old), "start_date": [ago(5)] + [ago(34)] * old,
        "category": ["FIXD"] * (1 + old), "sessions": [2] * (1 + old),
        "reason": ["VA"] * (1 + old)})
    attendance = pd.DataFrame({"upn": ["P1"], "period_start": [ago(4)],
                               "period_end": [ago(2)], "sessions_possible": [80],
                               "sessions_authorised": [2], "sessions_unauthorised": [0]})
    sen = pd.DataFrame({"upn": ["P1"] * old, "start_date": [ago(44)] * old,
                        "end_date": [ago(28)] * old, "provision": ["K"] * old,
                        "primary_need": ["SEMH"] * old},
                       columns=["upn", "start_date", "end_date", "provision", "primary_need"])
    episodes = pd.DataFrame({"upn": ["P1"] * (1 + old),
                             "kind": ["child_in_need"] * (1 + old),
                             "start_date": [ago(10)] + [ago(38)] * old,
                             "end_date": [ago(6)] + [ago(30)] * old})
    recs = features.Records(pupils=pupils, enrolments=enrolments, attendance=attendance,
                            suspensions=suspensions, sen=sen, episodes=episodes)
    X = features.build(recs, as_of=t, year_groups=(6,), episode_kinds=["child_in_need"])
    return X.loc["P1", HISTORY]


def test_the_history_features_are_the_same_whether_the_extract_starts_2_or_4_years_before():
    two, four = _history(2), _history(4)
    # what an "ever" feature would have given with the 4-year extract: SEN, 3 schools,
    # the 34-month-old suspension counted; here only the last 24 months count
    assert two.tolist() == [False, 2.0, two["days_since_last_exclusion_24m"], 1.0, 1, True]
    assert 140 < two["days_since_last_exclusion_24m"] < 160
    pd.testing.assert_series_equal(four, two)


def test_no_exclusion_in_the_window_is_blank_however_old_the_last_one():
    x = _window([(25, 0, "FIXD", "VA"), (40, 0, "PERM", "DB")])
    assert x["suspensions_24m"] == 0
    recs, t = _records("2022-10-06", [(25, 0, "FIXD", "VA")])
    X = features.build(recs, as_of=t, year_groups=(6,))
    assert pd.isna(X.loc["P1", "days_since_last_exclusion_24m"])
    recs, t = _records("2022-10-06", [(23, 0, "FIXD", "VA")])
    X = features.build(recs, as_of=t, year_groups=(6,))
    assert 690 < X.loc["P1", "days_since_last_exclusion_24m"] < 710
