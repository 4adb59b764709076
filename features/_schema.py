"""The normalised schema of the input contract: required columns, dates, column order.

These constants describe what :class:`Records` tables hold after validation (see the
docstring of ``_records``); the parsers, the checks and the writers all read them here.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

REQUIRED = {
    "pupils": ["upn", "date_of_birth", "sex"],
    "enrolments": ["upn", "school", "entry_date"],
    "attendance": ["upn", "period_start", "period_end", "sessions_possible",
                   "sessions_authorised", "sessions_unauthorised"],
    "attendance_marks": ["upn", "date", "session", "code"],
    "suspensions": ["upn", "start_date", "category"],
    "sen": ["upn", "start_date", "provision"],
    "allocations": ["upn", "school", "start_date"],
    "episodes": ["upn", "kind", "start_date"],
}
#: Tables that may be absent (absent means none); the others are required, except
#: that ``attendance`` may be replaced by ``attendance_marks``.
OPTIONAL = ("attendance_marks", "suspensions", "sen", "allocations", "episodes")
DATES = {
    "pupils": ["date_of_birth"],
    "enrolments": ["entry_date", "leaving_date"],
    "attendance": ["period_start", "period_end"],
    "attendance_marks": ["date"],
    "suspensions": ["start_date"],
    "sen": ["start_date", "end_date"],
    "allocations": ["start_date", "decided_date"],
    "episodes": ["start_date", "end_date"],
}
#: Date columns that may legitimately lie after the extract date: planned leaving and
#: end dates, and the start at a school a pupil is allocated to.
MAY_BE_FUTURE = {("enrolments", "leaving_date"), ("sen", "end_date"),
                 ("episodes", "end_date"), ("allocations", "start_date")}
#: Column order of the normalised tables (extra columns follow).
SCHEMA = {
    "pupils": ["upn", "date_of_birth", "sex", "ethnicity"],
    "enrolments": ["upn", "school", "entry_date", "leaving_date", "phase", "leaving_reason"],
    "attendance": ["upn", "school", "period_start", "period_end", "sessions_possible",
                   "sessions_authorised", "sessions_unauthorised"],
    "attendance_marks": ["upn", "date", "session", "code", "code_class"],
    "suspensions": ["upn", "start_date", "category", "sessions", "reason", "school"],
    "sen": ["upn", "start_date", "end_date", "provision", "primary_need"],
    "allocations": ["upn", "school", "start_date", "decided_date"],
    "episodes": ["upn", "kind", "start_date", "end_date"],
}
COUNTS = ["sessions_possible", "sessions_authorised", "sessions_unauthorised"]
BOOLEANS = ["fsm", "eal", "looked_after"]
PHASES = ("primary", "middle", "secondary", "all-through", "special", "ap")
SESSIONS = {"AM": "AM", "PM": "PM"}
EARLIEST = pd.Timestamp("1990-01-01")
DATE_UNIT: Final = "datetime64[ns]"


def empty_table(name: str) -> pd.DataFrame:
    """An empty normalised table ``name`` with the schema's columns and dtypes."""
    return _EMPTY[name].copy()


def _make_empty(name: str) -> pd.DataFrame:
    dtypes = {c: ("string" if c not in DATES[name] else DATE_UNIT) for c in SCHEMA[name]}
    for c in COUNTS + ["sessions"]:
        if c in dtypes:
            dtypes[c] = "float64"
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


_EMPTY = {name: _make_empty(name) for name in SCHEMA}


def na_column(df, dtype):
    """An all-missing column of ``dtype`` on the index of ``df``."""
    if dtype == "string" and pd.StringDtype().storage == "pyarrow":
        import pyarrow as pa  # an all-null Arrow array costs nothing per row

        arr = pd.arrays.ArrowStringArray(pa.chunked_array([pa.nulls(len(df), pa.large_string())]))
        return pd.Series(arr, index=df.index)
    return pd.Series(pd.NA, index=df.index, dtype=dtype)
