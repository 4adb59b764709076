"""Columns factorised ahead in a thread give exactly what ``pandas.factorize`` gives."""

import numpy as np
import pandas as pd
import pytest
from screening.features import _prefetch
from screening.features._prefetch import Prefetch, table_columns


@pytest.fixture
def table():
    rng = np.random.default_rng(0)
    n = 5_000
    return pd.DataFrame({
        "upn": pd.array(rng.choice(["A1", "B2", "C3", None, " D4"], size=n), dtype="str"),
        " school ": pd.array(rng.choice(["100", "200", ""], size=n), dtype="str"),
        "phase": rng.integers(0, 5, size=n),  # not text: never queued
        "other": pd.array(["x"] * n, dtype="str"),  # not parsed: never queued
    })


@pytest.fixture(autouse=True)
def small_tables_too(monkeypatch):
    monkeypatch.setattr(_prefetch, "MIN_ROWS", 0)


def _same(got, expected):
    np.testing.assert_array_equal(got[0], expected[0])
    pd.testing.assert_index_equal(pd.Index(got[1]), pd.Index(expected[1]))


def _expected(s):
    return pd.factorize(s, use_na_sentinel=True)


def test_columns_in_parse_order_by_stripped_name(table):
    cols = table_columns({"enrolments": table, "pupils": None}, ["pupils", "enrolments"])
    assert list(cols) == [("enrolments", "upn"), ("enrolments", "school"),
                          ("enrolments", "phase")]
    assert cols[("enrolments", "school")] is not None


@pytest.mark.parametrize("order", [["upn", "school", "phase"], ["school", "phase", "upn"]])
@pytest.mark.parametrize("ahead", [1, 10**9])
def test_matches_factorize_in_any_order(table, order, ahead, monkeypatch):
    monkeypatch.setattr(_prefetch, "AHEAD_ROWS", ahead)
    cols = table_columns({"enrolments": table}, ["enrolments"])
    with Prefetch(cols) as pre:
        for c in order:
            s = cols[("enrolments", c)]
            _same(pre.factorize(("enrolments", c), s), _expected(s))


def test_a_changed_column_is_factorised_again(table):
    with Prefetch(table_columns({"enrolments": table}, ["enrolments"])) as pre:
        other = table["upn"].str.lower()
        _same(pre.factorize(("enrolments", "upn"), other), _expected(other))


def test_leaving_early_cancels_the_rest(table):
    with Prefetch(table_columns({"enrolments": table}, ["enrolments"])) as pre:
        pass
    _same(pre.factorize(("enrolments", "upn"), table["upn"]), _expected(table["upn"]))


def test_small_tables_are_factorised_on_the_spot(table, monkeypatch):
    monkeypatch.setattr(_prefetch, "MIN_ROWS", 10**9)
    with Prefetch(table_columns({"enrolments": table}, ["enrolments"])) as pre:
        assert pre._pool is None
        _same(pre.factorize(("enrolments", "upn"), table["upn"]), _expected(table["upn"]))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_loading_is_the_same_with_and_without_prefetch(fmt, tmp_path, monkeypatch):
    import screening

    la = screening.datasets.make_local_authority(n_pupils=300, seed=1)
    folder = la.write(tmp_path / "la", format=fmt) or tmp_path / "la"
    results = []
    for rows in (0, 10**9):
        monkeypatch.setattr(_prefetch, "MIN_ROWS", rows)
        rec = screening.load_records(folder)
        warnings = rec.validate()
        results.append((rec.tables(), warnings))
    (a, wa), (b, wb) = results
    pd.testing.assert_frame_equal(wa, wb)
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k])
