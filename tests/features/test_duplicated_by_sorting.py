"""The sort-based ``duplicated`` of integer keys matches pandas' for every ``keep``."""

import numpy as np
import pandas as pd
import pytest
from screening.features._integrity import _duplicated, duplicated_by_sorting

KEEPS = ("first", "last", False)


@pytest.mark.parametrize("keep", KEEPS)
@pytest.mark.parametrize("seed", range(30))
def test_matches_pandas_on_random_keys(seed, keep):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 200))
    high = int(rng.choice([3, 50, 10**6, 2**62]))  # many, some, rare or no repeats
    key = rng.integers(-high, high, size=n, dtype=np.int64)
    expected = pd.Series(key).duplicated(keep=keep).to_numpy()
    got = duplicated_by_sorting(key, keep=keep)
    assert got.dtype == bool and got.shape == (n,)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("keep", KEEPS)
def test_without_repeats_nothing_is_duplicated(keep):
    key = np.random.default_rng(0).permutation(10_000).astype(np.int64)
    assert not duplicated_by_sorting(key, keep=keep).any()


@pytest.mark.parametrize("keep", KEEPS)
def test_one_value_repeated_far_apart(keep):
    key = np.array([7, 1, 2, 3, 7, 4, 7, 0], dtype=np.int64)
    expected = {"first": [0, 0, 0, 0, 1, 0, 1, 0], "last": [1, 0, 0, 0, 1, 0, 0, 0],
                False: [1, 0, 0, 0, 1, 0, 1, 0]}[keep]
    np.testing.assert_array_equal(duplicated_by_sorting(key, keep=keep), np.array(expected, bool))


@pytest.mark.parametrize("keep", KEEPS)
def test_largest_value_repeated(keep):  # the binary search's end of the range
    key = np.array([5, 9, 1, 9], dtype=np.int64)
    expected = pd.Series(key).duplicated(keep=keep).to_numpy()
    np.testing.assert_array_equal(duplicated_by_sorting(key, keep=keep), expected)


@pytest.mark.parametrize("keep", KEEPS)
@pytest.mark.parametrize("seed", range(10))
def test_combined_columns_match_dataframe_duplicated(seed, keep):
    rng = np.random.default_rng(seed)
    n = 300
    cols = [rng.integers(0, k, size=n) for k in (40, 3, 5)]
    got = _duplicated([(c.astype(np.int64), int(c.max()) + 1) for c in cols], keep=keep)
    expected = pd.DataFrame(dict(enumerate(cols))).duplicated(keep=keep).to_numpy()
    np.testing.assert_array_equal(got, expected)

