"""Dates with a time of day are found as ``ns % day != 0`` finds them, NaT aside."""

import numpy as np
import pytest
from screening.features._date_columns import _DAY_NS, _has_times


@pytest.mark.parametrize("seed", range(5))
def test_times_of_day_found_as_by_modulo(seed):
    rng = np.random.default_rng(seed)
    days = rng.integers(-40_000, 40_000, size=1_000) * _DAY_NS
    v = days.view("datetime64[ns]").copy()
    v[rng.integers(0, 1_000, size=50)] = np.datetime64("NaT")
    assert not _has_times(v)
    for off in (1, _DAY_NS - 1, 3_600 * 10**9):
        w = v.copy()
        i = int(rng.integers(0, 1_000))
        w[i] = (days[i] + off).view("datetime64[ns]")
        assert _has_times(w) == bool((w.view(np.int64) % _DAY_NS != 0)[~np.isnat(w)].any())
        assert _has_times(w)
