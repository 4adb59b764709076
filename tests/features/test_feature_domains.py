"""Every feature checked by hand on a three-pupil case at census T = 2023-10-05.

P1 (Y6): one primary school, termly attendance, nothing else.
P2 (Y6): moved school in January, dual registered in AP since June, suspended
         three times (one on the census day, which must not count), SEN support
         then an EHC plan; no attendance records.
P3 (Y7): primary then secondary from September, register marks only, permanently
         excluded last year.
"""

import numpy as np
import pandas as pd
import pytest
from screening.features._dates import DAYS_PER_MONTH

from screening import features

T = pd.Timestamp("2023-10-05")


def months(date):
    return (T - pd.Timestamp(date)).days / DAYS_PER_MONTH


def make_records():
    pupils = pd.DataFrame({
        "upn": ["P1", "P2", "P3"],
        "date_of_birth": ["2013-01-15", "2012-09-01", "2011-10-10"],
        "sex": ["F", "M", "M"],
    })
    enrolments = pd.DataFrame({
        "upn": ["P1", "P2", "P2", "P2", "P3", "P3"],
        "school": ["S1", "S1", "S2", "AP1", "S1", "S3"],
        "entry_date": ["2017-09-04", "2017-09-04", "2023-01-09", "2023-06-12",
                       "2016-09-05", "2023-09-04"],
        "leaving_date": [None, "2022-12-16", None, None, "2023-07-21", None],
        "phase": ["primary", "primary", "primary", "ap", "primary", "secondary"],
    })
    attendance = pd.DataFrame({
        "upn": ["P1", "P1"],
        "period_start": ["2022-10-10", "2023-01-03"],
        "period_end": ["2022-12-16", "2023-07-21"],
        "sessions_possible": [100, 200],
        "sessions_authorised": [10, 10],
        "sessions_unauthorised": [0, 20],
    })
    marks = pd.DataFrame({
        "upn": ["P3"] * 9,
        "date": ["2023-09-04", "2023-09-04", "2023-09-05", "2023-09-05", "2023-09-06",
                 "2023-09-06", "2023-09-07", "2023-09-07", "2023-10-05"],
        "session": ["AM", "PM"] * 4 + ["AM"],
        "code": ["/", "I", "L", "O", "M", "E", "D", "#", "O"],
    })
    suspensions = pd.DataFrame({
        "upn": ["P2", "P2", "P2", "P2", "P3"],
        "start_date": ["2023-02-01", "2023-05-10", "2021-03-01", "2023-10-05",
                       "2022-11-01"],
        "category": ["FIXD", "FIXD", "FIXD", "FIXD", "PERM"],
        "sessions": [4, None, 2, 10, None],
        "reason": ["PP;VA", "DB", "TH", "PA", "DA"],
        "school": ["S2", None, "S1", "S2", "S1"],
    })
    sen = pd.DataFrame({
        "upn": ["P2", "P2"],
        "start_date": ["2020-01-06", "2023-03-01"],
        "end_date": ["2022-07-20", None],
        "provision": ["K", "E"],
        "primary_need": ["SLCN", "SEMH"],
    })
    return features.Records(pupils=pupils, enrolments=enrolments, attendance=attendance,
                            attendance_marks=marks, suspensions=suspensions, sen=sen)


@pytest.fixture(scope="module")
def X():
    return features.build(make_records(), as_of=T)


def test_cohort_and_main_school(X):
    assert list(X.index) == ["P1", "P2", "P3"]
    assert X["school"].tolist() == ["S1", "S2", "S3"]
    assert X["year_group"].tolist() == [6, 6, 7]


