"""School calendar for the synthetic local authority: census days, terms, school days.

Dates are handled as ``numpy.datetime64[D]`` and, inside the generator, as integer day
indexes counted from the first simulated day (1 September of the first academic year).
The calendar is a plain English one: three terms with a one-week half-term each, no bank
holidays and no COVID-19 closures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_DAY = np.timedelta64(1, "D")


def weekday(day):
    """Return the weekday (Monday = 0) of ``datetime64[D]`` values.

    Examples
    --------
    >>> int(weekday(np.datetime64("2024-10-03")))   # a Thursday
    3
    """
    return (np.asarray(day, dtype="datetime64[D]").astype(np.int64) + 3) % 7


def _on_or_after(day, wd):
    day = np.datetime64(day, "D")
    return day + np.timedelta64(int((wd - weekday(day)) % 7), "D")


def _weekday_on_or_after(day):
    day = np.datetime64(day, "D")
    shift = {5: 2, 6: 1}.get(int(weekday(day)), 0)
    return day + np.timedelta64(shift, "D")


def _weekday_on_or_before(day):
    day = np.datetime64(day, "D")
    shift = {5: 1, 6: 2}.get(int(weekday(day)), 0)
    return day - np.timedelta64(shift, "D")


def autumn_census_day(year: int) -> np.datetime64:
    """Return the autumn census day of ``year``: the first Thursday in October.

    Examples
    --------
    >>> str(autumn_census_day(2019)), str(autumn_census_day(2021))
    ('2019-10-03', '2021-10-07')
    """
    return _on_or_after(f"{year}-10-01", 3)


def terms(academic_year: int) -> list[tuple[str, np.datetime64, np.datetime64, tuple]]:
    """Return the three terms of an academic year as ``(name, start, end, half_term)``.

    ``half_term`` is ``(monday, friday)`` of the half-term holiday inside the term.

    Examples
    --------
    >>> [(n, str(s), str(e)) for n, s, e, _ in terms(2023)][0]
    ('autumn', '2023-09-04', '2023-12-19')
    """
    a, b = academic_year, academic_year + 1

    def half(day):
        mon = _on_or_after(day, 0) - np.timedelta64(7, "D")
        return mon, mon + np.timedelta64(4, "D")

    return [
        ("autumn", _weekday_on_or_after(f"{a}-09-03"), _weekday_on_or_before(f"{a}-12-19"),
         half(f"{a}-10-29")),
        ("spring", _weekday_on_or_after(f"{b}-01-06"), _weekday_on_or_before(f"{b}-03-28"),
         half(f"{b}-02-18")),
        ("summer", _weekday_on_or_after(f"{b}-04-14"), _weekday_on_or_before(f"{b}-07-21"),
         half(f"{b}-06-01")),
    ]


class SchoolCalendar:
    """School days from ``start`` (a 1 September) to ``end`` as integer day indexes.

    Parameters
    ----------
    first_year : int
        The first academic year (day 0 is 1 September of it).
    end : datetime64[D]
        Last day the calendar must cover.

    Attributes
    ----------
    day0 : datetime64[D]
    cum : ndarray of int64
        ``cum[i]`` = number of school days with index < ``i`` (length ``n_days + 1``).
    school_days : ndarray of int64
        Day indexes of the school days, in order.

    Examples
    --------
    >>> cal = SchoolCalendar(2023, np.datetime64("2024-08-31"))
    >>> int(cal.count(0, cal.index("2024-08-31")))   # school days in 2023/24
    191
    """

    def __init__(self, first_year: int, end: str | np.datetime64) -> None:
        self.first_year = first_year
        self.day0 = np.datetime64(f"{first_year}-09-01", "D")
        end = np.datetime64(end, "D")  # type: ignore[call-overload]  # stubs: str or datetime64
        last_year = int(str(end)[:4]) - (1 if int(str(end)[5:7]) < 9 else 0)
        self.years = list(range(first_year, last_year + 1))
        n_days = int((np.datetime64(f"{last_year + 1}-09-01") - self.day0) / _DAY)
        is_school = np.zeros(n_days, dtype=bool)
        self.term_table = []
        for year in self.years:
            for name, s, e, (h0, h1) in terms(year):
                i0, i1 = self.index(s), self.index(e)
                is_school[i0:i1 + 1] = True
                is_school[self.index(h0):self.index(h1) + 1] = False
                self.term_table.append((year, name, s, e))
        dates = self.day0 + np.arange(n_days)
        is_school &= weekday(dates) < 5
        self.n_days = n_days
        self.cum = np.concatenate([[0], np.cumsum(is_school)]).astype(np.int64)
        self.school_days = np.flatnonzero(is_school).astype(np.int64)

    def index(self, day):
        """Day index (int or array) of dates."""
        d = np.asarray(day, dtype="datetime64[D]")
        out = (d - self.day0).astype(np.int64)
        return int(out) if out.ndim == 0 else out

    def date(self, index):
        """Dates of day indexes."""
        return self.day0 + np.asarray(index, dtype=np.int64).astype("timedelta64[D]")

    def count(self, lo, hi):
        """Number of school days with index in ``[lo, hi]`` (0 where ``hi < lo``)."""
        lo = np.clip(lo, 0, self.n_days)
        hi = np.clip(hi, -1, self.n_days - 1)
        return np.maximum(self.cum[np.maximum(hi + 1, 0)] - self.cum[lo], 0)

    def sept1(self, year: int) -> int:
        """Day index of 1 September of ``year``."""
        return self.index(np.datetime64(f"{year}-09-01"))


def add_months(day: np.datetime64, months: int) -> np.datetime64:
    """Add calendar months the way pandas does (``DateOffset``).

    Examples
    --------
    >>> str(add_months(np.datetime64("2019-10-03"), 12))
    '2020-10-03'
    """
    ts = pd.Timestamp(np.datetime64(day, "D")) + pd.DateOffset(  # type: ignore[call-overload]
        months=months)  # numpy's stubs take no datetime64 as the value of datetime64()
    return np.datetime64(ts.date(), "D")
