"""flag_top: capacity as fraction or count, threshold, deterministic ties."""

import numpy as np
import pytest
from screening.audits import flag_top
from screening.audits._flag import _BAD_CAPACITY, _BAD_THRESHOLD, _ONE_OF, _TIEBREAK_LENGTH


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
