"""The one rule that turns scores into flags: capacity or threshold, with a fixed tie rule.

Every part of the library that flags anyone uses :func:`flag_top`: the Screener, the
audit's ``capacity=`` / ``threshold=`` and the command line. So an audit of a
screen's ``scores.csv`` with ``capacity=0.05`` reproduces the screen's own flags.

Rule
    Rows are ranked by score, highest first; ties in score by ``tiebreak`` (ascending),
    then by position (first first). With a capacity, the first ``k`` rows are flagged:
    ``k = floor(capacity * n)`` for a fraction ``0 < capacity < 1`` (never more pupils
    than the support can reach) and ``k = min(capacity, n)`` for a whole number.
    With ``ties="include"``, every row whose score equals the score at the cut-off is
    flagged too, so ``k`` can be exceeded. With a threshold, every row with
    ``score >= threshold`` is flagged. Missing (NaN) scores are never flagged.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

_ONE_OF = (
    "flag_top needs exactly one of capacity= or threshold=, got {0}. Pass capacity=0.05 "
    "(a fraction of rows) or capacity=50 (a number of rows), or threshold=0.2 (a score)."
)
_BAD_CAPACITY = (
    "capacity must be a fraction between 0 and 1 (exclusive) or a whole number of rows "
    ">= 1, got {0!r}. For 5% of rows pass capacity=0.05; for 50 rows pass capacity=50."
)
_BAD_THRESHOLD = (
    "threshold must be a finite number, got {0!r}. Pass for example threshold=0.2 to flag "
    "every row with a score of at least 0.2."
)
_BAD_TIES = "ties must be 'break' or 'include', got {0!r}."
_TIEBREAK_LENGTH = (
    "tiebreak has {0} values but scores has {1}; pass one key per row (for example the "
    "pupil id column aligned with scores)."
)
_SCORES_SHAPE = "scores must be one-dimensional, got shape {0}. Pass one score per row."
_GROUPS_LENGTH = (
    "groups has {0} values but scores has {1}; pass one unit (e.g. school) per row.")
_MAPPING_NEEDS_GROUPS = (
    "capacity is a mapping of unit to count, so flag_top needs groups= (the unit of each "
    "row, e.g. its school).")
_UNKNOWN_UNITS = (
    "capacity names unit(s) {0} that no row belongs to; the units are {1}. Fix the names "
    "or drop those entries.")
_BAD_UNIT_COUNT = (
    "capacity for unit {0!r} must be a whole number of rows >= 0, got {1!r}. A mapping "
    "gives each unit a count of pupils; use a fraction without a mapping for a share.")

TIES = ("break", "include")


def check_rule(capacity: float | None = None, threshold: float | None = None,
               ties: Literal["break", "include"] = "break") -> None:
    """Check a flagging rule without applying it; raise ``ValueError`` naming the fix.

    Exactly one of ``capacity`` and ``threshold`` must be given.

    Examples
    --------
    >>> check_rule(capacity=0.05)
    >>> check_rule(capacity=2.5)
    Traceback (most recent call last):
    ...
    ValueError: capacity must be a fraction between 0 and 1 (exclusive) or a whole ...
    """
    given = [name for name, v in (("capacity", capacity), ("threshold", threshold))
             if v is not None]
    if len(given) != 1:
        raise ValueError(_ONE_OF.format("both" if given else "neither"))
    if ties not in TIES:
        raise ValueError(_BAD_TIES.format(ties))
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not (
                math.isfinite(threshold)):
            raise ValueError(_BAD_THRESHOLD.format(threshold))
        return
    c = capacity
    ok = (isinstance(c, numbers.Real) and not isinstance(c, bool) and math.isfinite(c)
          and ((0 < c < 1) or (c >= 1 and float(c).is_integer())))
    if not ok:
        raise ValueError(_BAD_CAPACITY.format(capacity))


def n_to_flag(capacity: float, n: int) -> int:
    """How many of ``n`` rows a capacity flags (before ties are included).

    Examples
    --------
    >>> n_to_flag(0.05, 30), n_to_flag(0.29, 100), n_to_flag(40, 30)
    (1, 29, 30)
    """
    check_rule(capacity=capacity)
    if 0 < capacity < 1:
        # floor, with a tolerance so that 0.29 * 100 flags 29 rows, not 28
        return int(np.floor(capacity * n + 1e-9))
    return min(int(capacity), n)


def _unit_capacity(capacity: Any, labels: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Rows to flag in each unit: a fraction or count per unit, or a mapping unit -> count."""
    if isinstance(capacity, Mapping):
        unknown = sorted(set(map(str, capacity)) - set(map(str, labels)))
        if unknown:
            raise ValueError(_UNKNOWN_UNITS.format(unknown, list(map(str, labels))[:20]))
        by_label = {str(k): v for k, v in capacity.items()}
        out = np.zeros(len(labels), dtype=np.int64)
        for i, (label, size) in enumerate(zip(labels, sizes)):
            c = by_label.get(str(label), 0)
            if isinstance(c, bool) or not isinstance(c, numbers.Integral) or c < 0:
                raise ValueError(_BAD_UNIT_COUNT.format(label, c))
            out[i] = min(int(c), int(size))
        return out
    return np.array([n_to_flag(capacity, int(size)) for size in sizes], dtype=np.int64)


