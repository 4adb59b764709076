"""Cells no loader should crash on: lists, sets, dicts, bytes, infinite and fractional
counts, and dates that cannot be read. Each is a located problem (issue 15)."""

import numpy as np
import pandas as pd
import pytest
from screening.features import InputError, Records, load_records
from screening.features import _messages as M

EXTRACT = "2024-06-30"


def _problems(tables):
    with pytest.raises(InputError) as exc:
        Records(**tables, extract_date=EXTRACT).validate()
    return exc.value.problems


def _set_cell(tables, table, column, row, value):
    s = tables[table][column].astype(object).to_numpy().copy()
    s[row] = value
    tables[table][column] = pd.Series(s, index=tables[table].index, dtype=object)


@pytest.mark.parametrize("value,kind", [
    (["B801200005001"], "list"), ({"a": 1}, "dict"), ({"x"}, "set"), (("a", "b"), "tuple"),
    (b"\xff\xfe", "bytes that are not UTF-8 text"), (np.array([1, 2]), "ndarray"),
])
@pytest.mark.parametrize("table,column", [
    ("pupils", "sex"), ("enrolments", "school"), ("attendance", "sessions_possible"),
    ("suspensions", "start_date"), ("sen", "provision"),
])
def test_a_cell_holding_no_single_value_is_located(tables, table, column, value, kind):
    _set_cell(tables, table, column, 1, value)
    p = _problems(tables)
    hit = p[p["problem"] == M.NOT_A_CELL.format(kind=kind)]
    assert hit[["table", "row", "column"]].values.tolist() == [[table, 1, column]]
    assert "one value per cell" in hit["fix"].iloc[0]
    # reported once: not also as an empty required value
    assert not ((p["row"] == 1) & (p["column"] == column)
                & (p["problem"] == M.EMPTY_VALUE)).any()


def test_utf8_bytes_are_read_as_their_text(tables):
    _set_cell(tables, "pupils", "sex", 0, "F".encode())
    rec = Records(**tables, extract_date=EXTRACT)
    rec.validate()
    assert rec.pupils["sex"].tolist() == ["F", "F", "M"]


def test_an_extra_column_of_lists_is_kept_and_compared(tables):
    tables["enrolments"]["notes"] = pd.Series([["a"], ["b"], {"c": 1}], dtype=object)
    rec = Records(**tables, extract_date=EXTRACT)
    rec.validate()
    assert rec.enrolments["notes"].tolist()[0] == ["a"]


def test_cells_from_parquet_lists_and_structs(tables, tmp_path):
    for name, df in tables.items():
        df.to_parquet(tmp_path / f"{name}.parquet")
    p = tables["pupils"].copy()
    p["sex"] = pd.Series([["M"], ["F"], ["M"]], dtype=object)  # a list column
    p.to_parquet(tmp_path / "pupils.parquet")
    with pytest.raises(InputError) as exc:
        load_records(tmp_path).validate()
    hit = exc.value.problems
    hit = hit[hit["column"] == "sex"]
    assert hit["row"].tolist() == [1, 2, 3]
    assert set(hit["problem"]) == {M.NOT_A_CELL.format(kind="ndarray")}


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_a_typed_infinite_count_is_an_error_as_its_text_is(tables, value):
    a = tables["attendance"]
    for c in ("sessions_possible", "sessions_authorised", "sessions_unauthorised"):
        a[c] = a[c].astype("float64")
    a.loc[1, "sessions_possible"] = value
    p = _problems(tables)
    hit = p[p["problem"] == M.NOT_FINITE]
    assert hit[["table", "row", "column"]].values.tolist() == [
        ["attendance", 1, "sessions_possible"]]


@pytest.mark.parametrize("typed", [True, False])
def test_a_fractional_session_count_is_an_error(tables, typed):
    a = tables["attendance"]
    a.loc[0, "sessions_unauthorised"] = "2.5"
    if typed:
        a["sessions_unauthorised"] = a["sessions_unauthorised"].astype("float64")
    p = _problems(tables)
    assert p[["table", "row", "column", "problem"]].values.tolist() == [
        ["attendance", 0, "sessions_unauthorised", M.NOT_WHOLE_COUNT]]


def test_suspension_sessions_may_be_fractional(tables):
    tables["suspensions"].loc[0, "sessions"] = "1.5"
    rec = Records(**tables, extract_date=EXTRACT)
    rec.validate()
    assert rec.suspensions["sessions"].tolist()[0] == 1.5


def test_rows_whose_dates_fail_differently_are_not_duplicates(tables):
    s = tables["suspensions"]
    tables["suspensions"] = pd.concat([s, s.iloc[[0]]], ignore_index=True)
    tables["suspensions"].loc[0, "start_date"] = "last spring"
    tables["suspensions"].loc[2, "start_date"] = "next spring"
    p = _problems(tables)
    assert M.DUPLICATE_ROW not in set(p["problem"])
    assert sorted(p.loc[p["problem"] == M.BAD_DATE, "row"]) == [0, 2]
    # the same unreadable text twice is still an exact duplicate
    tables["suspensions"].loc[2, "start_date"] = "last spring"
    p = _problems(tables)
    assert p.loc[p["problem"] == M.DUPLICATE_ROW, "row"].tolist() == [2]


def test_problems_of_one_kind_are_capped_with_a_count_of_the_rest():
    from screening.features._problems import MAX_ROWS_PER_PROBLEM

    n = MAX_ROWS_PER_PROBLEM + 500
    upn = [f"P{i}" for i in range(n)]
    tables = {
        "pupils": pd.DataFrame({"upn": upn, "date_of_birth": "2013-05-01", "sex": "X"}),
        "enrolments": pd.DataFrame({"upn": upn, "school": "1", "entry_date": "2018-09-01"}),
        "attendance_marks": pd.DataFrame(columns=["upn", "date", "session", "code"]),
    }
    p = _problems(tables)
    sex = p[p["column"] == "sex"]
    assert len(sex) == MAX_ROWS_PER_PROBLEM + 1
    assert sex["row"].iloc[:-1].tolist() == list(range(MAX_ROWS_PER_PROBLEM))  # the first
    last = sex.iloc[-1]
    assert last["row"] is None and last["problem"].startswith("500 more row(s)")
    assert M.UNKNOWN_CODE.format(what="sex") in last["problem"]
