"""Typed dates of a coarser unit than nanoseconds (Parquet gives milliseconds) are read
by integer arithmetic exactly as pandas' checked cast and ``normalize`` read them."""

import numpy as np
import pandas as pd
import pytest
from screening.features import _date_columns as dc


def _by_pandas(s):
    """The general path: bounds by comparison, a checked cast, then normalize."""
    out_of_range = np.zeros(len(s), dtype=bool)
    lo, hi = s.min(), s.max()
    if pd.notna(lo) and (lo < dc._NS_MIN or hi > dc._NS_MAX):
        out_of_range = ((s < dc._NS_MIN) | (s > dc._NS_MAX)).to_numpy(dtype=bool)
        s = s.mask(out_of_range)
    s = s.astype("datetime64[ns]")
    if dc._has_times(s.to_numpy()):
        s = s.dt.normalize()
    return s, out_of_range


@pytest.mark.parametrize("unit", ["s", "ms", "us"])
@pytest.mark.parametrize("times", [False, True])
def test_coarse_dates_read_as_pandas_reads_them(unit, times):
    rng = np.random.default_rng(1)
    days = rng.integers(-150_000, 150_000, 2_000).astype("timedelta64[D]")
    v = (np.datetime64("1970-01-01") + days).astype(f"datetime64[{unit}]")
    if times:  # times of day, before 1970 too (midnight is the day's floor)
        seconds = rng.integers(0, 86_400, len(v)).astype("timedelta64[s]")
        v = v + seconds.astype(f"timedelta64[{unit}]")
    v[::9] = np.datetime64("NaT")
    v[1] = np.datetime64("2262-04-11").astype(v.dtype)  # the last day in range
    v[2] = np.datetime64("2262-04-12").astype(v.dtype)
    v[4] = np.datetime64("1677-09-22").astype(v.dtype)  # the first whole day in range
    v[5] = np.datetime64("1677-09-21").astype(v.dtype)
    s = pd.Series(v, index=np.arange(5, 5 + len(v)), name="entry_date")
    got, wild = dc.to_ns(s)
    expected, expected_wild = _by_pandas(s)
    pd.testing.assert_series_equal(got, expected, check_exact=True)
    np.testing.assert_array_equal(wild, expected_wild)
    assert wild[[2, 5]].all() and not wild[[1, 4]].any()


def test_all_missing_and_empty():
    for v in (np.array(["NaT"] * 3, dtype="datetime64[ms]"), np.array([], "datetime64[ms]")):
        s = pd.Series(v)
        got, wild = dc.to_ns(s)
        pd.testing.assert_series_equal(got, _by_pandas(s)[0], check_exact=True)
        assert not wild.any()


@pytest.mark.parametrize("op", ["<", ">"])
def test_date_comparisons_are_pandas_comparisons(op):
    rng = np.random.default_rng(2)
    v = (np.datetime64("1985-01-01") + rng.integers(0, 20_000, 500).astype("timedelta64[D]")
         ).astype("datetime64[ns]")
    w = v[::-1].copy()
    v[::5], w[::7] = np.datetime64("NaT"), np.datetime64("NaT")
    a, b = pd.Series(v), pd.Series(w)
    for other in (b, pd.Timestamp("1990-01-01"), pd.Timestamp("2030-06-01 12:00")):
        expected = ((a < other) if op == "<" else (a > other)).to_numpy(dtype=bool)
        np.testing.assert_array_equal(dc.compare_dates(a, op, other), expected)
    ms = pd.Series(v.astype("datetime64[ms]"))  # another unit: pandas compares it
    np.testing.assert_array_equal(dc.compare_dates(ms, op, b),
                                  ((ms < b) if op == "<" else (ms > b)).to_numpy(dtype=bool))