def test_attendance_rates_and_flags(X):
    p1 = X.loc["P1"]
    assert p1["absence_rate_12m"] == pytest.approx(40 / 300)
    assert p1["unauthorised_rate_12m"] == pytest.approx(20 / 300)
    assert p1["absence_rate_last_year"] == pytest.approx(40 / 300)
    assert p1["unauthorised_rate_last_year"] == pytest.approx(20 / 300)
    assert p1["persistent_absence_12m"] == 1.0
    assert p1["severe_absence_12m"] == 0.0
    # trend: [T-4m, T) holds 47 of the summer period's 200 days (rate 0.15);
    # [T-16m, T-4m) holds all of period 1 and 153/200 of period 2.
    prior = (10 + 30 * 153 / 200) / (100 + 200 * 153 / 200)
    assert p1["absence_trend"] == pytest.approx(0.15 - prior)
    assert not p1["attendance_missing"]
    # 11 school months (Aug excluded). Sep 5 - Oct 5 starts after the recording
    # frontier (of P1 and P3, more than half reach only 2023-07-21): P3's own marks
    # to Sep 7 do not make it count for P1. The other 10 are all covered.
    assert p1["attendance_unrecorded_share"] == 0.0
    assert p1["marks_missing"]
    assert np.isnan(p1["marks_illness_share"])


def test_missing_attendance_is_explicit(X):
    p2 = X.loc["P2"]
    assert p2["attendance_missing"]
    for c in ("absence_rate_12m", "unauthorised_rate_12m", "absence_rate_last_year",
              "persistent_absence_12m", "severe_absence_12m", "absence_trend"):
        assert np.isnan(p2[c]), c
    assert p2["attendance_unrecorded_share"] == 1.0


def test_unrecorded_share_ignores_months_nobody_can_have_yet():
    rec = make_records()
    rec = features.Records(**{k: v for k, v in rec.raw.items()
                              if k != "attendance_marks" and v is not None})
    x = features.build(rec, T).loc["P1"]
    # latest known period_end is 2023-07-21: Sep 5 - Oct 5 is not counted, 10 months left
    assert x["attendance_unrecorded_share"] == 0.0


def test_marks_mix_and_marks_as_attendance(X):
    p3 = X.loc["P3"]
    # possible sessions before T: / I L O M E (D and # are not possible; the mark
    # on the census day is not known yet)
    assert not p3["marks_missing"]
    assert p3["marks_illness_share"] == pytest.approx(2 / 6)
    for c in ("marks_unauthorised_share", "marks_late_share", "marks_excluded_share"):
        assert p3[c] == pytest.approx(1 / 6), c
    assert p3["marks_part_time_share"] == 0
    assert p3["absence_rate_12m"] == pytest.approx(4 / 6)
    assert p3["unauthorised_rate_12m"] == pytest.approx(1 / 6)
    assert p3["severe_absence_12m"] == 1.0
    # P3's own marks reach Sep 7, so Sep 5 - Oct 5 counts for P3 (covered); the
    # 10 months before (at S1, no termly records) are bare
    assert p3["attendance_unrecorded_share"] == pytest.approx(10 / 11)


def test_suspension_features(X):
    p1, p2, p3 = (X.loc[u] for u in ("P1", "P2", "P3"))
    # 2021-03-01 (TH, "other") is more than 24 months before T: only in no window
    assert p2["suspensions_12m"] == 2 and p2["suspensions_24m"] == 2
    assert p2["suspension_sessions_12m"] == 4
    assert p2["any_exclusion_24m"] and p2["repeat_suspensions_12m"]
    assert p2["days_since_last_exclusion_24m"] == (T - pd.Timestamp("2023-05-10")).days
    assert (p2["exclusions_violence_24m"], p2["exclusions_disruption_24m"],
            p2["exclusions_other_24m"]) == (1, 1, 0)
    assert not p2["permanent_exclusion_24m"]
    assert p3["permanent_exclusion_24m"] and p3["any_exclusion_24m"]
    assert p3["suspensions_12m"] == 0 and p3["exclusions_other_24m"] == 1
    assert p3["days_since_last_exclusion_24m"] == (T - pd.Timestamp("2022-11-01")).days
    assert not p1["any_exclusion_24m"] and np.isnan(p1["days_since_last_exclusion_24m"])
    assert p1["suspensions_24m"] == 0


