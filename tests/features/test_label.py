"""Outcome labels computed by hand at T = 2023-10-05 (window [T, T + horizon))."""

import re

import pandas as pd
import pytest
from screening.features import audit_attributes, label, outcome_window_complete
from screening.features._args import BAD_HORIZON as _BAD_HORIZON
from screening.features._outcome import BAD_TARGET as _BAD_TARGET

from screening import features

T = "2023-10-05"

# upn -> (category, start_date) of its one exclusion, or None
EVENTS = {
    "ON_T": ("FIXD", "2023-10-05"),
    "LAST_DAY": ("FIXD", "2024-10-04"),
    "ON_T_PLUS_12M": ("FIXD", "2024-10-05"),
    "DAY_BEFORE_T": ("FIXD", "2023-10-04"),
    "PERM": ("PERM", "2024-03-01"),
    "NONE": None,
    "LEFT_THEN_SUSPENDED": ("LNCH", "2024-01-10"),
}


def make_records(extract_date=None):
    upns = list(EVENTS)
    pupils = pd.DataFrame({"upn": upns + ["Y9"], "sex": "M",
                           "date_of_birth": ["2012-03-03"] * len(upns) + ["2010-03-03"]})
    enrolments = pd.DataFrame({
        "upn": upns + ["Y9"], "school": "S1", "entry_date": "2018-09-03",
        "leaving_date": [None] * (len(upns) - 1) + ["2023-12-20", None]})
    ev = [(u, c, d) for u, e in EVENTS.items() if e for c, d in [e]]
    suspensions = pd.DataFrame(ev + [("Y9", "PERM", "2024-01-01")],
                               columns=["upn", "category", "start_date"])
    attendance = pd.DataFrame(columns=["upn", "period_start", "period_end",
                                       "sessions_possible", "sessions_authorised",
                                       "sessions_unauthorised"])
    return features.Records(pupils=pupils, enrolments=enrolments, attendance=attendance,
                            suspensions=suspensions, extract_date=extract_date)


@pytest.fixture(scope="module")
def records():
    return make_records()


def test_suspension_label_window_boundaries(records):
    y = label(records, T)
    expected = {"ON_T": 1, "LAST_DAY": 1, "ON_T_PLUS_12M": 0, "DAY_BEFORE_T": 0,
                "PERM": 1, "NONE": 0, "LEFT_THEN_SUSPENDED": 1}
    assert y.to_dict() == expected
    assert y.dtype == "int64" and y.name == "suspension"
    pd.testing.assert_index_equal(y.index, features.build(records, T).index)
    assert "Y9" not in y.index  # outside the year groups


def test_permanent_target(records):
    y = label(records, T, target="permanent")
    assert y[y == 1].index.tolist() == ["PERM"]
    assert y.name == "permanent"


def test_horizon(records):
    y = label(records, T, horizon_months=6)  # [2023-10-05, 2024-04-05)
    assert sorted(y[y == 1].index) == ["LEFT_THEN_SUSPENDED", "ON_T", "PERM"]


def test_year_groups(records):
    y = label(records, T, target="permanent", year_groups=(9,))
    assert y.to_dict() == {"Y9": 1}


@pytest.mark.parametrize("target", ["fixed", None, "Suspension"])
def test_bad_target(records, target):
    with pytest.raises(ValueError, match=re.escape(_BAD_TARGET.format(target))):
        label(records, T, target=target)


@pytest.mark.parametrize("h", [0, -3, 1.5, "12", True])
def test_bad_horizon(records, h):
    with pytest.raises(ValueError, match=re.escape(_BAD_HORIZON.format(h))):
        label(records, T, horizon_months=h)


def test_outcome_window_complete_from_records(records):
    # the latest date in the records is 2024-10-05: windows may end on it
    assert outcome_window_complete(records, T)
    assert outcome_window_complete(records, "2023-10-06")
    assert not outcome_window_complete(records, "2023-10-07")
    assert not outcome_window_complete(records, T, horizon_months=13)


def test_outcome_window_complete_from_extract_date():
    rec = make_records(extract_date="2024-10-08")
    assert outcome_window_complete(rec, "2023-10-09")  # last day 2024-10-08
    assert not outcome_window_complete(rec, "2023-10-10")


def test_audit_attributes(records):
    a = audit_attributes(records, T)
    assert list(a.columns[:9]) == ["sex", "fsm", "eal", "looked_after", "ethnicity",
                                   "ethnicity_major", "sen", "year_group", "school"]
    assert a["sen"].eq("none").all() and a["fsm"].isna().all()
