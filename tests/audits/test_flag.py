"""flag_top: capacity as fraction or count, threshold, deterministic ties."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from screening.audits import cutoff_ties, flag_top
from screening.audits._flag import (
    _BAD_CAPACITY,
    _BAD_THRESHOLD,
    _MAPPING_NEEDS_GROUPS,
    _ONE_OF,
    _TIEBREAK_LENGTH,
    TIES,
)


def test_capacity_fraction_and_count():
    scores = np.linspace(0, 1, 100)
    assert flag_top(scores, capacity=0.05).sum() == 5
    assert flag_top(scores, capacity=0.29).sum() == 29  # no float floor surprise
    assert flag_top(scores, capacity=0.001).sum() == 0
    assert flag_top(scores, capacity=7).sum() == 7
    assert flag_top(scores, capacity=7.0).sum() == 7
    assert flag_top(scores, capacity=1000).all()
    assert flag_top(scores, capacity=3)[-3:].all()


def test_ties_by_tiebreak_then_position():
    scores = [0.2, 0.9, 0.5, 0.5, 0.5, 0.1]
    assert flag_top(scores, capacity=2).tolist() == [False, True, True, False, False, False]
    ids = ["c", "z", "b", "a", "a", "d"]
    assert flag_top(scores, capacity=3, tiebreak=ids).tolist() == [
        False, True, False, True, True, False]
    assert flag_top(scores, capacity=2, tiebreak=[5, 0, 9, 8, 7, 1]).tolist() == [
        False, True, False, False, True, False]


def test_threshold_and_nan():
    scores = [0.1, np.nan, 0.3, 0.31]
    assert flag_top(scores, threshold=0.3).tolist() == [False, False, True, True]
    assert flag_top(scores, capacity=3).tolist() == [True, False, True, True]


@pytest.mark.parametrize("kwargs, message", [
    ({}, _ONE_OF.format("neither")),
    ({"capacity": 0.1, "threshold": 0.2}, _ONE_OF.format("both")),
    ({"capacity": 0}, _BAD_CAPACITY.format(0)),
    ({"capacity": 2.5}, _BAD_CAPACITY.format(2.5)),
    ({"capacity": True}, _BAD_CAPACITY.format(True)),
    ({"threshold": float("nan")}, _BAD_THRESHOLD.format(float("nan"))),
    ({"capacity": float("inf")}, _BAD_CAPACITY.format(float("inf"))),
    ({"capacity": 1, "tiebreak": [1, 2]}, _TIEBREAK_LENGTH.format(2, 3)),
])
def test_errors(kwargs, message):
    with pytest.raises(ValueError) as err:
        flag_top([0.1, 0.2, 0.3], **kwargs)
    assert str(err.value) == message


@settings(max_examples=80, deadline=None)
@given(n=st.integers(1, 50), capacity=st.one_of(st.floats(0.01, 0.99), st.integers(1, 12)),
       units=st.integers(1, 5), levels=st.integers(1, 5), ties=st.sampled_from(TIES),
       seed=st.integers(0, 10_000))
def test_capacity_by_unit_is_the_rule_applied_in_each_unit(n, capacity, units, levels, ties,
                                                          seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, levels, n) / levels
    scores[rng.random(n) < 0.1] = np.nan
    unit = rng.integers(0, units, n).astype(str)
    key = rng.permutation(n)
    got = flag_top(scores, capacity=capacity, tiebreak=key, ties=ties, groups=unit)
    for u in np.unique(unit):
        rows = unit == u
        want = flag_top(scores[rows], capacity=capacity, tiebreak=key[rows], ties=ties)
        np.testing.assert_array_equal(got[rows], want)


def test_capacity_mapping_per_unit():
    scores = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1]
    unit = ["a", "a", "a", "b", "b", "b"]
    assert flag_top(scores, capacity={"a": 2, "b": 5}, groups=unit).tolist() == [
        True, True, False, True, True, True]
    assert flag_top(scores, capacity={"b": 1}, groups=unit).tolist() == [
        False, False, False, True, False, False]
    with pytest.raises(ValueError, match=re.escape(_MAPPING_NEEDS_GROUPS)):
        flag_top(scores, capacity={"a": 1})
    with pytest.raises(ValueError, match="no row belongs to"):
        flag_top(scores, capacity={"c": 1}, groups=unit)
    with pytest.raises(ValueError, match="whole number of rows >= 0"):
        flag_top(scores, capacity={"a": 0.5}, groups=unit)


def test_ties_include_flags_every_tied_row_and_cutoff_ties_reports_them():
    scores = [0.9, 0.5, 0.5, 0.5, 0.1]
    flags = flag_top(scores, capacity=2, ties="include")
    assert flags.tolist() == [True, True, True, True, False]
    assert cutoff_ties(scores, flag_top(scores, capacity=2)) == {
        "cutoff": 0.5, "n_tied": 3, "n_tied_flagged": 1}