def test_sen_features(X):
    p1, p2 = X.loc["P1"], X.loc["P2"]
    assert p2["sen_provision"] == "ehcp" and p2["sen_primary_need"] == "SEMH"
    assert p2["sen_24m"] and p2["sen_escalated"]
    assert p2["months_since_sen_identified"] == pytest.approx(months("2020-01-06"))
    assert p1["sen_provision"] == "none" and p1["sen_primary_need"] == "none"
    assert not p1["sen_24m"] and not p1["sen_escalated"]
    assert np.isnan(p1["months_since_sen_identified"])


def test_transition_features(X):
    p1, p2, p3 = (X.loc[u] for u in ("P1", "P2", "P3"))
    assert p2["dual_registered"] and p2["in_ap_now"] and p2["ever_in_ap"]
    assert p2["schools_24m"] == 3
    assert p2["in_year_moves_12m"] == 1 and p2["in_year_moves_24m"] == 1
    # whole months to the nearest: 269 days = 8.84 months -> 9
    assert p2["months_at_current_school"] == 9
    assert p1["months_at_current_school"] == 73  # since 2017-09-04: 2222 days
    assert np.isnan(p2["months_since_secondary_start"])
    assert p3["months_since_secondary_start"] == 1  # 31 days
    assert p3["months_at_current_school"] == 1
    assert p3["schools_24m"] == 2 and p3["in_year_moves_12m"] == 0
    assert not p3["dual_registered"] and not p3["ever_in_ap"]
    assert not p1["dual_registered"] and p1["schools_24m"] == 1


def test_school_suspension_rate(X):
    # on roll some time in [2022-10-05, T): S1 has P1, P2 (left Dec 2022) and P3
    # (left Jul 2023); S2, AP1 and S3 one each: 6 pupil-registrations. Events: S1 has
    # P3's exclusion, S2 P2's two (one attributed through the enrolment on its date);
    # the census-day one and the 2021 one are not counted. LA rate 3 / 6.
    from screening.features._school import SHRINK_PUPILS as k
    assert k == 30
    la = 3 / 6
    expected = [100 * (1 + k * la) / (3 + k),   # P1 at S1
                100 * (2 + k * la) / (1 + k),   # P2 at S2
                100 * (0 + k * la) / (1 + k)]   # P3 at S3
    assert X["school_suspension_rate_12m"].tolist() == pytest.approx(expected)


def test_dtypes_and_fixed_categories(X):
    assert list(X["sen_provision"].cat.categories) == ["none", "support", "ehcp"]
    assert list(X["sen_primary_need"].cat.categories) == ["none", "SEMH", "SLCN", "ASD",
                                                          "other"]
    for c, dtype in X.dtypes.items():
        if c == "school":
            continue
        assert (dtype == np.dtype(bool) or dtype == "category"
                or np.issubdtype(dtype, np.number)), c


def test_year_group_english_rule():
    dob = pd.Series(pd.to_datetime(["2012-09-01", "2013-08-31", "2013-09-01",
                                    "2011-08-31", "2011-09-01"]))
    from screening.features._dates import year_group
    # T in autumn 2023: Y6 = born 1 Sep 2012 - 31 Aug 2013
    assert year_group(dob, "2023-10-05").tolist() == [6, 6, 5, 8, 7]
    # the same pupils in the summer term (still academic year 2022/23)
    assert year_group(dob, "2023-08-31").tolist() == [5, 5, 4, 7, 6]
    assert year_group(dob, "2023-09-01").tolist() == [6, 6, 5, 8, 7]


