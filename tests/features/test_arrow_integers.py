"""Session counts read by Arrow's cast give exactly what the text parsers give.

The same attendance table is validated twice: with Arrow text columns (the fast path
applies when every cell is blank or a plain integer) and with the same text as Python
objects (always factorised and parsed per distinct value). Values, dtypes, problems and
warnings must be equal, for clean columns and for every kind of odd cell.
"""

import numpy as np
import pandas as pd
import pytest
from screening.features import InputError, Records
from screening.features._arrow_integers import integer_column
from screening.features._schema import COUNTS

UPNS = [f"P{i}" for i in range(6)]


def _records(counts: dict, dtype) -> Records:
    n = len(next(iter(counts.values())))
    att = pd.DataFrame({
        "upn": [UPNS[i % len(UPNS)] for i in range(n)],
        "period_start": [f"2023-09-{4 + i % 20:02d}" for i in range(n)],
        "period_end": ["2023-12-20"] * n})
    for c, v in counts.items():  # (a frame built from objects would infer Arrow text)
        att[c] = pd.Series(v, dtype=dtype)
    assert all(att[c].dtype == dtype for c in counts)
    return Records(
        pupils=pd.DataFrame({"upn": UPNS, "date_of_birth": ["2013-05-01"] * len(UPNS),
                             "sex": ["F"] * len(UPNS)}),
        enrolments=pd.DataFrame({"upn": UPNS, "school": ["100001"] * len(UPNS),
                                 "entry_date": ["2018-09-01"] * len(UPNS)}),
        attendance=att, extract_date="2024-07-31")


def _outcome(rec: Records):
    try:
        warnings = rec.validate()
    except InputError as err:
        return "problems", err.problems
    return "tables", (rec.attendance, warnings)


CASES = {
    "clean": (["120", "130", "0", "7", "007", "140"], ["0", "3", "1", "0", "2", "5"]),
    "blanks": (["120", None, "", "  ", "130", "140"], ["0", "3", None, "1", "2", "5"]),
    "negative and minus zero": (["120", "-3", "-0", "130", "140", "150"],
                                ["0", "3", "1", "200", "2", "5"]),
    "not plain": (["120", " 130", "1.5", "+4", "0x10", "1e2"], ["0", "x", "1", "0", "2", "5"]),
    "hexadecimal": (["120", "0x10", "130", "140", "150", "160"], ["0"] * 6),  # Arrow reads 16
    "huge": (["9223372036854775807", "9223372036854775808", "1", "2", "3", "4"],
             ["0"] * 6),
}


@pytest.mark.parametrize("case", CASES)
def test_arrow_cast_gives_what_the_text_parsers_give(case):
    possible, authorised = CASES[case]
    counts = {"sessions_possible": possible, "sessions_authorised": authorised,
              "sessions_unauthorised": ["1"] * len(possible)}
    kind, got = _outcome(_records(counts, "str"))
    want_kind, want = _outcome(_records(counts, object))
    assert kind == want_kind
    if kind == "problems":
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    else:
        pd.testing.assert_frame_equal(got[0], want[0], check_exact=True)
        pd.testing.assert_frame_equal(got[1], want[1], check_exact=True)
        assert (got[0][COUNTS].dtypes == "float64").all()


@pytest.mark.parametrize("text", [" 1", "1 ", "+1", "0x10", "0X1F", "1.0", "1e3", "١",
                                  "9223372036854775808", "1-", "--1", "-"])
def test_only_plain_integers_take_the_fast_path(text):
    assert integer_column(pd.Series(["1", text, "2"], dtype="str")) is None


def test_fast_path_values_and_blanks():
    s = pd.Series(["5", None, "-0", "007", "-12"], dtype="str")
    values, blank = integer_column(s)
    np.testing.assert_array_equal(values, [5.0, np.nan, 0.0, 7.0, -12.0])
    np.testing.assert_array_equal(blank, [False, True, False, False, False])
    assert not np.signbit(values[2])  # "-0" is 0, as pandas.to_numeric reads it
    assert integer_column(pd.Series(["5"], dtype=object)) is None  # not Arrow text
    sliced = pd.Series(["x", "5", "6", "y"], dtype="str").iloc[1:3]
    np.testing.assert_array_equal(integer_column(sliced)[0], [5.0, 6.0])
