"""The units a capacity applies within (``Screener(capacity_by=...)``), and the cut-off ties.

The flagging rule itself (capacity per unit, tie rule) is :func:`screening.audits.flag_top`;
this module only says which unit each pupil belongs to and, after flagging, how many
pupils shared the risk at each unit's cut-off. No statistics live here.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from screening import audits

#: Allowed values of ``Screener(capacity_by=...)``.
CAPACITY_BY = (None, "school", "phase", "year_group")
#: The unit label of every pupil when the capacity applies to the whole cohort.
WHOLE_COHORT = "whole cohort"

_BAD_CAPACITY_BY = (
    "capacity_by must be one of None (the whole cohort), 'school', 'phase' or "
    "'year_group'; got {0!r}. Pass capacity_by='school' to flag a share of each school.")
_MAPPING_NEEDS_UNIT = (
    "capacity is a mapping of unit to count ({0} entries) but capacity_by is None. Pass "
    "capacity_by='school' (or 'phase', 'year_group') to say what the keys are.")
_BAD_UNIT_COUNT = (
    "capacity for {unit} {key!r} must be a whole number of pupils >= 0, got {value!r}. A "
    "mapping gives each unit a count; for a share of every unit pass a fraction such as "
    "capacity=0.05 with capacity_by={unit!r}.")
_EMPTY_MAPPING = (
    "capacity is an empty mapping, so nobody could be flagged. Give a count for at least "
    "one {unit}, e.g. capacity={{'100001': 5}}.")


def check_capacity_by(capacity, capacity_by):
    """Check ``capacity_by`` and a capacity given as a mapping; raise ``ValueError``.

    Examples
    --------
    >>> check_capacity_by({"100001": 3}, "school")
    >>> check_capacity_by({"100001": 3}, None)
    Traceback (most recent call last):
    ...
    ValueError: capacity is a mapping of unit to count (1 entries) but capacity_by is None...
    """
    if capacity_by not in CAPACITY_BY:
        raise ValueError(_BAD_CAPACITY_BY.format(capacity_by))
    if not isinstance(capacity, Mapping):
        return
    if capacity_by is None:
        raise ValueError(_MAPPING_NEEDS_UNIT.format(len(capacity)))
    if not capacity:
        raise ValueError(_EMPTY_MAPPING.format(unit=capacity_by))
    for key, value in capacity.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(_BAD_UNIT_COUNT.format(unit=capacity_by, key=key, value=value))


def phase_of(year_group: pd.Series | np.ndarray) -> np.ndarray:
    """The phase of each year group: ``"primary"`` (Years 6 and below), else ``"secondary"``.

    Examples
    --------
    >>> phase_of([5, 6, 7]).tolist()
    ['primary', 'primary', 'secondary']
    """
    years = np.asarray(year_group, dtype=np.float64)
    return np.where(years <= 6, "primary", "secondary").astype(object)


def units(capacity_by: str | None, school: pd.Series | np.ndarray,
          year_group: pd.Series | np.ndarray) -> np.ndarray:
    """The unit each pupil's capacity applies within, as text.

    Examples
    --------
    >>> units("year_group", ["a", "b"], [5, 7]).tolist()
    ['Year 5', 'Year 7']
    >>> units(None, ["a", "b"], [5, 7]).tolist()
    ['whole cohort', 'whole cohort']
    """
    n = len(school)
    if capacity_by is None:
        return np.full(n, WHOLE_COHORT, dtype=object)
    if capacity_by == "school":
        return pd.Series(school, dtype="string").fillna("Unknown").to_numpy(dtype=object)
    if capacity_by == "phase":
        return phase_of(year_group)
    return np.array([f"Year {int(y)}" for y in year_group], dtype=object)


def flag_groups(capacity: Any, capacity_by: str | None, unit: np.ndarray | None
                ) -> tuple[np.ndarray | None, Any]:
    """The ``groups=`` and ``capacity=`` to pass :func:`audits.flag_top` for these units.

    A mapping keyed by year group number (``{5: 10}``) is keyed by the unit label
    (``"Year 5"``) so that it matches :func:`units`.

    Examples
    --------
    >>> flag_groups({5: 2}, "year_group", ["Year 5"])
    (['Year 5'], {'Year 5': 2})
    """
    if capacity_by is None:
        return None, capacity
    if isinstance(capacity, Mapping) and capacity_by == "year_group":
        capacity = {(k if str(k).startswith("Year ") else f"Year {int(k)}"): v
                    for k, v in capacity.items()}
    return unit, capacity


def cutoff_ties(risk: np.ndarray, flagged: np.ndarray, unit: np.ndarray) -> pd.DataFrame:
    """Per unit: pupils, flagged pupils, the cut-off risk and the pupils tied at it.

    Uses :func:`screening.audits.cutoff_ties` in each unit.

    Returns
    -------
    pandas.DataFrame
        One row per unit (sorted): ``unit, n, n_flagged, cutoff_risk, n_tied,
        n_tied_flagged``, and ``straddles`` (True when some pupils with the cut-off risk
        were flagged and others were not).

    Examples
    --------
    >>> t = cutoff_ties([0.9, 0.5, 0.5, 0.2], [True, True, False, False], ["a"] * 4)
    >>> t[["unit", "n_tied", "n_tied_flagged", "straddles"]].to_dict("records")
    [{'unit': 'a', 'n_tied': 2, 'n_tied_flagged': 1, 'straddles': True}]
    """
    frame = pd.DataFrame({"risk": np.asarray(risk, dtype=np.float64),
                          "flagged": np.asarray(flagged, dtype=bool),
                          "unit": np.asarray(unit, dtype=object)})
    rows = []
    for name, part in frame.groupby("unit", sort=True):
        t = audits.cutoff_ties(part["risk"].to_numpy(), part["flagged"].to_numpy())
        rows.append({"unit": str(name), "n": int(len(part)),
                     "n_flagged": int(part["flagged"].sum()), "cutoff_risk": t["cutoff"],
                     "n_tied": t["n_tied"], "n_tied_flagged": t["n_tied_flagged"]})
    out = pd.DataFrame(rows, columns=["unit", "n", "n_flagged", "cutoff_risk", "n_tied",
                                      "n_tied_flagged"])
    out["straddles"] = (out["n_tied_flagged"] > 0) & (out["n_tied_flagged"] < out["n_tied"])
    return out


def tied_at_cutoff(risk: np.ndarray, unit: np.ndarray, ties: pd.DataFrame) -> np.ndarray:
    """Whether each pupil shares its unit's cut-off risk with at least one other pupil.

    Examples
    --------
    >>> t = cutoff_ties([0.9, 0.5, 0.5, 0.2], [True, True, False, False], ["a"] * 4)
    >>> tied_at_cutoff([0.9, 0.5, 0.5, 0.2], ["a"] * 4, t).tolist()
    [False, True, True, False]
    """
    straddle = ties[ties["n_tied"] > 1].set_index("unit")["cutoff_risk"]
    cut = pd.Series(np.asarray(unit, dtype=object)).map(straddle).to_numpy(dtype=np.float64)
    return np.asarray(risk, dtype=np.float64) == cut


def ties_sentence(ties: pd.DataFrame, rule: str, min_cell: int | None = None) -> str:
    """One plain sentence on the pupils tied at the cut-off ("" when none are tied).

    With ``min_cell``, counts under it are written as "fewer than ``min_cell``" (for
    outputs shared beyond the LA team).

    Examples
    --------
    >>> t = cutoff_ties([0.9, 0.5, 0.5, 0.2], [True, True, False, False], ["a"] * 4)
    >>> print(ties_sentence(t, "ties by UPN"))
    2 pupils shared the risk at the cut-off (0.5000) and 1 of them was flagged; ties by UPN.
    """
    hit = ties[ties["n_tied"] > 1]
    if not len(hit):
        return ""

    def count(k):
        k = int(k)
        return f"fewer than {min_cell}" if min_cell and k < min_cell else f"{k:,}"

    tied, flagged = int(hit["n_tied"].sum()), int(hit["n_tied_flagged"].sum())
    if flagged == tied:
        some = "all of them were"
    else:
        verb = "was" if flagged == 1 and not (min_cell and flagged < min_cell) else "were"
        some = f"{count(flagged)} of them {verb}"
    if len(ties) == 1:
        where = f"the risk at the cut-off ({float(hit['cutoff_risk'].iloc[0]):.4f})"
        return f"{count(tied)} pupils shared {where} and {some} flagged; {rule}."
    return (f"In {len(hit)} of {len(ties)} units, several pupils shared the risk at the "
            f"unit's cut-off: {count(tied)} pupils in all, and {some} flagged; {rule}.")
