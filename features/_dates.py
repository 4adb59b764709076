"""Census dates, academic years, national-curriculum year groups and day arithmetic.

All feature code works on whole days held as float64 "days since 1970-01-01"
(``NaN`` for a missing date), so it does not depend on the datetime resolution
(pandas 3 parses strings to ``datetime64[us]``, other inputs may be ``[ns]``).
"""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._typing import DateLike

#: Average days in a month, used for every "months since" feature.
DAYS_PER_MONTH = 365.25 / 12

_BAD_AS_OF = (
    "as_of must be a census date (a 'YYYY-MM-DD' or 'DD/MM/YYYY' string, datetime.date or "
    "pandas.Timestamp); got {!r}. Pass e.g. as_of='2023-10-05'."
)
BAD_DATE = (
    "{what} must be a date written YYYY-MM-DD (e.g. 2024-10-03) or DD/MM/YYYY (day first, "
    "e.g. 03/10/2024), or a datetime.date / pandas.Timestamp; got {value!r}{read}."
)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_date(value: DateLike, *, what: str = "date") -> pd.Timestamp:
    """Read one date a user gives, by the input contract's rule; midnight, naive.

    The one reader of every date a person types or a file states outside the tables:
    census dates in Python and on the command line, ``extract_date`` in
    ``metadata.json``. Strings are ISO ``YYYY-MM-DD`` (a time is dropped) or
    ``DD/MM/YYYY``, always day first, as UK exports write them; anything else is
    refused rather than guessed (``20250331``, ``March 2025``, ``2025/03/31``), and so
    are numbers, booleans and ``None``.

    Parameters
    ----------
    value : str, datetime.date, datetime.datetime, numpy.datetime64 or pandas.Timestamp
    what : str, default="date"
        How the value is named in the error message, e.g. ``"--as-of"``.

    Raises
    ------
    ValueError
        Naming the value, the accepted forms and, for a slash date that does not exist
        when read day first, how it was read.

    Examples
    --------
    >>> parse_date("03/10/2024")
    Timestamp('2024-10-03 00:00:00')
    >>> parse_date("2024-10-03T09:30")
    Timestamp('2024-10-03 00:00:00')
    >>> parse_date("10/31/2024", what="--as-of")
    Traceback (most recent call last):
    ...
    ValueError: --as-of must be a date written YYYY-MM-DD ... which does not exist.
    """
    def fail(read: str = "") -> ValueError:
        return ValueError(BAD_DATE.format(what=what, value=value, read=read))

    if isinstance(value, str):
        text = value.strip()
        m = _ISO_DATE.fullmatch(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
        else:
            m = _UK_DATE.fullmatch(text)
            if not m:
                raise fail()
            d, mo, y = (int(g) for g in m.groups())
        try:
            ts = pd.Timestamp(year=y, month=mo, day=d)
        except ValueError:
            raise fail(f"; read day first as day {d} of month {mo}, which does not exist"
                       if not _ISO_DATE.fullmatch(text) else "; that day does not exist") \
                from None
    elif isinstance(value, (_dt.date, pd.Timestamp, np.datetime64)) and not isinstance(
            value, bool):
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError):
            raise fail() from None
    else:
        raise fail()
    if pd.isna(ts):
        raise fail()
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def to_census_date(as_of: DateLike) -> pd.Timestamp:
    """Return the census date ``as_of`` as a midnight :class:`pandas.Timestamp`.

    Read by :func:`parse_date` (ISO or day-first ``DD/MM/YYYY``).

    Raises
    ------
    ValueError
        If ``as_of`` is missing or cannot be read as a date.

    Examples
    --------
    >>> to_census_date("2023-10-05")
    Timestamp('2023-10-05 00:00:00')
    >>> import datetime
    >>> to_census_date(datetime.date(2023, 10, 5)) == to_census_date("05/10/2023")
    True
    """
    try:
        return parse_date(as_of, what="as_of")
    except ValueError:
        raise ValueError(_BAD_AS_OF.format(as_of)) from None


def academic_year_start(date: DateLike) -> pd.Timestamp:
    """Return 1 September of the academic year (1 Sep - 31 Aug) containing ``date``.

    Examples
    --------
    >>> academic_year_start("2023-10-05")
    Timestamp('2023-09-01 00:00:00')
    >>> academic_year_start("2024-08-31")
    Timestamp('2023-09-01 00:00:00')
    """
    ts = pd.Timestamp(date)
    year = ts.year if ts.month >= 9 else ts.year - 1
    return pd.Timestamp(year=year, month=9, day=1)


