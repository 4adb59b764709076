"""The grouped, stratified folds of the scorecard's cross-validation."""

import numpy as np
import pytest
from screening.models._folds import grouped_folds


@pytest.fixture
def pupils():
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(3000), rng.integers(1, 4, 3000))  # 1-3 censuses each
    risk = rng.uniform(size=3000)[groups]
    y = (rng.uniform(size=groups.size) < 0.05 + 0.2 * (risk > 0.9)).astype(int)
    return y, groups


def test_every_row_is_tested_once_and_no_pupil_is_on_both_sides(pupils):
    y, groups = pupils
    folds = list(grouped_folds(y, groups, 5, seed=0))
    tested = np.concatenate([test for _, test in folds])
    assert np.array_equal(np.sort(tested), np.arange(y.size))
    for train, test in folds:
        assert np.intersect1d(train, test).size == 0
        assert not set(groups[train]) & set(groups[test])


def test_outcomes_and_rows_are_spread_evenly(pupils):
    y, groups = pupils
    folds = list(grouped_folds(y, groups, 5, seed=0))
    pos = np.array([y[test].sum() for _, test in folds])
    rows = np.array([test.size for _, test in folds])
    # a fold can differ from another by at most one group of each kind (at most 3 rows)
    assert pos.max() - pos.min() <= 3
    assert rows.max() - rows.min() <= 0.02 * rows.mean()


def test_deterministic_per_seed_and_seed_matters(pupils):
    y, groups = pupils
    a = [test for _, test in grouped_folds(y, groups, 5, seed=3)]
    b = [test for _, test in grouped_folds(y, groups, 5, seed=3)]
    c = [test for _, test in grouped_folds(y, groups, 5, seed=4)]
    assert all(np.array_equal(x, z) for x, z in zip(a, b))
    assert not all(np.array_equal(x, z) for x, z in zip(a, c))