def test_part_time_timetable_share_uses_2024_codes():
    rec = features.Records(
        pupils=pd.DataFrame({"upn": ["Q"], "date_of_birth": ["2013-01-15"], "sex": ["F"]}),
        enrolments=pd.DataFrame({"upn": ["Q"], "school": ["S1"],
                                 "entry_date": ["2020-09-01"]}),
        attendance_marks=pd.DataFrame({
            "upn": ["Q"] * 4, "date": ["2024-09-09"] * 2 + ["2024-09-10"] * 2,
            "session": ["AM", "PM"] * 2, "code": ["/", "C2", "C2", "G"]}))
    x = features.build(rec, "2024-10-03").loc["Q"]
    assert x["marks_part_time_share"] == pytest.approx(2 / 4)
    assert x["marks_unauthorised_share"] == pytest.approx(1 / 4)
    assert x["absence_rate_12m"] == pytest.approx(3 / 4)


def test_months_since_secondary_start_without_a_secondary_phase():
    # Y7 at an all-through school since reception: counted from 1 Sep of Year 7;
    # Y6 at the same school: not yet moved
    rec = features.Records(
        pupils=pd.DataFrame({"upn": ["Y7", "Y6"], "sex": ["F", "M"],
                             "date_of_birth": ["2011-10-10", "2012-10-10"]}),
        enrolments=pd.DataFrame({"upn": ["Y7", "Y6"], "school": ["AT1", "AT1"],
                                 "entry_date": ["2016-09-05", "2017-09-04"],
                                 "phase": ["all-through", "all-through"]}),
        attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
                                         "sessions_possible", "sessions_authorised",
                                         "sessions_unauthorised"]))
    X = features.build(rec, T)
    assert X.loc["Y7", "months_since_secondary_start"] == 1  # 34 days from 1 Sep
    assert np.isnan(X.loc["Y6", "months_since_secondary_start"])
    assert X["in_year_moves_24m"].tolist() == [0, 0]


# --- attendance_unrecorded_share: the recording frontier --------------------------

TERMS = [("2022-09-05", "2022-12-16"), ("2023-01-03", "2023-03-31"),
         ("2023-04-17", "2023-07-21")]


def _termly_records(rows):
    """Y6 pupils at S1 since 2017; ``rows`` maps upn -> list of (start, end) periods."""
    upns = list(rows)
    att = pd.DataFrame([(u, s, e) for u, periods in rows.items() for s, e in periods],
                       columns=["upn", "period_start", "period_end"])
    att["sessions_possible"] = 100.0
    att["sessions_authorised"] = 5.0
    att["sessions_unauthorised"] = 0.0
    return features.Records(
        pupils=pd.DataFrame({"upn": upns, "sex": "F", "date_of_birth": "2012-12-01"}),
        enrolments=pd.DataFrame({"upn": upns, "school": "S1", "entry_date": "2017-09-04",
                                 "phase": "primary"}),
        attendance=att)


def test_unrecorded_share_one_partial_record_does_not_move_the_frontier():
    # C also has a record in the running term (e.g. from a mid-term move); before the
    # fix that pulled Sep 5 - Oct 5 in for everybody and gave A and B 1/11.
    x = features.build(_termly_records({
        "A": TERMS, "B": TERMS, "C": TERMS + [("2023-09-04", "2023-09-20")],
        "D": TERMS[:2],                  # summer term missing: the frontier's own term
        "E": [TERMS[0], TERMS[2]],       # spring term missing
    }), T)["attendance_unrecorded_share"]
    # frontier = 2023-07-21 (C's own Sep record counts for C only); 10 school months
    assert x["A"] == 0 and x["B"] == 0
    assert x["C"] == 0  # 11 months for C, all covered
    # D: Apr 5 - May 5, May 5 - Jun 5, Jun 5 - Jul 5, Jul 5 - Aug 5 bare
    assert x["D"] == pytest.approx(4 / 10)
    # E: Jan 5 - Feb 5, Feb 5 - Mar 5, Mar 5 - Apr 5 bare (summer starts Apr 17)
    assert x["E"] == pytest.approx(3 / 10)


