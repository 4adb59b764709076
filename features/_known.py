"""The one rule of time: what is known on a census date ``T``.

Every feature domain, the cohort and the outcome label use these functions and
nothing else to compare a date with the census date, so the rule of the input
contract is written once:

* an event dated ``d`` is known at ``T`` when ``d < T`` (suspensions, SEN and episode
  starts, enrolment entries, register marks; an attendance period by its
  ``period_end``);
* a date that says when something *ends* (a leaving date, a SEN end date) is not yet
  known at ``T`` when it is on or after ``T``, so it is treated as blank;
* a spell is current at ``T`` when it started before ``T`` and has no known end;
* the outcome window after ``T`` is ``[T, T + horizon)``: exactly the dates that are
  not known at ``T``, up to the horizon.

Dates are float64 days since 1970-01-01 with ``NaN`` for a missing date (see
:func:`features._dates.days`). A missing start date is never known.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def known(dates: ArrayLike, t: float) -> np.ndarray:
    """Whether each date is known at census day ``t``: ``date < t`` (missing: False).

    Examples
    --------
    >>> known(np.array([9.0, 10.0, np.nan]), 10.0).tolist()
    [True, False, False]
    """
    with np.errstate(invalid="ignore"):
        return np.asarray(dates, dtype=np.float64) < t


def end_as_known(ends: ArrayLike, t: float) -> np.ndarray:
    """End dates as known at ``t``: an end on or after ``t`` is not yet known (NaN).

    Examples
    --------
    >>> end_as_known(np.array([9.0, 10.0, np.nan]), 10.0).tolist()
    [9.0, nan, nan]
    """
    ends = np.asarray(ends, dtype=np.float64)
    return np.where(known(ends, t), ends, np.nan)


def current(starts: ArrayLike, ends: ArrayLike, t: float) -> np.ndarray:
    """Whether each spell is current at ``t``: started before it, no end known by it.

    Examples
    --------
    >>> current(np.array([1.0, 1.0, 1.0, 10.0]), np.array([np.nan, 10.0, 9.0, np.nan]),
    ...         10.0).tolist()
    [True, True, False, False]
    """
    return known(starts, t) & np.isnan(end_as_known(ends, t))


def known_since(dates: ArrayLike, since: float, t: float) -> np.ndarray:
    """Whether each date is known at ``t`` and on or after ``since`` (a look-back window).

    Examples
    --------
    >>> known_since(np.array([4.0, 5.0, 9.0, 10.0]), 5.0, 10.0).tolist()
    [False, True, True, False]
    """
    dates = np.asarray(dates, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return known(dates, t) & (dates >= since)


def in_outcome_window(dates: ArrayLike, t: float, end: float) -> np.ndarray:
    """Whether each date falls in the outcome window ``[t, end)`` after the census.

    Examples
    --------
    >>> in_outcome_window(np.array([9.0, 10.0, 19.0, 20.0]), 10.0, 20.0).tolist()
    [False, True, True, False]
    """
    dates = np.asarray(dates, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return ~known(dates, t) & (dates < end)
