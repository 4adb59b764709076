"""Outcomes after a census date, and whether the records cover their whole window.

The outcome window after census ``T`` is ``[T, T + horizon)`` (see
:func:`features._known.in_outcome_window`). It is *complete* when the records
cover its last day; training and evaluation need complete windows, and a screen's
"recent outcomes" come from the latest census at the same time of year whose window
is complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ._args import check_horizon, check_records
from ._cohort import build_census, column
from ._dates import days, to_census_date
from ._known import in_outcome_window
from ._typing import DateLike

if TYPE_CHECKING:
    from ._records import Records

BAD_TARGET = (
    "target must be 'suspension' or 'permanent'; got {!r}. 'suspension' counts any "
    "suspension or permanent exclusion, 'permanent' only permanent exclusions."
)
INCOMPLETE_WINDOW = (
    "Cannot {action} on census {as_of}: its {horizon}-month outcome window runs to {end} but "
    "the records end on {data_end}. Use census dates whose window is complete (on or before "
    "{latest}), or supply records extracted later."
)
#: How long after the records end a census may fall: three months covers the summer
#: between CTFs sent in July and the autumn census, and an extract taken a little
#: before the census date.
DATA_END_GRACE_MONTHS = 3

AFTER_DATA_END = (
    "Cannot {action} at census {as_of}: the records end on {data_end} ({how}), {gap} "
    "before it, more than the {grace} months allowed. Every pupil would be scored as if "
    "nothing had happened since then (no recent absence, no suspensions), and the findings "
    "would describe stale records. Use "
    "records extracted on or after {as_of}, give the extract date if the records are "
    "complete to a later day (metadata.json {{\"extract_date\": \"YYYY-MM-DD\"}} or "
    "Records(extract_date=...)), or {action} at a census on or before {data_end}."
)
NO_DATA_END = (
    "Cannot {action} on census {as_of}: the records hold no dates, so it is unknown whether "
    "its outcome window is complete. Give the extract date (Records(extract_date=...) or "
    "metadata.json)."
)


class CensusError(ValueError):
    """A census date the records cannot support.

    Raised when a census date asks for something the records do not hold: an outcome
    window that runs past the end of the records (fit, evaluate, backtest), a census
    after the records end (screen), or a cohort with no pupils or only one outcome.
    It is the user's choice of dates or records that has to change, never the code.

    Examples
    --------
    >>> issubclass(CensusError, ValueError)
    True
    """


def label(records: Records, as_of: DateLike, horizon_months: int = 12,
          target: Literal["suspension", "permanent"] = "suspension",
          year_groups: Sequence[int] = (5, 6, 7)) -> pd.Series:
    """Return the 0/1 outcome for every pupil in the cohort at ``as_of``.

    The outcome is 1 when the pupil has at least one suspension or permanent
    exclusion (``target='suspension'``) or permanent exclusion
    (``target='permanent'``) with ``start_date`` in
    ``[as_of, as_of + horizon_months)``, from any school.

    Parameters
    ----------
    records : Records
    as_of : str, datetime.date or pandas.Timestamp
    horizon_months : int, default=12
    target : {'suspension', 'permanent'}, default='suspension'
    year_groups : sequence of int, default=(5, 6, 7)
        As in :func:`build`; the result has the same index.

    Returns
    -------
    pandas.Series
        int64 0/1, index ``upn`` as :func:`build`, named ``target``. Check
        :func:`outcome_window_complete` before trusting zeros near the data's end.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A", "B"], "date_of_birth": ["2013-05-01",
    ...                          "2012-11-20"], "sex": ["M", "F"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A", "B"], "school": ["S1", "S2"],
    ...                              "entry_date": ["2019-09-01", "2023-01-09"]}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]),
    ...     suspensions=pd.DataFrame({"upn": ["B"], "start_date": ["2023-10-05"],
    ...                               "category": ["FIXD"]}))
    >>> label(rec, "2023-10-05").tolist()
    [0, 1]
    """
    check_records(records)
    if target not in ("suspension", "permanent"):
        raise ValueError(BAD_TARGET.format(target))
    months = check_horizon(horizon_months)
    census = build_census(records, as_of, year_groups)
    s = records.suspensions
    start = days(s["start_date"])
    end = to_census_date(as_of) + pd.DateOffset(months=months)
    pos = census.positions(s)
    hit = (pos >= 0) & in_outcome_window(start, census.t, days(pd.Series([end]))[0])
    if target == "permanent":
        hit &= (column(s, "category").astype("string") == "permanent").fillna(
            False).to_numpy(dtype=bool)
    y = np.bincount(pos[hit], minlength=census.n) > 0
    return pd.Series(y.astype("int64"), index=census.upns, name=target)


def _data_end(records: Records) -> pd.Timestamp | None:
    """Last day the records cover: ``records.data_end`` (extract date, else latest date)."""
    extract = getattr(records, "extract_date", None)
    if extract is not None:
        return pd.Timestamp(extract)
    end = getattr(records, "data_end", None)
    if end is not None:
        return pd.Timestamp(end)
    latest = []  # older Records without data_end: latest event date
    for table, col in (("attendance", "period_end"), ("attendance_marks", "date"),
                       ("suspensions", "start_date"), ("enrolments", "entry_date"),
                       ("sen", "start_date")):
        t = getattr(records, table)
        if col in t.columns and len(t):
            d = days(t[col])
            if np.isfinite(d).any():
                latest.append(np.nanmax(d))
    if not latest:
        return None
    return pd.Timestamp("1970-01-01") + pd.Timedelta(days=max(latest))


def outcome_window_complete(records: Records, as_of: DateLike, horizon_months: int = 12) -> bool:
    """Return whether the records cover the whole outcome window after ``as_of``.

    The window ``[as_of, as_of + horizon_months)`` is complete when its last day is
    on or before the last day the records cover: ``records.extract_date`` when
    given, else ``records.data_end`` (the latest date in the records).

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A"], "date_of_birth": ["2013-05-01"],
    ...                          "sex": ["M"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A"], "school": ["S1"],
    ...                              "entry_date": ["2019-09-01"]}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]),
    ...     extract_date="2024-10-01")
    >>> outcome_window_complete(rec, "2023-09-07"), outcome_window_complete(rec, "2023-10-05")
    (True, False)
    """
    check_records(records)
    end = to_census_date(as_of) + pd.DateOffset(months=check_horizon(horizon_months))
    data_end = _data_end(records)
    return bool(data_end is not None and end - pd.Timedelta(days=1) <= data_end)


def outcome_window_end(as_of: DateLike, horizon_months: int = 12) -> pd.Timestamp:
    """The first day after the outcome window ``[as_of, as_of + horizon)``.

    Examples
    --------
    >>> outcome_window_end("2023-10-05", 12)
    Timestamp('2024-10-05 00:00:00')
    """
    return to_census_date(as_of) + pd.DateOffset(months=check_horizon(horizon_months))


def check_outcome_window(records: Records, as_of: DateLike, horizon_months: int = 12, *,
                         action: str = "fit") -> None:
    """Raise :class:`CensusError` unless the outcome window after ``as_of`` is complete.

    The message says when the window ends, when the records end, and the latest
    census whose window would be complete.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A"], "date_of_birth": ["2013-05-01"],
    ...                          "sex": ["M"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A"], "school": ["S1"],
    ...                              "entry_date": ["2019-09-01"]}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]),
    ...     extract_date="2024-03-31")
    >>> check_outcome_window(rec, "2023-10-05", action="evaluate")
    Traceback (most recent call last):
    ...
    screening.features._outcome.CensusError: Cannot evaluate on census 2023-10-05: its ...
    """
    as_of = to_census_date(as_of)
    horizon = check_horizon(horizon_months)
    if outcome_window_complete(records, as_of, horizon):
        return
    data_end = _data_end(records)
    if data_end is None:
        raise CensusError(NO_DATA_END.format(action=action, as_of=as_of.date()))
    latest = data_end - pd.DateOffset(months=horizon)
    raise CensusError(INCOMPLETE_WINDOW.format(
        action=action, as_of=as_of.date(), horizon=horizon,
        end=outcome_window_end(as_of, horizon).date(), data_end=data_end.date(),
        latest=latest.date()))


def data_end(records: Records) -> pd.Timestamp | None:
    """The last day the records cover: the extract date if given, else their latest date.

    ``None`` when the records hold no dates at all.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A"], "date_of_birth": ["2013-05-01"],
    ...                          "sex": ["M"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A"], "school": ["S1"],
    ...                              "entry_date": ["2019-09-01"]}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]))
    >>> data_end(rec)
    Timestamp('2019-09-01 00:00:00')
    """
    check_records(records)
    return _data_end(records)


def census_after_data_end(records: Records, as_of: DateLike) -> bool:
    """Whether ``as_of`` is more than :data:`DATA_END_GRACE_MONTHS` after the records end.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A"], "date_of_birth": ["2013-05-01"],
    ...                          "sex": ["M"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A"], "school": ["S1"],
    ...                              "entry_date": ["2019-09-01"]}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]),
    ...     extract_date="2024-07-19")
    >>> census_after_data_end(rec, "2024-10-03"), census_after_data_end(rec, "2025-01-09")
    (False, True)
    """
    as_of = to_census_date(as_of)
    check_records(records)
    end = _data_end(records)
    return end is not None and as_of > end + pd.DateOffset(months=DATA_END_GRACE_MONTHS)


def check_census_in_records(records: Records, as_of: DateLike, *, action: str = "screen") -> None:
    """Raise :class:`CensusError` when ``as_of`` is well after the records end.

    Features at a census after the records end see none of what happened in between,
    so every pupil looks as if nothing had. A census up to
    :data:`DATA_END_GRACE_MONTHS` months after the last day the records cover is
    accepted (Common Transfer Files are sent in July; the autumn census is in
    October); a later one is refused with a message naming the census, the data end
    and how it was found (the extract date, or the latest date when none was given),
    and how to fix it.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A"], "date_of_birth": ["2013-05-01"],
    ...                          "sex": ["M"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A"], "school": ["S1"],
    ...                              "entry_date": ["2019-09-01"]}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]),
    ...     extract_date="2024-10-03")
    >>> check_census_in_records(rec, "03/10/2024")
    >>> check_census_in_records(rec, "2025-01-03")
    >>> check_census_in_records(rec, "2027-10-07")
    Traceback (most recent call last):
    ...
    screening.features._outcome.CensusError: Cannot screen at census 2027-10-07: the records ...
    """
    as_of = to_census_date(as_of)
    if not census_after_data_end(records, as_of):
        return
    end = _data_end(records)
    assert end is not None  # census_after_data_end found it
    how = ("their extract date" if getattr(records, "extract_date", None) is not None
           else "the latest date in them; no extract date was given")
    raise CensusError(AFTER_DATA_END.format(
        action=action, as_of=as_of.date(), data_end=end.date(), how=how,
        gap=_gap(end, as_of), grace=DATA_END_GRACE_MONTHS))


def _gap(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """'3 days', '5 months', '2 years 4 months' between two dates."""
    days = (end - start).days
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    if months < 1:
        return f"{days} day{'s' * (days != 1)}"
    years, months = divmod(months, 12)
    parts = [f"{years} year{'s' * (years != 1)}"] if years else []
    if months:
        parts.append(f"{months} month{'s' * (months != 1)}")
    return " ".join(parts)


def latest_complete_census(records: Records, as_of: DateLike, horizon_months: int = 12, *,
                           max_years: int = 10) -> pd.Timestamp | None:
    """The latest date a whole number of years before ``as_of`` with a complete window.

    A screen at ``as_of`` has no outcomes yet; its flags are compared with the
    outcomes of the cohort at the same time of an earlier year, the latest one whose
    outcome window the records cover. ``None`` when no such date lies within
    ``max_years``.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A"], "date_of_birth": ["2013-05-01"],
    ...                          "sex": ["M"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A"], "school": ["S1"],
    ...                              "entry_date": ["2019-09-01"]}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]),
    ...     extract_date="2025-03-31")
    >>> latest_complete_census(rec, "2024-10-03")
    Timestamp('2023-10-03 00:00:00')
    """
    as_of = to_census_date(as_of)
    horizon = check_horizon(horizon_months)
    for years in range(1, int(max_years) + 1):
        earlier = as_of - pd.DateOffset(years=years)
        if outcome_window_complete(records, earlier, horizon):
            return earlier
    return None