def flag_top(scores: ArrayLike, *, capacity: float | Mapping[Hashable, int] | None = None,
             threshold: float | None = None, tiebreak: ArrayLike | None = None,
             ties: Literal["break", "include"] = "break",
             groups: ArrayLike | None = None) -> np.ndarray:
    """Flag the highest-scoring rows, up to a capacity or from a threshold.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Risk scores, higher is riskier.
    capacity : float or int, optional
        Fraction of rows (0 < c < 1, rounded down to whole rows) or number of rows
        (a whole number >= 1; all rows when it exceeds them) to flag.
    threshold : float, optional
        Flag every row whose score is at least this value.
    tiebreak : array-like of shape (n_samples,), optional
        Sort key breaking ties in score, ascending (for example a pupil id).
    ties : {"break", "include"}, default="break"
        ``"include"`` also flags every row tied with the last row flagged, so no two
        rows with the same score are treated differently.
    groups : array-like of shape (n_samples,), optional
        Units (schools, phases, year groups) within which the capacity applies: a
        fraction flags that share of each unit (rounded down), a count flags that many
        in each unit, and a mapping ``{unit: count}`` gives each unit its own count
        (units left out flag nobody). Ties are broken the same way in every unit. A
        threshold ignores ``groups``.

    Returns
    -------
    ndarray of bool of shape (n_samples,)

    Examples
    --------
    >>> flag_top([0.1, 0.5, 0.5, 0.2], capacity=2).tolist()
    [False, True, True, False]
    >>> flag_top([0.1, 0.5, 0.5, 0.2], capacity=1, tiebreak=["b", "z", "a", "c"]).tolist()
    [False, False, True, False]
    >>> flag_top([0.1, 0.5, 0.5, 0.2], capacity=1, ties="include").tolist()
    [False, True, True, False]
    >>> flag_top([0.1, 0.5, 0.3], threshold=0.3).tolist()
    [False, True, True]
    >>> flag_top([0.9, 0.8, 0.2, 0.1], capacity=1, groups=["a", "a", "b", "b"]).tolist()
    [True, False, True, False]
    >>> flag_top([0.9, 0.8, 0.2, 0.1], capacity={"a": 2}, groups=["a", "a", "b", "b"]).tolist()
    [True, True, False, False]
    """
    if isinstance(capacity, Mapping):
        if threshold is not None:
            raise ValueError(_ONE_OF.format("both"))
        if groups is None:
            raise ValueError(_MAPPING_NEEDS_GROUPS)
        check_rule(capacity=1, ties=ties)  # the counts are checked unit by unit
    else:
        check_rule(capacity, threshold, ties)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 1:
        raise ValueError(_SCORES_SHAPE.format(scores.shape))
    n = scores.shape[0]
    valid = ~np.isnan(scores)
    if threshold is not None:
        return valid & (np.where(valid, scores, -np.inf) >= threshold)
    if groups is None:
        unit = np.zeros(n, dtype=np.intp)
        labels = np.array([None], dtype=object)
    else:
        groups = np.asarray(groups, dtype=object)
        if groups.shape[0] != n:
            raise ValueError(_GROUPS_LENGTH.format(groups.shape[0], n))
        unit, labels = pd.factorize(pd.Series(groups).astype("string").fillna("Unknown"))
        labels = np.asarray(labels, dtype=object)
    sizes = np.bincount(unit, minlength=len(labels))
    k = np.minimum(_unit_capacity(capacity, labels, sizes),
                   np.bincount(unit[valid], minlength=len(labels)))
    order = rank_order(scores, tiebreak)
    order = order[np.argsort(unit[order], kind="stable")]  # by unit, rank order within
    start = np.r_[0, np.cumsum(sizes)[:-1]]
    position = np.arange(n) - start[unit[order]]  # 0-based place within its unit
    flags = np.zeros(n, dtype=bool)
    flags[order[position < k[unit[order]]]] = True
    if ties == "include":
        last = order[position == k[unit[order]] - 1]
        cutoff = np.full(len(labels), np.nan)
        cutoff[unit[last]] = scores[last]
        flags |= valid & (scores == cutoff[unit])
    return flags


def rank_order(scores: ArrayLike, tiebreak: ArrayLike | None = None) -> np.ndarray:
    """Row positions from highest to lowest score, ties broken as :func:`flag_top` does.

    Missing scores come last.

    Examples
    --------
    >>> rank_order([0.2, 0.9, 0.5, 0.9], tiebreak=["d", "c", "b", "a"]).tolist()
    [3, 1, 2, 0]
    """
    scores = np.asarray(scores, dtype=np.float64)
    n = scores.shape[0]
    if tiebreak is None:
        key = np.zeros(n, dtype=np.intp)
    else:
        tiebreak = np.asarray(tiebreak)
        if tiebreak.shape[0] != n:
            raise ValueError(_TIEBREAK_LENGTH.format(tiebreak.shape[0], n))
        key = pd.Series(tiebreak).rank(method="dense").to_numpy()
    valid = ~np.isnan(scores)
    return np.lexsort((np.arange(n), key, -np.where(valid, scores, -np.inf)))


def cutoff_ties(scores: ArrayLike, flags: ArrayLike) -> dict[str, float | int]:
    """How many rows share the score of the last flagged row, and how many were flagged.

    Returns
    -------
    dict
        ``cutoff`` (the lowest flagged score, NaN when nobody is flagged), ``n_tied``
        (rows with exactly that score) and ``n_tied_flagged`` (of those, flagged).

    Examples
    --------
    >>> cutoff_ties([0.9, 0.5, 0.5, 0.5, 0.1], [True, True, False, False, False])
    {'cutoff': 0.5, 'n_tied': 3, 'n_tied_flagged': 1}
    """
    scores = np.asarray(scores, dtype=np.float64)
    flags = np.asarray(flags, dtype=bool)
    if not flags.any():
        return {"cutoff": float("nan"), "n_tied": 0, "n_tied_flagged": 0}
    cut = float(np.nanmin(scores[flags]))
    tied = scores == cut
    return {"cutoff": cut, "n_tied": int(tied.sum()), "n_tied_flagged": int((tied & flags).sum())}
