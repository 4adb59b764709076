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

import features
from features._dates import DAYS_PER_MONTH

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
    # 11 school months (Aug excluded); all covered. Sep 5 - Oct 5 has no record
    # yet for P1, but P3's marks reach Sep 7, so the month counts: 1 of 11 is bare.
    assert p1["attendance_unrecorded_share"] == pytest.approx(1 / 11)
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
    assert p3["attendance_unrecorded_share"] == pytest.approx(10 / 11)


def test_suspension_features(X):
    p1, p2, p3 = (X.loc[u] for u in ("P1", "P2", "P3"))
    assert p2["suspensions_12m"] == 2 and p2["suspensions_ever"] == 3
    assert p2["suspension_sessions_12m"] == 4
    assert p2["has_any_exclusion"] and p2["repeat_suspensions_12m"]
    assert p2["days_since_last_exclusion"] == (T - pd.Timestamp("2023-05-10")).days
    assert (p2["exclusions_violence_ever"], p2["exclusions_disruption_ever"],
            p2["exclusions_other_ever"]) == (1, 1, 1)
    assert not p2["permanent_exclusion_ever"]
    assert p3["permanent_exclusion_ever"] and p3["has_any_exclusion"]
    assert p3["suspensions_12m"] == 0 and p3["exclusions_other_ever"] == 1
    assert p3["days_since_last_exclusion"] == (T - pd.Timestamp("2022-11-01")).days
    assert not p1["has_any_exclusion"] and np.isnan(p1["days_since_last_exclusion"])
    assert p1["suspensions_ever"] == 0


def test_sen_features(X):
    p1, p2 = X.loc["P1"], X.loc["P2"]
    assert p2["sen_provision"] == "ehcp" and p2["sen_primary_need"] == "SEMH"
    assert p2["sen_ever"] and p2["sen_escalated"]
    assert p2["months_since_sen_identified"] == pytest.approx(months("2020-01-06"))
    assert p1["sen_provision"] == "none" and p1["sen_primary_need"] == "none"
    assert not p1["sen_ever"] and not p1["sen_escalated"]
    assert np.isnan(p1["months_since_sen_identified"])


def test_transition_features(X):
    p1, p2, p3 = (X.loc[u] for u in ("P1", "P2", "P3"))
    assert p2["dual_registered"] and p2["in_ap_now"] and p2["ever_in_ap"]
    assert p2["schools_ever"] == 3
    assert p2["in_year_moves_12m"] == 1 and p2["in_year_moves_24m"] == 1
    assert p2["months_at_current_school"] == pytest.approx(months("2023-01-09"))
    assert np.isnan(p2["months_since_secondary_start"])
    assert p3["months_since_secondary_start"] == pytest.approx(months("2023-09-04"))
    assert p3["schools_ever"] == 2 and p3["in_year_moves_12m"] == 0
    assert not p3["dual_registered"] and not p3["ever_in_ap"]
    assert not p1["dual_registered"] and p1["schools_ever"] == 1


def test_school_suspension_rate(X):
    # one pupil on roll at each school; S1: P3's exclusion, S2: P2's two (one
    # attributed through the enrolment on its date); the census-day one not counted
    assert X["school_suspension_rate_12m"].tolist() == [100.0, 200.0, 0.0]


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
    from features._dates import year_group
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
    assert X.loc["Y7", "months_since_secondary_start"] == pytest.approx(months("2023-09-01"))
    assert np.isnan(X.loc["Y6", "months_since_secondary_start"])
    assert X["in_year_moves_24m"].tolist() == [0, 0]
