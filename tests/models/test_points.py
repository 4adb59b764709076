"""The weighted fit on distinct band patterns is the row-level fit, only faster."""

import numpy as np
from screening.models._points import distinct_rows, fit_penalised, one_hot
from sklearn.linear_model import LogisticRegression


def test_distinct_rows_is_exact_even_when_keys_would_overflow():
    rng = np.random.default_rng(0)
    sizes = [7] * 40  # 7**40 overflows int64: the key must be renumbered on the way
    codes = rng.integers(0, 3, size=(3000, 40))
    codes[1500:] = codes[:1500]  # every pattern appears at least twice
    first, inv = distinct_rows(codes, sizes)
    np.testing.assert_array_equal(codes[first][inv], codes)
    assert len(first) == len(np.unique(codes, axis=0))


def test_weighted_pattern_fit_equals_row_level_fit():
    rng = np.random.default_rng(1)
    sizes = [3, 4, 2]
    codes = np.column_stack([rng.integers(0, s, 5000) for s in sizes])
    logit = -2 + 0.8 * codes[:, 0] - 0.5 * codes[:, 1] + codes[:, 2]
    y = (rng.random(5000) < 1 / (1 + np.exp(-logit))).astype(float)
    fast = fit_penalised(codes, sizes, y, C=0.5)
    slow = LogisticRegression(C=0.5, solver="newton-cholesky", tol=1e-8).fit(
        one_hot(codes, sizes), y)
    np.testing.assert_allclose(fast.coef_, slow.coef_, atol=1e-7)
    np.testing.assert_allclose(fast.intercept_, slow.intercept_, atol=1e-7)
