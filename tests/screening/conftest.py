"""Shared, session-scoped fixtures for the facade tests: one small synthetic LA, one fit."""

import pytest

import screening


@pytest.fixture(scope="session")
def la():
    return screening.datasets.make_local_authority(n_pupils=12_000, seed=3)


@pytest.fixture(scope="session")
def fitted(la):
    d = la.census_dates
    return screening.Screener(n_boot=100, random_state=0).fit(la.records, as_of=d[-4:-2])


@pytest.fixture(scope="session")
def result(la, fitted):
    return fitted.screen(la.records, as_of=la.census_dates[-1])


@pytest.fixture(scope="session")
def evaluation(la, fitted):
    return fitted.evaluate(la.records, as_of=la.census_dates[-2])
