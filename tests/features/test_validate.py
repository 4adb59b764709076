"""Validation: every problem class is found, located and reported; warnings returned."""

import numpy as np
import pandas as pd
import pytest
from screening.features import InputError, Records
from screening.features import _messages as M
from screening.features._summary import summarise_problems

EXTRACT = "2024-06-30"


def _problems(tables, **kwargs):
    kwargs.setdefault("extract_date", EXTRACT)
    with pytest.raises(InputError) as exc:
        Records(**tables, **kwargs).validate()
    return exc.value.problems


def _where(problems, text):
    """(table, row, column) of the problems with text ``text``."""
    hit = problems[problems["problem"] == text]
    return sorted(zip(hit["table"], hit["row"], hit["column"]), key=str)


def test_valid_tables_pass(tables):
    rec = Records(**tables, extract_date=EXTRACT)
    warnings = rec.validate()
    assert list(warnings.columns[:5]) == ["table", "row", "column", "value", "problem"]
    assert rec.pupils["sex"].tolist() == ["M", "F", "M"]
    assert rec.pupils["fsm"].tolist() == [True, False, True]
    assert rec.pupils["eal"].dtype == "boolean" and rec.pupils["eal"].isna().sum() == 1
    assert rec.suspensions["category"].tolist() == ["suspension", "suspension"]
    assert rec.suspensions["reason"].tolist() == ["PP;DB", pd.NA]
    assert rec.sen["provision"].tolist() == ["K", "E"]  # N row set aside
    assert rec.enrolments["phase"].tolist() == ["primary", "primary", "ap"]
    assert rec.pupils["date_of_birth"].iloc[0] == pd.Timestamp("2012-05-01")


def test_missing_table(tables):
    del tables["enrolments"]
    p = _problems(tables)
    assert _where(p, M.MISSING_TABLE.format(table="enrolments")) == [
        ("enrolments", None, None)]


def test_attendance_not_required_when_marks_given(tables):
    del tables["attendance"]
    with pytest.raises(InputError, match="attendance"):
        Records(**tables, extract_date=EXTRACT).validate()
    tables["attendance_marks"] = pd.DataFrame(columns=["upn", "date", "session", "code"])
    Records(**tables, extract_date=EXTRACT).validate()


def test_missing_column(tables):
    tables["pupils"] = tables["pupils"].drop(columns="sex")
    tables["attendance"] = tables["attendance"].drop(columns="period_end")
    p = _problems(tables)
    assert _where(p, M.MISSING_COLUMN.format(column="sex")) == [("pupils", None, "sex")]
    assert _where(p, M.MISSING_COLUMN.format(column="period_end")) == [
        ("attendance", None, "period_end")]


def test_column_names_are_stripped(tables):
    tables["pupils"] = tables["pupils"].rename(columns={"sex": " sex "})
    Records(**tables, extract_date=EXTRACT).validate()


def test_empty_required_value(tables):
    tables["pupils"].loc[1, "sex"] = "  "
    tables["enrolments"].loc[2, "school"] = None
    p = _problems(tables)
    assert _where(p, M.EMPTY_VALUE) == [("enrolments", 2, "school"), ("pupils", 1, "sex")]


def test_unparseable_date(tables):
    tables["pupils"].loc[0, "date_of_birth"] = "last spring"
    p = _problems(tables)
    assert _where(p, M.BAD_DATE) == [("pupils", 0, "date_of_birth")]
    assert p.loc[p["problem"] == M.BAD_DATE, "value"].tolist() == ["last spring"]


def test_impossible_date(tables):
    tables["pupils"]["date_of_birth"] = ["31/02/2012", "30/11/2012", "14/02/2013"]
    p = _problems(tables)
    assert _where(p, M.IMPOSSIBLE_DATE) == [("pupils", 0, "date_of_birth")]


def test_mixed_date_formats_follow_the_majority(tables):
    tables["enrolments"]["entry_date"] = ["01/09/2017", "2017-09-01", "01/09/2018"]
    p = _problems(tables)
    assert _where(p, M.MIXED_DATE_FORMAT.format(fmt="DD/MM/YYYY")) == [
        ("enrolments", 1, "entry_date")]