def test_unrecorded_share_same_at_every_census_for_full_termly_records():
    terms = []
    for y in range(2018, 2024):
        terms += [(f"{y}-09-03", f"{y}-12-19"), (f"{y + 1}-01-06", f"{y + 1}-03-28"),
                  (f"{y + 1}-04-14", f"{y + 1}-07-21")]
    rows = {u: list(terms) for u in ("A", "B", "C")}
    # C's autumn 2021 term comes in two rows (e.g. a register change mid-term)
    rows["C"].remove(("2021-09-03", "2021-12-19"))
    rows["C"] += [("2021-09-03", "2021-09-17"), ("2021-09-20", "2021-12-19")]
    rec = _termly_records(rows)
    for census in ("2019-10-03", "2020-10-01", "2021-10-07", "2022-10-06",
                   "2023-10-05", "2022-01-20", "2023-05-04", "2021-09-07"):
        # the pupils are in Year 2 in 2019 and Year 6 in 2023
        x = features.build(rec, census, year_groups=range(1, 7))
        assert len(x) == 3, census
        assert x["attendance_unrecorded_share"].eq(0).all(), census


NO_ATTENDANCE = pd.DataFrame(columns=["upn", "period_start", "period_end",
                                      "sessions_possible", "sessions_authorised",
                                      "sessions_unauthorised"])


# --- whole months -------------------------------------------------------------------

def test_months_are_whole_and_the_same_at_every_october_census():
    # a Y7 pupil who started secondary on 3 September is 1 month in at a census on
    # 1 October (28 days) and on 7 October (34 days); fractions 0.92 vs 1.12
    for start, census in (("2020-09-03", "2020-10-01"), ("2021-09-03", "2021-10-07"),
                          ("2023-09-04", "2023-10-05"), ("2019-09-05", "2019-10-03")):
        y = int(census[:4])
        rec = features.Records(
            pupils=pd.DataFrame({"upn": ["S"], "sex": ["F"],
                                 "date_of_birth": [f"{y - 11}-01-15"]}),
            enrolments=pd.DataFrame({"upn": ["S", "S"], "school": ["P", "Q"],
                                     "entry_date": [f"{y - 7}-09-03", start],
                                     "leaving_date": [f"{y}-07-21", None],
                                     "phase": ["primary", "secondary"]}),
            attendance=NO_ATTENDANCE)
        x = features.build(rec, census).loc["S"]
        assert x["year_group"] == 7
        assert x["months_since_secondary_start"] == 1, census
        assert x["months_at_current_school"] == 1, census
        # no attendance record anywhere in the cohort: every month is unrecorded
        assert x["attendance_unrecorded_share"] == 1.0


def test_months_features_are_described_as_whole_months():
    d = features.describe().set_index("feature")
    for f in ("months_since_secondary_start", "months_at_current_school"):
        assert d.loc[f, "unit"] == "whole months"
        assert "nearest whole month" in d.loc[f, "meaning"]


# --- school_suspension_rate_12m: 12-month roll, shrunk to the LA rate ---------------

def _schools_records():
    """BIG: 100 pupils (20 left in the window, 10 before it); AP: 12 pupils."""
    big = [f"B{i:03d}" for i in range(100)]
    ap = [f"A{i:02d}" for i in range(12)]
    leave = [None] * 70 + ["2023-03-01"] * 20 + ["2022-06-01"] * 10
    return features.Records(
        pupils=pd.DataFrame({"upn": big + ap, "sex": "M", "date_of_birth": "2012-12-01"}),
        enrolments=pd.DataFrame({
            "upn": big + ap, "school": ["BIG"] * 100 + ["AP"] * 12,
            "entry_date": ["2018-09-03"] * 100 + ["2023-01-09"] * 12,
            "leaving_date": leave + [None] * 12,
            "phase": ["primary"] * 100 + ["ap"] * 12}),
        suspensions=pd.DataFrame({
            "upn": big[:4] + ap[:1] + big[:3],
            "start_date": ["2023-02-01"] * 4 + ["2023-05-01"] + ["2022-09-01"] * 3,
            "category": "FIXD",
            "school": ["BIG"] * 4 + ["AP"] + ["BIG"] * 3}),
        attendance=NO_ATTENDANCE)


