"""Audit attributes of the cohort at a census date: groups, never model features."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._args import check_records
from ._codes import ethnicity_audit_group
from ._cohort import build_census, column
from ._sen import current_provision
from ._typing import DateLike

if TYPE_CHECKING:
    from ._records import Records

_SEN_STATUS = {"none": "none", "support": "SEN support", "ehcp": "EHC plan"}
_AUDIT_BOOLS = ("fsm", "eal", "looked_after")

#: An audit group and the coarser group it nests in, audited beside it.
NESTED_GROUPS = {"ethnicity": "ethnicity_major"}

#: Statuses derived at the census that may be audit groups, beside pupil columns.
DERIVED_GROUPS = ("sen", "year_group", "school", "ethnicity_major")

_UNKNOWN_GROUP = (
    "audit group {group!r} is neither a pupil column nor a derived status (available: "
    "{available}). Remove it from audit_groups or add the column to the pupils table."
)


def audit_attributes(records: Records, as_of: DateLike,
                     year_groups: Sequence[int] = (5, 6, 7)) -> pd.DataFrame:
    """Return the audit groups of the cohort at ``as_of`` (never model features).

    Returns
    -------
    pandas.DataFrame
        Index ``upn`` as :func:`build`. Columns ``sex``, ``fsm``, ``eal``,
        ``looked_after`` (``boolean``, ``<NA>`` when unknown or not supplied),
        ``ethnicity`` (census code), ``ethnicity_major`` (major group, with Gypsy,
        Roma and Traveller pupils as their own group; blank or unrecognised codes
        are ``'Unknown'``), ``sen`` (``'none'``,
        ``'SEN support'`` or ``'EHC plan'`` at ``as_of``), ``year_group``, ``school``,
        plus any extra pupil columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A"], "date_of_birth": ["2013-05-01"],
    ...                          "sex": ["M"], "ethnicity": ["WROM"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A"], "school": ["S1"],
    ...                              "entry_date": ["2019-09-01"]}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]))
    >>> audit_attributes(rec, "2023-10-05").loc["A", ["ethnicity_major", "sen"]].tolist()
    ['Gypsy, Roma and Traveller', 'none']
    """
    check_records(records)
    census = build_census(records, as_of, year_groups)
    p = census.pupil_rows().set_index(census.upns)
    out = pd.DataFrame(index=census.upns)
    out["sex"] = column(p, "sex").astype("string")
    for c in _AUDIT_BOOLS:
        out[c] = column(p, c, "boolean").astype("boolean")
    out["ethnicity"] = column(p, "ethnicity").astype("string")
    out["ethnicity_major"] = _per_distinct(
        lambda codes: ethnicity_audit_group(codes).fillna("Unknown").to_numpy(),
        out["ethnicity"])
    sen = current_provision(census, records.sen)
    out["sen"] = pd.Categorical(pd.Series(sen).map(_SEN_STATUS).to_numpy(),
                                categories=list(_SEN_STATUS.values()))
    out["year_group"] = census.frame["year_group"]
    out["school"] = census.frame["school"]
    extra = [c for c in p.columns if c not in out.columns and c not in ("upn", "date_of_birth")]
    for c in extra:
        out[c] = p[c]
    return out


def _per_distinct(func: Callable[[pd.Series], np.ndarray], values: pd.Series) -> np.ndarray:
    """``func(values)`` for an elementwise ``func``, called on the distinct values only.

    ``func`` maps a series to an array of the same length, each element from its own
    value; a cohort has a million rows but a few dozen distinct codes.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = pd.concat([pd.Series(uniques, dtype=values.dtype),
                       pd.Series([None], dtype=values.dtype)], ignore_index=True)
    return np.asarray(func(table))[codes]  # code -1 (missing) takes the last entry


def audit_groups(groups: Iterable[str], available: Iterable[str]) -> list[str]:
    """The audit groups to use: ``groups``, each followed by the group it nests in.

    ``ethnicity`` is audited by its census code and by its major group
    (``ethnicity_major``), so both appear; the audit protects the nested tables
    together.

    Parameters
    ----------
    groups : sequence of str
        The groups asked for.
    available : sequence of str
        Columns of :func:`audit_attributes`.

    Raises
    ------
    ValueError
        For a group that is not available, naming those that are.

    Examples
    --------
    >>> audit_groups(["sex", "ethnicity"], ["sex", "ethnicity", "ethnicity_major"])
    ['sex', 'ethnicity', 'ethnicity_major']
    """
    available = list(available)
    out = []
    for g in groups:
        if g not in available:
            raise ValueError(_UNKNOWN_GROUP.format(group=g, available=sorted(available)))
        if g not in out:
            out.append(g)
        coarse = NESTED_GROUPS.get(g)
        if coarse in available and coarse not in out:
            out.append(coarse)
    return out
