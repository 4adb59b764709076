"""Which pupils are already known to a service at a census date.

The point of a screen is to find the pupils nobody knows about, so a pupil with a
current episode of a kind the LA names (or a current EHC plan) is marked as already
known. "Current" is the rule of :mod:`features._known`: started before the census,
with no end date before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ._args import check_records
from ._cohort import build_census
from ._episodes import check_kinds, current_kinds
from ._sen import current_provision
from ._typing import DateLike

if TYPE_CHECKING:
    from ._records import Records


def already_known(records: Records, as_of: DateLike, kinds: Sequence[str],
                  year_groups: Sequence[int] = (5, 6, 7)) -> pd.DataFrame:
    """Mark each cohort pupil with a current episode of any of ``kinds``.

    Parameters
    ----------
    records : Records
    as_of : date-like
        The census date ``T``. Only episodes that started before ``T`` count; one
        ending on or after ``T`` is current.
    kinds : sequence of str
        Episode kinds of the ``episodes`` table (matched like
        :func:`build`'s ``episode_kinds``), and ``"ehc_plan"`` for a current EHC plan
        in the ``sen`` table.
    year_groups : sequence of int, default=(5, 6, 7)

    Returns
    -------
    pandas.DataFrame
        Indexed like :func:`build` (``upn``, sorted, every cohort pupil): bool
        ``already_known`` and ``known_to``, the kinds the pupil is currently known to
        in the order given (``""`` when none).

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A", "B", "C"], "sex": ["M", "F", "F"],
    ...                          "date_of_birth": ["2014-05-01"] * 3}),
    ...     enrolments=pd.DataFrame({"upn": ["A", "B", "C"], "school": ["S1"] * 3,
    ...                              "entry_date": ["2019-09-01"] * 3}),
    ...     attendance=pd.DataFrame({"upn": ["A"], "period_start": ["2022-09-01"],
    ...         "period_end": ["2023-07-21"], "sessions_possible": [380],
    ...         "sessions_authorised": [19], "sessions_unauthorised": [19]}),
    ...     episodes=pd.DataFrame({"upn": ["A", "B", "C"],
    ...         "kind": ["child_in_need", "child_in_need", "child_in_need"],
    ...         "start_date": ["2023-01-10", "2022-01-10", "2023-10-05"],
    ...         "end_date": [None, "2022-06-30", None]}))
    >>> known = already_known(rec, "2023-10-05", ["child_in_need", "ehc_plan"])
    >>> known  # doctest: +NORMALIZE_WHITESPACE
        already_known       known_to
    upn
    A            True  child_in_need
    B           False
    C           False
    """
    check_records(records)
    kinds = check_kinds(kinds, where="known_if")
    census = build_census(records, as_of, year_groups)
    known_to = current_kinds(census, records.episodes, current_provision(census, records.sen),
                             kinds)
    out = pd.DataFrame({"already_known": (known_to != "").to_numpy(dtype=bool),
                        "known_to": known_to.to_numpy(dtype=object)}, index=census.upns)
    out.index.name = "upn"
    return out