def test_uk_dates_are_day_first(tables):
    tables["pupils"]["date_of_birth"] = ["01/05/2012", "3/11/2012", "14/02/2013 00:00"]
    rec = Records(**tables, extract_date=EXTRACT)
    assert rec.pupils["date_of_birth"].tolist() == [
        pd.Timestamp("2012-05-01"), pd.Timestamp("2012-11-03"), pd.Timestamp("2013-02-14")]


def test_us_dates_show_up_as_impossible(tables):
    tables["pupils"]["date_of_birth"] = ["05/01/2012", "11/30/2012", "02/14/2013"]
    p = _problems(tables)
    assert [r for _, r, _ in _where(p, M.IMPOSSIBLE_DATE)] == [1, 2]


def test_date_before_1990_and_future(tables):
    tables["pupils"].loc[0, "date_of_birth"] = "1989-12-31"
    tables["suspensions"].loc[1, "start_date"] = "2024-07-01"
    tables["enrolments"].loc[1, "leaving_date"] = "2025-07-20"  # planned leaving: fine
    p = _problems(tables)
    assert _where(p, M.DATE_TOO_EARLY.format(earliest="1990-01-01")) == [
        ("pupils", 0, "date_of_birth")]
    assert _where(p, M.FUTURE_DATE.format(extract="2024-06-30")) == [
        ("suspensions", 1, "start_date")]


@pytest.mark.parametrize("table,start,end", [
    ("enrolments", "entry_date", "leaving_date"),
    ("attendance", "period_start", "period_end"),
    ("sen", "start_date", "end_date"),
])
def test_end_before_start(tables, table, start, end):
    tables[table].loc[1, start] = "2022-09-01"
    tables[table].loc[1, end] = "2022-08-31"
    p = _problems(tables)
    assert _where(p, M.END_BEFORE_START.format(end=end, start=start)) == [(table, 1, end)]


def test_negative_count_and_not_a_number(tables):
    tables["attendance"].loc[0, "sessions_authorised"] = "-3"
    tables["attendance"].loc[1, "sessions_possible"] = "lots"
    tables["suspensions"].loc[0, "sessions"] = "-1"
    p = _problems(tables)
    assert _where(p, M.NEGATIVE_COUNT) == [("attendance", 0, "sessions_authorised"),
                                          ("suspensions", 0, "sessions")]
    assert _where(p, M.NOT_A_NUMBER) == [("attendance", 1, "sessions_possible")]


def test_absence_exceeds_possible(tables):
    tables["attendance"].loc[1, "sessions_unauthorised"] = "131"
    p = _problems(tables)
    assert _where(p, M.ABSENCE_EXCEEDS_POSSIBLE) == [("attendance", 1, "sessions_possible")]


def test_duplicate_pupil(tables):
    tables["pupils"].loc[2, "upn"] = "B801200005001"
    p = _problems(tables)
    assert _where(p, M.DUPLICATE_PUPIL) == [("pupils", 2, "upn")]


def test_exact_duplicate_row(tables):
    tables["suspensions"] = pd.concat([tables["suspensions"]] * 2, ignore_index=True)
    p = _problems(tables)
    assert _where(p, M.DUPLICATE_ROW) == [("suspensions", 2, None), ("suspensions", 3, None)]


@pytest.mark.parametrize("table,column,value,what", [
    ("pupils", "sex", "X", "sex"),
    ("pupils", "fsm", "maybe", "boolean"),
    ("suspensions", "category", "EXPEL", "category"),
    ("sen", "provision", "Z", "provision"),
])
def test_unknown_code(tables, table, column, value, what):
    tables[table].loc[1, column] = value
    p = _problems(tables)
    assert _where(p, M.UNKNOWN_CODE.format(what=what)) == [(table, 1, column)]


