"""Records: construction, laziness, and a property test that corrupted input either
loads or raises InputError (nothing else escapes)."""

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from screening.features import InputError, Records
from screening.features._records import records_equal


def test_repr_and_from_tables(tables):
    rec = Records.from_tables(tables, source="here")
    assert repr(rec) == "Records(pupils=3, enrolments=3, attendance=2, suspensions=2, sen=3)"
    with pytest.raises(ValueError, match="Unknown table name"):
        Records.from_tables({"pupil": tables["pupils"]})


def test_records_copy_their_tables(tables):
    rec = Records(**tables)
    tables["pupils"].loc[0, "sex"] = "?"
    rec.validate()  # the edit after construction does not reach the records


def test_non_dataframe_table_is_a_type_error(tables):
    tables["pupils"] = tables["pupils"].to_dict()
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        Records(**tables).validate()


def test_empty_suspensions_and_no_sen(tables):
    tables["suspensions"] = tables["suspensions"].iloc[:0]
    del tables["sen"]
    rec = Records(**tables)
    assert len(rec.suspensions) == 0 and len(rec.sen) == 0
    assert list(rec.sen.columns) == ["upn", "start_date", "end_date", "provision",
                                     "primary_need"]
    assert rec.sen["start_date"].dtype == "datetime64[ns]"


def test_extract_date_affects_equality(tables):
    assert not records_equal(Records(**tables), Records(**tables, extract_date="2024-01-01"))


# ---------------------------------------------------------------- property test
GARBAGE = st.sampled_from(["", " ", "-1", "abc", "31/02/2020", "2020-13-01", "NaN", "∞",
                           "1e309", "0", "9999-12-31", "01/01/1900", "N", "\x00", "None",
                           "2020-01-01T10:00", "1.5", ";;", "J1", "-"])
ACTIONS = st.sampled_from(["blank", "garbage", "negative", "swap", "drop_column",
                           "duplicate_row", "drop_table"])


@st.composite
def corruptions(draw):
    return draw(st.lists(st.tuples(ACTIONS, st.integers(0, 10_000), st.integers(0, 10_000),
                                   GARBAGE), min_size=1, max_size=6))


def _corrupt(tables, steps):
    tables["attendance_marks"] = pd.DataFrame({
        "upn": ["P3", "P3"], "date": ["2023-01-09", "2023-01-09"], "session": ["AM", "PM"],
        "code": ["/", "O"]})
    names = sorted(tables)
    for action, i, j, junk in steps:
        name = names[i % len(names)]
        df = tables[name]
        if action == "drop_table":
            del tables[name]
            names.remove(name)
            if not names:
                break
            continue
        if df.shape[1] == 0 or len(df) == 0:
            continue
        col = df.columns[j % df.shape[1]]
        row = df.index[i % len(df)]
        if action == "blank":
            df.loc[row, col] = None
        elif action == "garbage":
            df.loc[row, col] = junk
        elif action == "negative":
            df.loc[row, col] = "-" + str(df.loc[row, col])
        elif action == "swap":
            other = df.columns[(j + 1) % df.shape[1]]
            df.loc[row, [col, other]] = df.loc[row, [other, col]].to_numpy()
        elif action == "drop_column":
            tables[name] = df.drop(columns=col)
        elif action == "duplicate_row":
            tables[name] = pd.concat([df, df.iloc[[i % len(df)]]], ignore_index=True)
    return tables


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=corruptions())
def test_corrupted_tables_load_or_raise_input_error(make_tables_fn, steps):
    tables = _corrupt(make_tables_fn(), steps)
    rec = Records(**tables, extract_date="2024-06-30")
    try:
        warnings = rec.validate()
    except InputError as err:
        p = err.problems
        assert len(p) > 0
        assert list(p.columns[:5]) == ["table", "row", "column", "value", "problem"]
        assert p["problem"].map(lambda x: isinstance(x, str)).all()
        return
    assert {"table", "problem"} <= set(warnings.columns)
    for name in ("pupils", "enrolments", "attendance", "suspensions", "sen"):
        table = getattr(rec, name)
        assert table["upn"].notna().all()
    assert rec.pupils["sex"].isin(["M", "F"]).all()
