"""Census dates as the user gives them, read by the input contract's one date rule."""

from __future__ import annotations

from datetime import date
from typing import cast

import numpy as np
import pandas as pd

from screening import features

from ._typing import DateLike, Dates

_ONE_DATE = (
    "{what} must be one census date here; got {kind} {value!r}. Pass a single date such "
    "as '2024-10-03' (several dates are for fit and backtest)."
)
_SCALARS = (str, date, pd.Timestamp, np.datetime64)


def census_date(value: DateLike, *, what: str = "as_of") -> pd.Timestamp:
    """One census date (ISO or day-first DD/MM/YYYY); a list is refused, not truncated.

    Examples
    --------
    >>> census_date("03/10/2024")
    Timestamp('2024-10-03 00:00:00')
    """
    if isinstance(value, (list, tuple, set, pd.Index, np.ndarray, pd.Series)):
        raise ValueError(_ONE_DATE.format(what=what, kind=type(value).__name__, value=value))
    return features.parse_date(value, what=what)


def census_dates(value: Dates, *, what: str = "as_of") -> list[pd.Timestamp]:
    """A census date or a sequence of them, as a list.

    Examples
    --------
    >>> census_dates(["2022-10-06", "05/10/2023"])
    [Timestamp('2022-10-06 00:00:00'), Timestamp('2023-10-05 00:00:00')]
    """
    if isinstance(value, _SCALARS) or value is None or not hasattr(value, "__iter__"):
        return [features.parse_date(cast(DateLike, value), what=what)]
    return [features.parse_date(v, what=what) for v in value]
