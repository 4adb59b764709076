"""The band index of a numeric value is the binary search's, with few cuts or many."""

import numpy as np
import pytest
from screening.models._binning import band_index


@pytest.mark.parametrize("n_cuts", [0, 1, 3, 16, 17, 40])
def test_band_index_is_searchsorted_right(n_cuts):
    rng = np.random.default_rng(n_cuts)
    cuts = np.unique(np.round(rng.normal(size=n_cuts), 1))
    values = np.concatenate([np.round(rng.normal(size=5_000), 1), cuts, -cuts,
                             [np.nan, -0.0, 0.0]])
    got = band_index(cuts, values)
    want = np.searchsorted(cuts, values, side="right")
    ok = ~np.isnan(values)
    assert got.dtype == np.intp and np.array_equal(got[ok], want[ok])