def test_unknown_session_and_mark_code(tables):
    tables["attendance_marks"] = pd.DataFrame({
        "upn": ["P3"] * 4, "date": ["2023-01-09"] * 2 + ["2024-09-02"] * 2,
        "session": ["AM", "Morning", "am", "PM"], "code": ["/", "/", "J", "Q"]})
    p = _problems(tables)
    assert _where(p, M.UNKNOWN_CODE.format(what="session")) == [
        ("attendance_marks", 1, "session")]
    assert _where(p, M.UNKNOWN_CODE.format(what="attendance mark")) == [
        ("attendance_marks", 2, "code")]  # J withdrawn in 2024; Q is new and fine


def test_session_marked_twice(tables):
    tables["attendance_marks"] = pd.DataFrame({
        "upn": ["P3"] * 3, "date": ["2023-01-09"] * 3, "session": ["AM", "AM", "AM"],
        "code": ["/", "/", "N"]})
    p = _problems(tables)
    assert _where(p, M.DUPLICATE_ROW) == [("attendance_marks", 1, None)]
    assert _where(p, M.SESSION_MARKED_TWICE) == [("attendance_marks", 2, "session")]


def test_records_for_unknown_pupils(tables):
    tables["enrolments"].loc[2, "upn"] = "GHOST"
    tables["sen"].loc[0, "upn"] = "GHOST"
    p = _problems(tables)
    assert _where(p, M.UNKNOWN_PUPIL) == [("enrolments", 2, "upn"), ("sen", 0, "upn")]


def test_all_problems_are_collected(tables):
    tables["pupils"].loc[0, "sex"] = "?"
    tables["attendance"].loc[0, "sessions_possible"] = "-1"
    tables["sen"].loc[2, "start_date"] = "2019-02-30"
    p = _problems(tables)
    assert {M.UNKNOWN_CODE.format(what="sex"), M.NEGATIVE_COUNT, M.IMPOSSIBLE_DATE} <= set(
        p["problem"])
    assert set(p.columns) >= {"table", "row", "column", "value", "problem", "fix"}


def test_error_message_is_readable(tables):
    tables["pupils"].loc[0, "sex"] = "?"
    with pytest.raises(InputError) as exc:
        Records(**tables, extract_date=EXTRACT).validate()
    msg = str(exc.value)
    assert "1 problem" in msg and "pupils row 0, column sex" in msg and ".problems" in msg
    assert isinstance(exc.value, ValueError)


def test_row_labels_are_the_index(tables):
    tables["pupils"].index = [11, 12, 13]
    tables["pupils"].loc[13, "sex"] = "?"
    p = _problems(tables)
    assert _where(p, M.UNKNOWN_CODE.format(what="sex")) == [("pupils", 13, "sex")]


# ------------------------------------------------------------------ warnings
def _warnings(tables, **kwargs):
    rec = Records(**tables, extract_date=EXTRACT, **kwargs)
    w = rec.validate()
    assert w.equals(rec.warnings)
    return w


def test_bad_upn_check_letter_warns_only_when_all_look_like_upns(tables):
    tables["pupils"].loc[2, "upn"] = "A801200005001"
    for t in ("enrolments", "suspensions", "sen"):
        tables[t]["upn"] = tables[t]["upn"].replace("P3", "A801200005001")
    assert _where(_warnings(tables), M.BAD_UPN_CHECK) == [("pupils", 2, "upn")]
    tables2 = {k: v.copy() for k, v in tables.items()}
    tables2["pupils"].loc[0, "upn"] = "X1"
    for t in ("enrolments", "attendance", "sen"):
        tables2[t]["upn"] = tables2[t]["upn"].replace("B801200005001", "X1")
    assert _where(_warnings(tables2), M.BAD_UPN_CHECK) == []


def test_implausible_sessions_warn(tables):
    tables["attendance"].loc[0, "sessions_possible"] = "500"
    tables["attendance"].loc[1, "period_end"] = "2022-09-02"  # 2 weekdays, 140 sessions
    w = _warnings(tables)
    assert _where(w, M.IMPLAUSIBLE_SESSIONS) == [("attendance", 0, "sessions_possible"),
                                                ("attendance", 1, "sessions_possible")]


