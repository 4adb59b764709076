"""Allocated places at a next school, as known at a census date.

An allocation is not an enrolment: it never changes a feature. It only says where a
pupil is due to go, so a screen of Year 6 before the move can be grouped by its
receiving secondary school (the transition handover).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._args import check_records
from ._dates import days, parse_date
from ._known import known
from ._typing import DateLike

if TYPE_CHECKING:
    from ._records import Records

#: Columns of :func:`allocations_at`.
ALLOCATION_COLUMNS = ["upn", "destination", "start_date", "decided_date"]


def allocations_at(records: Records, as_of: DateLike) -> pd.DataFrame:
    """The allocated places known at ``as_of`` for moves not yet made, one per pupil.

    An allocation counts at census ``T`` when its ``decided_date`` is before ``T``
    (the input contract's "known before the census" rule; an allocation without a
    decided date is taken as known) and its ``start_date`` is on or after ``T`` (the
    move is still ahead). When a pupil has several, the latest decided (then the
    latest starting) is kept.

    Parameters
    ----------
    records : Records
    as_of : date-like
        The census date.

    Returns
    -------
    pandas.DataFrame
        Columns ``upn, destination`` (the receiving school), ``start_date`` and
        ``decided_date``, sorted by ``upn``; empty when the records have no allocations.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A", "B"], "date_of_birth": ["2013-05-01"] * 2,
    ...                          "sex": ["M", "F"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A", "B"], "school": ["P1", "P1"],
    ...                              "entry_date": ["2019-09-01"] * 2}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]),
    ...     allocations=pd.DataFrame({"upn": ["A", "B"], "school": ["S1", "S2"],
    ...                               "start_date": ["2024-09-04"] * 2,
    ...                               "decided_date": ["2024-03-01", "2024-04-15"]}))
    >>> allocations_at(rec, "2024-03-20")[["upn", "destination"]].values.tolist()
    [['A', 'S1']]
    """
    check_records(records)
    t = parse_date(as_of, what="as_of")
    table = records.allocations
    if len(table) == 0:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if "date" in c else "string")
                             for c in ALLOCATION_COLUMNS})
    day = float(days(pd.Series([t]))[0])
    decided = days(table["decided_date"])
    starts = days(table["start_date"])
    ok = (np.isnan(decided) | known(decided, day)) & ~known(starts, day) & ~np.isnan(starts)
    out = table.loc[ok, ["upn", "school", "start_date", "decided_date"]].rename(
        columns={"school": "destination"})
    out = out.sort_values(["upn", "decided_date", "start_date"], na_position="first",
                          kind="stable")
    out = out.drop_duplicates("upn", keep="last").sort_values("upn", kind="stable")
    return out.reset_index(drop=True)[ALLOCATION_COLUMNS]
