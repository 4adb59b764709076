"""Combining records from several sources (features._combine)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from screening.features import Records
from screening.features._combine import _CONFLICT, DuplicateRecordsWarning, concat_records

T = pd.Timestamp


def _source(susp, name, extract_date=None, pupils=None):
    pupils = pupils if pupils is not None else pd.DataFrame(
        {"upn": ["P1", "P2"], "date_of_birth": ["2013-05-01", "2013-06-01"],
         "sex": ["M", "F"]})
    return Records(
        pupils=pupils,
        enrolments=pd.DataFrame({"upn": ["P1", "P2"], "school": ["100001", "100001"],
                                 "entry_date": ["2019-09-02", "2019-09-02"]}),
        attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
                                         "sessions_possible", "sessions_authorised",
                                         "sessions_unauthorised"]),
        suspensions=susp, source=name, extract_date=extract_date)


def test_same_suspension_in_two_exports_is_counted_once():
    sims = pd.DataFrame({"upn": ["P1", "P1"], "start_date": ["2024-01-05", "2024-02-09"],
                         "category": ["FIXD", "PERM"], "sessions": [2, None]})
    la = pd.DataFrame({"upn": ["P1", "P2"], "start_date": ["05/01/2024", "06/03/2024"],
                       "category": ["suspension", "FIXD"], "sessions": ["2", "4"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DuplicateRecordsWarning)  # exact copies: no warning
        rec = concat_records([_source(sims, "sims"), _source(la, "la")])
    s = rec.suspensions.sort_values(["upn", "start_date"])
    assert s[["upn", "start_date", "category"]].values.tolist() == [
        ["P1", T("2024-01-05"), "suspension"], ["P1", T("2024-02-09"), "permanent"],
        ["P2", T("2024-03-06"), "suspension"]]
    assert len(rec.pupils) == 2 and len(rec.enrolments) == 2  # shared rows once too
    d = rec.duplicates.set_index("table")
    assert d.loc["suspensions", "kind"] == "exact"
    assert d.loc["suspensions", "n_copies"] == 2
    assert d.loc["suspensions", "sources"] == "sims; la"
    assert d.loc["suspensions", "key"] == "upn=P1, start_date=2024-01-05, category=SUSPENSION"
    assert set(d.index) == {"pupils", "enrolments", "suspensions"}


def test_conflicting_copies_keep_the_last_source_and_warn():
    old = pd.DataFrame({"upn": ["P1"], "start_date": ["2024-01-05"], "category": ["FIXD"],
                        "sessions": [2]})
    new = old.assign(sessions=[4])
    with pytest.warns(DuplicateRecordsWarning) as w:
        rec = concat_records([_source(old, "old"), _source(new, "new")])
    assert str(w[0].message) == _CONFLICT.format(1)
    assert rec.suspensions["sessions"].tolist() == [4.0]
    row = rec.duplicates[rec.duplicates["table"] == "suspensions"].iloc[0]
    assert (row["kind"], row["kept"]) == ("conflict", "new")


def test_duplicates_within_one_source_are_removed():
    susp = pd.DataFrame({"upn": ["P1", "P1"], "start_date": ["2024-01-05", "2024-01-05"],
                         "category": ["FIXD", "LNCH"]})  # both are suspensions
    rec = concat_records([_source(susp, "one")])
    assert len(rec.suspensions) == 1
    assert rec.duplicates["sources"].tolist() == ["one; one"]


def test_rows_without_a_key_are_kept_for_validation_to_report():
    susp = pd.DataFrame({"upn": [None, None], "start_date": ["2024-01-05", "2024-01-05"],
                         "category": ["FIXD", "FIXD"]})
    rec = concat_records([_source(susp, "one")])
    assert len(rec.raw["suspensions"]) == 2
    assert len(rec.duplicates) == 0


def test_distinct_records_and_extra_columns_survive():
    a = _source(pd.DataFrame({"upn": ["P1"], "start_date": ["2024-01-05"],
                              "category": ["FIXD"]}), "a", extract_date="2024-03-01")
    b_pupils = pd.DataFrame({"upn": ["P3"], "date_of_birth": ["2013-07-01"], "sex": ["F"],
                             "house": ["Blue"]})
    b = _source(pd.DataFrame({"upn": ["P1"], "start_date": ["2024-02-05"],
                              "category": ["FIXD"]}), None, extract_date="2024-07-01",
                pupils=b_pupils)
    rec = concat_records([a, b], names=["mis", "la"])
    assert sorted(rec.pupils["upn"]) == ["P1", "P2", "P3"]
    assert rec.pupils.set_index("upn").loc["P3", "house"] == "Blue"
    assert len(rec.suspensions) == 2
    assert rec.extract_date == T("2024-07-01")
    assert rec.source == "mis; la"
    assert (rec.duplicates["sources"] == "mis; la").all()


def test_pupil_conflict_is_reported():
    p1 = pd.DataFrame({"upn": ["P1", "P2"], "date_of_birth": ["2013-05-01", "2013-06-01"],
                       "sex": ["M", "F"]})
    p2 = p1.assign(date_of_birth=["02/05/2013", "01/06/2013"])  # UK format, one changed
    empty = pd.DataFrame(columns=["upn", "start_date", "category"])
    with pytest.warns(DuplicateRecordsWarning):
        rec = concat_records([_source(empty, "a", pupils=p1), _source(empty, "b", pupils=p2)])
    d = rec.duplicates[rec.duplicates["table"] == "pupils"].set_index("key")["kind"]
    assert d.to_dict() == {"upn=P1": "conflict", "upn=P2": "exact"}
    assert rec.pupils.set_index("upn").loc["P1", "date_of_birth"] == T("2013-05-02")


def test_only_records_are_accepted():
    with pytest.raises(TypeError, match="list of Records"):
        concat_records([pd.DataFrame()])


def test_kept_copy_takes_missing_values_from_earlier_copies():
    full = pd.DataFrame({"upn": ["P1", "P2"], "date_of_birth": ["2013-05-01", "2013-06-01"],
                         "sex": ["M", "F"], "ethnicity": ["WBRI", "BAFR"], "fsm": [True, False]})
    partial = full.drop(columns="ethnicity").assign(fsm=[None, None])
    empty = pd.DataFrame(columns=["upn", "start_date", "category"])
    with pytest.warns(DuplicateRecordsWarning):
        rec = concat_records([_source(empty, "full", pupils=full),
                              _source(empty, "partial", pupils=partial)])
    p1 = rec.pupils.set_index("upn").loc["P1"]
    assert p1["ethnicity"] == "WBRI" and bool(p1["fsm"]) is True
    assert rec.pupils["fsm"].tolist() == [True, False]