def test_overlapping_enrolments_warn(tables):
    extra = pd.DataFrame({"upn": ["P3", "P3"], "school": ["100002", "900001"],
                          "entry_date": ["2018-09-01", "2021-01-04"],
                          "leaving_date": [None, "2021-03-31"], "phase": ["ap", "ap"]},
                         index=[3, 4])
    tables["enrolments"] = pd.concat([tables["enrolments"].iloc[:2], extra])
    w = _warnings(tables)
    assert _where(w, M.OVERLAPPING_ENROLMENT) == [("enrolments", 4, "entry_date")]


def test_provision_n_rows_are_counted(tables):
    w = _warnings(tables)
    assert M.PROVISION_N_SET_ASIDE.format(n=1) in set(w["problem"])


def test_unknown_ethnicity_and_phase_warn(tables):
    tables["pupils"].loc[0, "ethnicity"] = "martian"
    tables["enrolments"].loc[0, "phase"] = "nursery"
    w = _warnings(tables)
    assert _where(w, M.UNKNOWN_ETHNICITY) == [("pupils", 0, "ethnicity")]
    assert _where(w, M.UNKNOWN_PHASE) == [("enrolments", 0, "phase")]


# ------------------------------------------------------------------ typed input
def test_typed_columns_pass_through(tables):
    p = tables["pupils"]
    p["date_of_birth"] = pd.to_datetime(p["date_of_birth"]).astype("datetime64[s]")
    p["fsm"] = [True, False, True]
    p["eal"] = np.array([1, 0, 1])
    a = tables["attendance"]
    for c in ("sessions_possible", "sessions_authorised", "sessions_unauthorised"):
        a[c] = a[c].astype(int)
    rec = Records(**tables, extract_date=EXTRACT)
    assert rec.pupils["date_of_birth"].dtype == "datetime64[ns]"
    assert rec.pupils["fsm"].dtype == "boolean" and rec.pupils["eal"].tolist() == [
        True, False, True]
    assert rec.attendance["sessions_possible"].dtype == "float64"


def test_typed_bad_values_are_reported(tables):
    tables["pupils"]["eal"] = [1, 2, 0]
    tables["attendance"]["sessions_authorised"] = [-1, 0]
    p = _problems(tables)
    assert _where(p, M.UNKNOWN_CODE.format(what="boolean")) == [("pupils", 1, "eal")]
    assert _where(p, M.NEGATIVE_COUNT) == [("attendance", 0, "sessions_authorised")]


# ------------------------------------------------------------------ marks and data_end
def test_marks_are_aggregated_per_pupil_and_day(tables):
    tables["attendance_marks"] = pd.DataFrame({
        "upn": ["P3"] * 6 + ["B801200005001"] * 2,
        "date": ["2024-08-16"] * 2 + ["2024-08-19"] * 2 + ["2024-08-20"] * 2
                + ["2023-01-09"] * 2,
        "session": ["AM", "PM"] * 4,
        "code": ["J", "I", "J1", "-", "#", "O", "/", "\\"],
    })
    rec = Records(**tables, extract_date="2024-09-01")
    marks = rec.attendance_marks
    assert marks["code_class"].tolist() == ["PRESENT", "AUTH", "AUTH", "MISSING",
                                            "NOT_POSSIBLE", "UNAUTH", "PRESENT", "PRESENT"]
    att = rec.attendance
    assert len(att) == 2 + 4
    days = att.iloc[2:].sort_values(["upn", "period_start"])
    assert (days["period_start"] == days["period_end"]).all()
    assert days[["sessions_possible", "sessions_authorised", "sessions_unauthorised"]
                ].values.tolist() == [[2, 0, 0], [2, 1, 0], [1, 1, 0], [1, 0, 1]]
    assert rec.given_attendance().shape[0] == 2


def test_data_end(tables):
    assert Records(**tables, extract_date=EXTRACT).data_end == pd.Timestamp(EXTRACT)
    assert Records(**tables).data_end == pd.Timestamp("2023-07-20")


