"""Fuzz: any typed cell, in any schema column, through a DataFrame or Parquet, gives
valid records or an InputError, never another exception (issue 15).

The suite runs a few dozen examples; ``FUZZ_EXAMPLES=1000`` runs more.
"""

import datetime as dt
import os
import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from screening.features import InputError, Records, load_records

from .conftest import make_tables

N = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CELLS = st.one_of(
    st.none(), st.just(np.nan), st.just(pd.NA), st.just(pd.NaT), st.just(np.inf),
    st.just(-np.inf), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
    st.text(max_size=12), st.binary(max_size=6), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.frozensets(st.integers(), max_size=2), st.booleans(),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(), st.just(pd.Timestamp("2300-01-01").to_datetime64()),
)
_TABLES = make_tables()
COLUMNS = [(t, c) for t, df in _TABLES.items() for c in df.columns]


def _check(tables, folder=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            rec = (load_records(folder) if folder is not None
                   else Records(**tables, extract_date="2024-06-30"))
            rec.validate()
        except InputError as err:
            assert len(err.problems) and err.problems["problem"].notna().all()
            str(err)  # the message builds for any value


@settings(max_examples=N, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(where=st.lists(st.tuples(st.sampled_from(COLUMNS), st.integers(0, 1), CELLS),
                      min_size=1, max_size=4))
def test_typed_cells_through_dataframes(where):
    tables = make_tables()
    for (t, c), row, value in where:
        s = tables[t][c].astype(object).to_numpy().copy()
        s[row] = value
        tables[t][c] = pd.Series(s, index=tables[t].index, dtype=object)
    _check(tables)


@settings(max_examples=max(5, N // 5), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(col=st.sampled_from(COLUMNS), value=CELLS)
def test_typed_cells_through_parquet(tmp_path_factory, col, value):
    tables = make_tables()
    t, c = col
    s = tables[t][c].astype(object).to_numpy().copy()
    s[0] = value
    tables[t][c] = pd.Series(s, dtype=object)
    folder = tmp_path_factory.mktemp("fuzz")
    for name, df in tables.items():
        try:
            df.to_parquet(folder / f"{name}.parquet")
        except Exception:  # pyarrow cannot store this mix in one column: no such file
            return
    _check(tables, folder)