def test_school_rate_uses_the_12_month_roll_and_shrinks_small_schools():
    x = features.build(_schools_records(), T)["school_suspension_rate_12m"]
    # roll in [2022-10-05, T): BIG 90 (the 20 who left in March count, the 10 who left
    # in June 2022 do not), AP 12; 5 events in the window (the 3 in Sep 2022 are older)
    la = 5 / (90 + 12)
    big = 100 * (4 + 30 * la) / (90 + 30)
    ap = 100 * (1 + 30 * la) / (12 + 30)
    assert x["B000"] == pytest.approx(big) and x["A00"] == pytest.approx(ap)
    # one suspension at the 12-pupil AP: 8.3 per 100 raw, now 5.9, between that and
    # the LA rate of 4.9; BIG (4.4 raw) keeps nearly its own rate
    assert 100 * la < ap < 100 / 12 and ap < 100 * la + 0.4 * (100 / 12 - 100 * la)
    assert abs(big - 100 * 4 / 90) < 0.3


def test_school_rate_without_events_is_zero_and_dictionary_keeps_fairness_note():
    rec = _schools_records()
    rec = features.Records(pupils=rec.raw["pupils"], enrolments=rec.raw["enrolments"],
                           attendance=NO_ATTENDANCE)
    assert features.build(rec, T)["school_suspension_rate_12m"].eq(0).all()
    d = features.describe().set_index("feature").loc["school_suspension_rate_12m"]
    assert "school practice" in d["fairness_note"]
    assert "30" in d["meaning"] and "12 months" in d["meaning"]


# --- the synthetic LA: no calendar artefact at any census ---------------------------

@pytest.fixture(scope="module")
def synthetic_la():
    from screening.datasets import make_local_authority
    return make_local_authority(n_pupils=6_000, seed=3)


def test_synthetic_la_unrecorded_share_is_zero_at_every_census(synthetic_la):
    la = synthetic_la
    assert [str(d.date()) for d in la.census_dates] == [
        "2019-10-03", "2020-10-01", "2021-10-07", "2022-10-06", "2023-10-05",
        "2024-10-03"]
    for census in la.census_dates:
        X = features.build(la.records, census)
        share = X["attendance_unrecorded_share"]
        assert share.median() == 0, census
        assert share.gt(0).mean() < 0.05, census
        y7 = X.loc[X["year_group"] == 7, "months_since_secondary_start"]
        assert y7.median() == 1, census


def test_synthetic_la_deleted_term_is_a_gap(synthetic_la):
    rec = synthetic_la.records
    att = rec.raw["attendance"]
    X = features.build(rec, T)
    # a pupil with exactly the three standard terms of 2022/23 at one school
    ps = pd.to_datetime(att["period_start"])
    in_year = att[(ps >= "2022-09-01") & (ps < "2023-09-01")]
    n_rows = in_year.groupby("upn").size()
    ok = n_rows[n_rows == 3].index.intersection(
        X.index[(X["attendance_unrecorded_share"] == 0) & (X["schools_24m"] == 1)])
    upn = ok[0]
    spring = in_year[(in_year["upn"] == upn)
                     & (pd.to_datetime(in_year["period_start"]).dt.month == 1)].index
    assert len(spring) == 1
    raw = {k: v for k, v in rec.raw.items() if v is not None}
    raw["attendance"] = att.drop(spring)
    Y = features.build(features.Records(**raw), T)
    # Jan 5 - Feb 5, Feb 5 - Mar 5, Mar 5 - Apr 5 bare out of 10 school months
    assert Y.loc[upn, "attendance_unrecorded_share"] == pytest.approx(3 / 10)
    others = Y.index != upn
    np.testing.assert_array_equal(Y.loc[others, "attendance_unrecorded_share"],
                                  X.loc[others, "attendance_unrecorded_share"])
