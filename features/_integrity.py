"""Checks across rows and tables: duplicated pupils, rows and sessions; unknown pupils."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from . import _messages as M
from ._date_columns import day_numbers
from ._positions import index_in_each
from ._schema import DATES
from ._text_columns import rows_in

if TYPE_CHECKING:
    from ._problems import Problems


def duplicates(name, out, raw, P):
    if name == "pupils":
        dup = _repeated_codes(P.factors.get((name, "upn")))
        if dup is None:
            dup = (out["upn"].duplicated(keep="first") & out["upn"].notna()).to_numpy()
        P.add_mask(name, "upn", raw, dup, M.DUPLICATE_PUPIL, M.DUPLICATE_PUPIL_FIX)
        return
    if len(out) < 2:
        return
    cols = [c for c in out.columns if c != "code_class"]
    codes = {}

    def coded(columns):
        for c in columns:
            if c not in codes:
                codes[c] = _codes_of(name, out, c, P)
        return [codes[c] for c in columns]

    # rows can only be exact duplicates when their identifying columns repeat, so
    # check those first (cheap) and compare whole rows only among the repeats
    ident = ["upn"] + [c for c in DATES[name] if c in out.columns]
    if name == "attendance_marks":
        ident.append("session")
    repeats = _duplicated(coded(ident), keep=False)
    exact = np.zeros(len(out), dtype=bool)
    if repeats.any():
        sub = np.flatnonzero(repeats)
        # the other columns are coded on the repeated rows only (few, in a clean table):
        # codes of a subset keep which of its values are equal, all a duplicate needs
        exact[sub] = _duplicated([(codes[c][0][sub], codes[c][1]) if c in codes
                                  else _codes_of(name, out, c, P, rows=sub) for c in cols])
    if name == "attendance_marks":  # one mark per pupil, date and session
        twice = _duplicated(coded(ident)) & ~exact
        P.add_mask(name, "session", raw, twice, M.SESSION_MARKED_TWICE,
                   M.SESSION_MARKED_TWICE_FIX)
    P.add_mask(name, None, raw, exact, M.DUPLICATE_ROW, M.DUPLICATE_ROW_FIX,
               values=out["upn"])


def _repeated_codes(factors: tuple[Any, Any] | None) -> np.ndarray | None:
    """Rows repeating an earlier row's value, from factor codes numbered in order of
    first appearance (as ``pd.factorize`` numbers them), without hashing; ``None`` if
    there are no codes or they are not so numbered. Code -1 (blank) is never a repeat.
    """
    if factors is None:
        return None
    codes = np.asarray(factors[0])
    if not len(codes):
        return np.zeros(0, dtype=bool)
    before = np.maximum.accumulate(np.r_[-1, codes[:-1]])  # highest code of earlier rows
    new = codes > before
    if not (codes[new] == np.arange(int(new.sum()))).all():
        return None  # not numbered by first appearance: leave it to pandas
    return ~new & (codes >= 0)


def _codes_of(name, out, col, P, rows=None):
    """Integer codes (>= 0) of a normalised column, equal values sharing a code.

    With ``rows`` (positions), codes of those rows only.
    """
    if (name, col) in P.factors:
        codes, uniq = P.factors[(name, col)]
        return (codes + 1 if rows is None else codes[rows] + 1), len(uniq) + 1
    s = out[col] if rows is None else out[col].iloc[rows]
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        days, nat = day_numbers(s)
        if nat.any():
            low = days[~nat].min(initial=0)
            days = np.where(nat, 0, days - low + 1)
        else:  # the same codes, without copies of the column
            days -= min(int(days.min(initial=0)), 0) - 1
        n = int(days.max(initial=0)) + 1
        unread = P.unread_dates.get((name, col))
        if unread is not None and rows is not None:
            unread = unread[rows]
        if unread is not None:  # two different unreadable dates are not the same date
            days = np.where(unread >= 0, n + unread, days)
            n += int(unread.max()) + 1
        return days, n
    if s.dtype == np.float64:  # whole numbers in a modest range: the value is the code
        v = s.to_numpy()
        nan = np.isnan(v)
        w = v[~nan]
        if len(w) and (w == np.floor(w)).all() and w.max() - w.min() < 2**31:
            codes = np.where(nan, 0, v - (w.min() - 1)).astype(np.int64)
            return codes, int(codes.max()) + 1
    na = s.isna().to_numpy()
    if na.all():
        return np.zeros(len(s), dtype=np.int64), 1
    try:
        codes, uniq = pd.factorize(s, use_na_sentinel=True)
    except TypeError:  # an extra column holding lists or dicts: compare their text
        codes, uniq = pd.factorize(s.map(repr).where(s.notna()), use_na_sentinel=True)
    return codes.astype(np.int64) + 1, len(uniq) + 1


def _duplicated(coded: list[tuple[np.ndarray, int]],
                keep: Literal["first", "last", False] = "first") -> np.ndarray:
    """``DataFrame.duplicated`` over columns given as ``(codes, n_codes)`` pairs.

    The first column is the most significant digit of the combined key, so a table
    sorted by its columns has a sorted key and needs no hashing.
    """
    keys: list[np.ndarray] = []
    key: np.ndarray | None = None
    mult = 1
    for codes, n in coded:
        if key is not None and mult * n >= 2**62:
            keys.append(key)
            key, mult = None, 1
        if key is None:  # a new key: the column's codes (copied: the key is added to)
            key = np.array(codes, dtype=np.int64)
        else:  # in place: no new column-sized array per column
            key *= n
            key += codes
        mult *= n
    assert key is not None, "no columns to compare"
    keys.append(key)
    if len(keys) == 1:
        steps = np.diff(key)
        if bool(np.all(steps >= 0)):
            same = steps == 0
            if keep == "first":
                return np.r_[False, same]
            return np.r_[False, same] | np.r_[same, False]
        return duplicated_by_sorting(key, keep=keep)
    return pd.DataFrame(dict(enumerate(keys))).duplicated(keep=keep).to_numpy()


def duplicated_by_sorting(key: np.ndarray,
                          keep: Literal["first", "last", False] = "first") -> np.ndarray:
    """``pandas.Series(key).duplicated(keep=keep)`` of an integer key, by sorting a copy.

    Only rows whose value occurs more than once can be duplicates, and the sorted copy
    shows which values those are without hashing every row (several times faster on
    millions of rows). Rows holding a repeated value are found by binary search in the
    (usually few) repeated values, and ``duplicated`` runs on those rows alone: they
    keep their order, so which of them is first or last is unchanged. A table without
    repeats (the usual case) costs one sort.
    """
    key = np.asarray(key)
    out = np.zeros(len(key), dtype=bool)
    if len(key) < 2:
        return out
    ordered = np.sort(key)
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return out
    repeated = np.unique(ordered[1:][same])  # sorted, distinct
    at = np.searchsorted(repeated, key).clip(max=len(repeated) - 1)
    rows = np.flatnonzero(repeated[at] == key)
    out[rows] = pd.Series(key[rows], copy=False).duplicated(keep=keep).to_numpy()
    return out


def unknown_pupils(name: str, out: pd.DataFrame, raw: pd.DataFrame, known: Any,
                  P: Problems) -> None:
    """Report rows of table ``name`` whose pupil is not one of ``known``."""
    unknown_pupils_of({name: (out, raw)}, known, P)


def unknown_pupils_of(tables: dict[str, tuple[pd.DataFrame, pd.DataFrame]], known: Any,
                      P: Problems) -> dict[str, np.ndarray]:
    """Report rows whose pupil is not ``known``, for each ``name: (out, raw)`` in order.

    The distinct pupils of all the tables are looked up in one pass, so the set of
    known pupils is built once, not once per table. Returns, for each table, the
    position in ``known`` of each row's pupil (-1 when unknown or blank), which a
    caller whose ``known`` lists the pupils table's rows in order can keep as the
    rows' pupils (:func:`._cohort.remember_pupil_codes`).
    """
    factors = {}
    for name, (out, _) in tables.items():
        if (name, "upn") in P.factors:
            factors[name] = P.factors[(name, "upn")]
        else:
            factors[name] = pd.factorize(out["upn"], use_na_sentinel=True)
    found = index_in_each([uniq for _, uniq in factors.values()], known)
    rows_of = {}
    for (name, (_, raw)), (codes, _), at in zip(tables.items(), factors.values(), found):
        bad = np.flatnonzero(at < 0)
        if len(bad):
            P.add_mask(name, "upn", raw, rows_in(codes, bad), M.UNKNOWN_PUPIL,
                       M.UNKNOWN_PUPIL_FIX)
        rows_of[name] = np.append(at, -1)[codes]  # code -1 (blank) -> -1
    return rows_of