def year_group(date_of_birth: pd.Series | ArrayLike, as_of: DateLike) -> pd.Series:
    """Return the national-curriculum year group at ``as_of`` (English rule).

    Age in whole years on the 31 August before the academic year containing
    ``as_of``, minus 4 (reference section 6). A pupil born on 31 August is the
    youngest of their year; one born on 1 September the oldest of the next.

    Parameters
    ----------
    date_of_birth : pandas.Series
        Dates of birth (datetime64 or parseable).
    as_of : date-like
        The census date.

    Returns
    -------
    pandas.Series
        ``Int64`` year groups (``<NA>`` where the date of birth is missing).

    Examples
    --------
    >>> import pandas as pd
    >>> dob = pd.Series(pd.to_datetime(["2014-09-01", "2015-08-31", "2015-09-01"]))
    >>> year_group(dob, "2024-10-03").tolist()
    [5, 5, 4]
    """
    dob = pd.to_datetime(pd.Series(date_of_birth, copy=False))
    # The academic year starts on 1 Sep of ref_year, so the reference date is 31 Aug
    # of ref_year; anyone born in Sep-Dec has not had that year's birthday by then.
    ref_year = academic_year_start(to_census_date(as_of)).year
    age = ref_year - dob.dt.year - (dob.dt.month >= 9).astype("int64")
    return (age - 4).astype("Int64").rename("year_group")


_NS_PER_DAY = 86_400 * 10**9
_NAT = np.iinfo(np.int64).min  # NaT as datetime64[ns] integers


def days(values: pd.Series | ArrayLike) -> np.ndarray:
    """Return dates as float64 days since 1970-01-01, ``NaN`` where missing.

    Examples
    --------
    >>> import pandas as pd
    >>> days(pd.Series(pd.to_datetime(["1970-01-02", None]))).tolist()
    [1.0, nan]
    """
    s = pd.Series(values, copy=False)
    if not pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = pd.to_datetime(s)
    ns = s.to_numpy(dtype="datetime64[ns]").view(np.int64)
    # floor division, as numpy's cast to datetime64[D] (days before 1970 round down)
    out = (ns // _NS_PER_DAY).astype(np.float64)
    out[ns == _NAT] = np.nan
    return out


def day(ts: DateLike) -> float:
    """Return one date as float days since 1970-01-01.

    Examples
    --------
    >>> day("1970-01-11")
    10.0
    """
    return float((pd.Timestamp(ts).normalize() - pd.Timestamp("1970-01-01")).days)


def months_before(as_of: pd.Timestamp, months: int) -> float:
    """Return, in days, the date ``months`` calendar months before ``as_of``.

    Examples
    --------
    >>> months_before(pd.Timestamp("1971-01-01"), 12)
    0.0
    """
    return day(as_of - pd.DateOffset(months=months))



def whole_months(start: ArrayLike, t: float) -> np.ndarray:
    """Return the time from ``start`` to ``t`` (days) in whole months, to the nearest.

    ``(t - start) / DAYS_PER_MONTH`` rounded half up. Whole months make the
    near-constant "months since" features identical at every autumn census: in
    England term starts on 1-6 September and the October census falls on 1-7
    October, so a pupil who started in September is 1 month in every year (and a
    reception starter 61 months in by Year 6), whatever the weekdays of those dates.
    Flooring does not do this: a September 3 starter has 0 completed months at a
    1 October census but 1 at a 3 October one.

    Parameters
    ----------
    start : array-like of float
        Start dates in days since 1970-01-01 (``NaN`` = none).
    t : float
        The census date in days since 1970-01-01.

    Returns
    -------
    numpy.ndarray
        float64 whole months (``NaN`` where ``start`` is missing).

    Examples
    --------
    >>> import numpy as np
    >>> starts = np.array([day("2020-09-03"), day("2020-09-01"), day("2020-09-25"), np.nan])
    >>> whole_months(starts, day("2020-10-01")).tolist()
    [1.0, 1.0, 0.0, nan]
    >>> whole_months(np.array([day("2021-09-03")]), day("2021-10-07")).tolist()
    [1.0]
    """
    start = np.asarray(start, dtype="float64")
    return np.floor((t - start) / DAYS_PER_MONTH + 0.5)
