"""Columns factorised ahead in a thread give exactly what ``pandas.factorize`` gives."""

import numpy as np
import pandas as pd
import pytest
from screening.features import _prefetch
from screening.features._prefetch import Prefetch


@pytest.fixture
def table():
    rng = np.random.default_rng(0)
    n = 5_000
    return pd.DataFrame({
        "upn": pd.array(rng.choice(["A1", "B2", "C3", None, " D4"], size=n), dtype="str"),
        "school": pd.array(rng.choice(["100", "200", ""], size=n), dtype="str"),
        "n": rng.integers(0, 5, size=n),  # not text: never queued
    })


@pytest.fixture(autouse=True)
def small_tables_too(monkeypatch):
    monkeypatch.setattr(_prefetch, "MIN_ROWS", 0)


def _same(got, expected):
    np.testing.assert_array_equal(got[0], expected[0])
    pd.testing.assert_index_equal(pd.Index(got[1]), pd.Index(expected[1]))


@pytest.mark.parametrize("order", [["upn", "school", "n"], ["school", "n", "upn"]])
def test_matches_factorize_in_any_order(table, order):
    with Prefetch(table, ["upn", "school", "n"]) as pre:
        for c in order:
            _same(pre.factorize(c, table[c]), pd.factorize(table[c], use_na_sentinel=True))


def test_a_changed_column_is_factorised_again(table):
    with Prefetch(table, ["upn", "school"]) as pre:
        other = table["upn"].str.lower()
        _same(pre.factorize("upn", other), pd.factorize(other, use_na_sentinel=True))


def test_leaving_early_cancels_the_rest(table):
    with Prefetch(table, ["upn", "school"]) as pre:
        pass
    _same(pre.factorize("upn", table["upn"]), pd.factorize(table["upn"], use_na_sentinel=True))


def test_small_tables_are_factorised_on_the_spot(table, monkeypatch):
    monkeypatch.setattr(_prefetch, "MIN_ROWS", 10**9)
    with Prefetch(table, ["upn"]) as pre:
        assert pre._pool is None
        _same(pre.factorize("upn", table["upn"]), pd.factorize(table["upn"],
                                                               use_na_sentinel=True))


def test_validation_is_the_same_with_and_without_prefetch(monkeypatch):
    import screening

    la = screening.datasets.make_local_authority(n_pupils=300, seed=1)
    raw = {k: v for k, v in la.records.raw.items() if v is not None}
    results = []
    for rows in (0, 10**9):
        monkeypatch.setattr(_prefetch, "MIN_ROWS", rows)
        rec = screening.features.Records(**raw, extract_date=la.extract_date)
        warnings = rec.validate()
        results.append((rec.tables(), warnings))
    (a, wa), (b, wb) = results
    pd.testing.assert_frame_equal(wa, wb)
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k])
