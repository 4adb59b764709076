"""Cohort completeness at census T = 2023-10-05: who is in, who is out, main school."""

import re

import numpy as np
import pandas as pd
import pytest
from screening.features._cohort import _BAD_YEAR_GROUPS
from screening.features._dates import _BAD_AS_OF

from screening import features

T = "2023-10-05"
Y6 = "2013-01-15"  # Year 6 at T

# upn, date_of_birth, [(school, entry, leaving, phase), ...]
PUPILS = {
    "AP_ONLY": (Y6, [("AP1", "2023-01-09", None, "ap")]),
    "DUAL_AP": (Y6, [("S1", "2019-09-02", None, "primary"),
                     ("AP1", "2023-05-02", None, "ap")]),
    "DUAL_TWO": (Y6, [("S1", "2019-09-02", None, "primary"),
                      ("S2", "2023-03-01", None, None)]),
    "LEFT_LATER": (Y6, [("S1", "2019-09-02", "2023-12-20", "primary")]),
    "LEFT_ON_T": (Y6, [("S1", "2019-09-02", "2023-10-05", "primary")]),
    "MOVED": (Y6, [("S1", "2019-09-02", "2023-02-10", "primary"),
                   ("S2", "2023-02-13", None, "primary")]),
    "LEFT_BEFORE": (Y6, [("S1", "2019-09-02", "2023-07-21", "primary")]),
    "LEFT_DAY_BEFORE": (Y6, [("S1", "2019-09-02", "2023-10-04", "primary")]),
    "ENTERS_ON_T": (Y6, [("S1", "2023-10-05", None, "primary")]),
    "ENTERS_LATER": (Y6, [("S1", "2023-11-01", None, "primary")]),
    "YEAR_4": ("2014-09-01", [("S1", "2019-09-02", None, "primary")]),
    "YEAR_8": ("2011-08-31", [("S3", "2022-09-05", None, "secondary")]),
    "YEAR_5": ("2014-08-31", [("S1", "2019-09-02", None, "primary")]),
    "YEAR_7": ("2011-09-01", [("S3", "2023-09-04", None, "secondary")]),
}
IN_COHORT = ["AP_ONLY", "DUAL_AP", "DUAL_TWO", "LEFT_LATER", "LEFT_ON_T", "MOVED",
             "YEAR_5", "YEAR_7"]


def make_records():
    pupils = pd.DataFrame({"upn": list(PUPILS),
                           "date_of_birth": [d for d, _ in PUPILS.values()],
                           "sex": "F"})
    rows = [(u, *e) for u, (_, enr) in PUPILS.items() for e in enr]
    enrolments = pd.DataFrame(rows, columns=["upn", "school", "entry_date",
                                             "leaving_date", "phase"])
    attendance = pd.DataFrame(columns=["upn", "period_start", "period_end",
                                       "sessions_possible", "sessions_authorised",
                                       "sessions_unauthorised"])
    return features.Records(pupils=pupils, enrolments=enrolments, attendance=attendance)


@pytest.fixture(scope="module")
def records():
    return make_records()


def test_cohort_is_everyone_on_roll_in_the_year_groups(records):
    X = features.build(records, T)
    assert sorted(X.index) == sorted(IN_COHORT)
    assert X.index.is_unique and X.index.name == "upn"


def test_main_school_rule(records):
    X = features.build(records, T)
    assert X.loc["AP_ONLY", "school"] == "AP1"
    assert X.loc["DUAL_AP", "school"] == "S1"  # mainstream over AP
    assert X.loc["DUAL_TWO", "school"] == "S2"  # latest entry
    assert X.loc["MOVED", "school"] == "S2"
    assert X.loc["AP_ONLY", "in_ap_now"] and X.loc["DUAL_AP", "in_ap_now"]
    assert X.loc["DUAL_AP", "dual_registered"] and X.loc["DUAL_TWO", "dual_registered"]
    assert not X.loc["MOVED", "dual_registered"]


def test_year_groups_argument(records):
    X = features.build(records, T, year_groups=(7,))
    assert list(X.index) == ["YEAR_7"]
    X = features.build(records, T, year_groups=[4, 8])
    assert list(X.index) == ["YEAR_4", "YEAR_8"]
    assert X["year_group"].tolist() == [4, 8]


def test_label_and_audit_share_the_index(records):
    X = features.build(records, T)
    y = features.label(records, T)
    a = features.audit_attributes(records, T)
    pd.testing.assert_index_equal(y.index, X.index)
    pd.testing.assert_index_equal(a.index, X.index)
    assert a["school"].tolist() == X["school"].tolist()


@pytest.mark.parametrize("as_of", [pd.Timestamp(T), pd.Timestamp(T).date(), T,
                                   pd.Timestamp("2023-10-05 14:30")])
def test_as_of_accepts_dates(records, as_of):
    assert sorted(features.build(records, as_of).index) == sorted(IN_COHORT)


@pytest.mark.parametrize("bad", [None, "not a date", 20231005])
def test_bad_as_of(records, bad):
    with pytest.raises(ValueError, match=re.escape(_BAD_AS_OF.format(bad))):
        features.build(records, bad)


@pytest.mark.parametrize("bad", [(), "five", None])
def test_bad_year_groups(records, bad):
    with pytest.raises(ValueError, match=r"year_groups must be a non-empty sequence"):
        features.build(records, T, year_groups=bad)
    assert _BAD_YEAR_GROUPS.startswith("year_groups must be a non-empty sequence")


@pytest.mark.parametrize("grouped", [True, False])
def test_fast_upn_lookup_matches_get_indexer(grouped):
    from screening.features._cohort import _lookup
    rng = np.random.default_rng(0)
    index = pd.Index(pd.array([f"U{i:06d}" for i in range(3000)], dtype="string"))
    rows = rng.integers(0, 3200, 60_000)  # some upns unknown
    rows = np.sort(rows) if grouped else rows
    upn = pd.Series([f"U{i:06d}" for i in rows], dtype="string")
    upn.iloc[[7, 8, 500]] = pd.NA
    np.testing.assert_array_equal(_lookup(index, upn), index.get_indexer(upn))


def test_census_is_built_once_and_the_latest_are_kept():
    from screening.features._cohort import _CENSUSES_KEPT, _build_census, build_census
    rec = make_records()
    first = build_census(rec, T)
    assert build_census(rec, T) is first  # features, audit groups, outcomes share it
    assert build_census(rec, T, year_groups=(6,)) is not first
    fresh = _build_census(rec.pupils, rec.enrolments, first.as_of, (5, 6, 7))
    pd.testing.assert_frame_equal(first.frame, fresh.frame)
    pd.testing.assert_frame_equal(first.enrolments, fresh.enrolments)
    np.testing.assert_array_equal(first.members, fresh.members)
    for months in range(1, _CENSUSES_KEPT + 1):  # older censuses are let go
        build_census(rec, pd.Timestamp(T) + pd.DateOffset(months=months))
    assert build_census(rec, T) is not first
    assert list(build_census(make_records(), T).upns) == list(first.upns)  # new records


@pytest.mark.parametrize("dtype", ["string", "str", object])
def test_census_texts_are_the_columns_python_strings_give(dtype):
    from screening.features._cohort import _texts
    values = pd.Series(["S1", None, "S2", "ap", None, "S1"], dtype=dtype)
    mask = np.array([True, True, False, True, True, False])
    got = pd.DataFrame({"school": _texts(values, mask)})
    expected = pd.DataFrame({"school": values[mask].to_numpy()})
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