def test_summarise_problems(tables):
    tables["pupils"]["sex"] = ["?", "?", "M"]
    tables["attendance"].loc[0, "sessions_authorised"] = "-1"
    text = summarise_problems(_problems(tables), max_rows_per_kind=1)
    assert text.startswith("3 problem(s) of 2 kind(s)")
    assert "pupils.sex: unknown sex code (2 rows)" in text and "... and 1 more" in text
    assert "fix:" in text
    assert summarise_problems(pd.DataFrame(columns=["table", "row", "column", "value",
                                                    "problem"])) == "No problems found."


def test_dates_outside_the_nanosecond_range_are_reported(tables):
    tables["suspensions"].loc[0, "start_date"] = "9999-12-31"
    p = _problems(tables)
    assert _where(p, M.DATE_OUT_OF_RANGE) == [("suspensions", 0, "start_date")]
    typed = make_typed_dob(["2012-05-01", "3000-01-01", "2013-02-14"])
    tables = {k: v for k, v in tables.items() if k != "suspensions"}
    tables["pupils"]["date_of_birth"] = typed
    p = _problems(tables)
    assert _where(p, M.DATE_OUT_OF_RANGE) == [("pupils", 1, "date_of_birth")]


def make_typed_dob(values):
    return pd.Series(pd.to_datetime(values, format="%Y-%m-%d").astype("datetime64[s]"))


def test_weekday_count_matches_numpy(rng):
    from screening.features._date_columns import weekdays_before

    start = rng.integers(-2000, 20000, 500)
    end = start + rng.integers(0, 400, 500)
    ours = weekdays_before(end + 1) - weekdays_before(start)
    theirs = np.busday_count(start.astype("datetime64[D]"),
                             (end + 1).astype("datetime64[D]"))
    assert (ours == theirs).all()


def test_duplicate_column_names(tables):
    tables["pupils"]["sex "] = tables["pupils"]["sex"]
    p = _problems(tables)
    assert _where(p, M.DUPLICATE_COLUMN.format(column="sex")) == [("pupils", None, "sex")]


def test_no_unknown_pupil_flood_when_pupils_unusable(tables):
    tables["pupils"] = tables["pupils"].drop(columns="upn")
    p = _problems(tables)
    assert M.UNKNOWN_PUPIL not in set(p["problem"])


def test_un_placeholders_are_not_bad_upns(tables):
    tables["pupils"].loc[2, "upn"] = "UN1"
    for t in ("enrolments", "suspensions", "sen"):
        tables[t]["upn"] = tables[t]["upn"].replace("P3", "UN1")
    tables["pupils"].loc[0, "upn"] = "A801200005001"
    for t in ("enrolments", "attendance", "sen"):
        tables[t]["upn"] = tables[t]["upn"].replace("B801200005001", "A801200005001")
    assert _where(_warnings(tables), M.BAD_UPN_CHECK) == [("pupils", 0, "upn")]


def test_timezone_aware_dates_pass(tables):
    tables["suspensions"]["start_date"] = pd.to_datetime(
        tables["suspensions"]["start_date"]).dt.tz_localize("Europe/London")
    rec = Records(**tables, extract_date=EXTRACT)
    assert rec.suspensions["start_date"].tolist() == [pd.Timestamp("2023-01-10"),
                                                      pd.Timestamp("2023-03-01")]


def test_headline_survives_missing_values_of_any_kind(tables):
    # a duplicated row whose upn is blank is reported with the normalised upn, <NA>
    tables["suspensions"].loc[0, "upn"] = None
    tables["suspensions"] = pd.concat([tables["suspensions"]] * 2, ignore_index=True)
    with pytest.raises(InputError) as exc:
        Records(**tables, extract_date=EXTRACT).validate()
    p = exc.value.problems
    dup = p[p["problem"] == M.DUPLICATE_ROW]
    assert dup["row"].tolist() == [2, 3] and pd.isna(dup["value"].iloc[0])
    assert "suspensions row 2: exact duplicate of an earlier row\n" in str(exc.value)
