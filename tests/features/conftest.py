"""Tiny input-contract tables, as a CSV export would give them (all text)."""

import pandas as pd
import pytest


def make_tables():
    """Return a small valid dataset as a dict of all-text DataFrames."""
    return {
        "pupils": pd.DataFrame({
            "upn": ["B801200005001", "R674123101121", "P3"],
            "date_of_birth": ["2012-05-01", "2012-11-30", "2013-02-14"],
            "sex": ["Male", "f", "M"],
            "ethnicity": ["wbri", "WROM", None],
            "fsm": ["Y", "no", "1"],
            "eal": ["true", "FALSE", None],
        }),
        "enrolments": pd.DataFrame({
            "upn": ["B801200005001", "R674123101121", "P3"],
            "school": ["100001", "100001", "100002"],
            "entry_date": ["2017-09-01", "2017-09-01", "2018-09-01"],
            "leaving_date": [None, "2023-07-20", None],
            "phase": ["Primary", "primary", "AP"],
        }),
        "attendance": pd.DataFrame({
            "upn": ["B801200005001", "R674123101121"],
            "period_start": ["2022-09-01", "2022-09-01"],
            "period_end": ["2022-12-16", "2022-12-16"],
            "sessions_possible": ["140", "140"],
            "sessions_authorised": ["4", "10"],
            "sessions_unauthorised": ["0", "12"],
        }),
        "suspensions": pd.DataFrame({
            "upn": ["R674123101121", "P3"],
            "start_date": ["2023-01-10", "2023-03-01"],
            "category": ["FIXD", "LNCH"],
            "sessions": ["2", None],
            "reason": ["pp; DB", None],
        }),
        "sen": pd.DataFrame({
            "upn": ["R674123101121", "P3", "B801200005001"],
            "start_date": ["2019-09-01", "2020-01-06", "2020-01-06"],
            "end_date": [None, "2021-07-20", None],
            "provision": ["k", "S", "N"],
            "primary_need": ["semh", None, None],
        }),
    }


@pytest.fixture
def tables():
    """A fresh copy of the tiny valid dataset."""
    return make_tables()


@pytest.fixture(scope="session")
def make_tables_fn():
    """The factory itself, for tests that need many fresh copies (property tests)."""
    return make_tables
