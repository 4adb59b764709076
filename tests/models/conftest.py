"""Shared fixtures for the models tests: small simulated data with a fixed seed."""

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    """One BLAS/OpenMP thread: the test machine is shared, and oversubscribed OpenMP
    threads make the booster many times slower."""
    with threadpool_limits(1):
        yield


def simulate(n, seed=0, *, shift=0.0):
    """Rows with numeric, count, categorical, bool and missing features, and the truth.

    Returns (X, y, p) where p is the true probability of y == 1.
    """
    rng = np.random.default_rng(seed)
    absence = rng.beta(2, 18, n)
    absence[rng.uniform(size=n) < 0.05] = np.nan
    suspensions = rng.poisson(0.3, n).astype(float)
    sen = rng.choice(["none", "K", "E", "rare1", "rare2"], n, p=[0.78, 0.13, 0.07, 0.01, 0.01])
    looked_after = rng.uniform(size=n) < 0.04
    moves = rng.integers(0, 4, n)
    effect = {"none": 0.0, "K": 0.6, "E": 1.0, "rare1": 0.5, "rare2": 0.2}
    z = (-3.2 + shift + 8 * np.nan_to_num(absence, nan=0.15) + 0.7 * suspensions
         + pd.Series(sen).map(effect).to_numpy() + 0.8 * looked_after + 0.15 * moves)
    p = 1 / (1 + np.exp(-z))
    y = (rng.uniform(size=n) < p).astype(int)
    X = pd.DataFrame({
        "absence": absence,
        "suspensions": suspensions,
        "sen": pd.Series(sen, dtype="category"),
        "looked_after": looked_after,
        "moves": moves,
    })
    return X, y, p


@pytest.fixture(scope="session")
def sim_train():
    return simulate(2500, seed=0)


@pytest.fixture(scope="session")
def fitted(sim_train):
    from screening.models import RiskScorecard

    X, y, _ = sim_train
    return RiskScorecard(
        monotone={"absence": 1, "suspensions": 1},
        feature_labels={"absence": "Absence last 12 months", "sen": "SEN status"},
        random_state=0,
    ).fit(X, y)
