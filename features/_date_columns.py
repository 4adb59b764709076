"""Parse date columns of raw tables by the contract's one rule, and day arithmetic.

ISO ``YYYY-MM-DD`` (optionally with a time, which is dropped) and UK ``DD/MM/YYYY``
are accepted, never both in one column: each column takes the format most of its
values use (ISO on a tie), and values in the other format are reported, not
guessed. Slash dates are always read day first. Typed date columns pass through.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import _messages as M
from ._schema import DATE_UNIT
from ._text_columns import factor, rows_in

if TYPE_CHECKING:
    from ._problems import Problems

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?",
                  re.ASCII)
_UK = re.compile(r"\d{1,2}/\d{1,2}/\d{4}(?: \d{2}:\d{2}(?::\d{2})?)?", re.ASCII)

_NS_MIN, _NS_MAX = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
_DAY_NS = 86_400_000_000_000


def day_numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Whole days since 1970-01-01 of a midnight ``datetime64[ns]`` column, and NaT mask."""
    v = s.to_numpy()
    nat = np.isnat(v)
    return v.view(np.int64) // _DAY_NS, nat


def compare_dates(a: pd.Series, op: str, b: pd.Series | pd.Timestamp) -> np.ndarray:
    """``(a < b)`` or ``(a > b)`` (``op`` ``"<"`` or ``">"``) of ``datetime64[ns]``
    columns (or a column and one date) as a numpy mask, missing dates never comparing
    true, as pandas compares them, in integer arithmetic on the nanoseconds."""
    if a.dtype != DATE_UNIT or not (isinstance(b, pd.Timestamp) or b.dtype == DATE_UNIT):
        return ((a < b) if op == "<" else (a > b)).to_numpy(dtype=bool)
    x = a.to_numpy().view(np.int64)
    y = b.value if isinstance(b, pd.Timestamp) else b.to_numpy().view(np.int64)
    out = x < y if op == "<" else x > y
    nat = np.iinfo(np.int64).min  # NaT: below every date, so only "<" sees it
    if op == "<" or not isinstance(b, pd.Timestamp):
        out &= x != nat
        if not isinstance(b, pd.Timestamp):
            out &= y != nat
    return out


def weekdays_before(day: np.ndarray) -> np.ndarray:
    """Monday-Friday days in [1969-12-29 (a Monday), day): a running weekday count.

    Long columns of few distinct days (term dates) are counted once per day in their
    range and looked up.
    """
    day = np.asarray(day)
    if day.size > 100_000:
        lo, hi = int(day.min()), int(day.max())
        if hi - lo < 200_000:
            lut = _weekdays_before(np.arange(lo, hi + 1, dtype=np.int64))
            return lut[day - lo]
    return _weekdays_before(day)


def _weekdays_before(day: np.ndarray) -> np.ndarray:
    x = (day + 3).astype(np.float64)  # 1970-01-01 was a Thursday
    weeks = np.floor(x / 7)  # exact in float64 (and much faster than int64 //, %)
    return (5 * weeks + np.minimum(x - 7 * weeks, 5)).astype(np.int64)


def to_ns(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Return ``s`` as naive ``datetime64[ns]`` at midnight, and the mask of values
    outside the nanosecond range (set to NaT)."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    if s.dtype != DATE_UNIT and isinstance(s.dtype, np.dtype) and s.dtype.kind == "M":
        return _coarse_to_ns(s)
    if s.dtype == DATE_UNIT:
        out_of_range = np.zeros(len(s), dtype=bool)
    else:
        out_of_range = np.zeros(len(s), dtype=bool)
        lo, hi = s.min(), s.max()
        if pd.notna(lo) and (lo < _NS_MIN or hi > _NS_MAX):
            out_of_range = ((s < _NS_MIN) | (s > _NS_MAX)).to_numpy(dtype=bool)
            s = s.mask(out_of_range)
        s = s.astype(DATE_UNIT)
    if _has_times(s.to_numpy()):
        s = s.dt.normalize()
    return s, out_of_range


def _coarse_to_ns(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """:func:`to_ns` of a numpy ``datetime64`` column of another unit (Parquet dates
    come as milliseconds), by numpy's own cast once the range is known to fit: pandas'
    checked cast and its reductions cost more on millions of rows."""
    v = s.to_numpy()
    unit, step = np.datetime_data(v.dtype)
    ticks = v.view(np.int64)
    nat = np.isnat(v)
    some_nat = bool(nat.any())
    lo, hi = (np.datetime64(t, "D").astype(f"datetime64[{step}{unit}]").view(np.int64)
              for t in (_NS_MIN.date(), _NS_MAX.date()))
    out_of_range = np.zeros(len(v), dtype=bool)
    if len(v) and not nat.all():
        first = np.min(ticks, where=~nat, initial=hi) if some_nat else ticks.min()
        if first < lo or ticks.max() > hi:
            out_of_range = ~nat & ((ticks < lo) | (ticks > hi))
    per_day = int(np.timedelta64(1, "D") / np.timedelta64(step, unit))  # type: ignore[call-overload]  # numpy's stubs take no unit string
    off = ticks % per_day != 0  # a time of day
    if some_nat:
        off &= ~nat
    if out_of_range.any() or off.any():  # midnight of each day (its floor, before 1970 too)
        ok = ~(nat | out_of_range)
        ns = np.where(ok, (ticks // per_day) * _DAY_NS, np.iinfo(np.int64).min)
        out = ns.view(DATE_UNIT)
    else:  # whole days in range: numpy's cast keeps NaT
        out = v.astype(DATE_UNIT)
    return pd.Series(out, index=s.index, name=s.name, copy=False), out_of_range


def _has_times(v: np.ndarray) -> bool:
    """Whether any date of a ``datetime64[ns]`` array is not at midnight."""
    ns = v.view(np.int64)
    off = ns != (ns // _DAY_NS) * _DAY_NS  # as ``ns % _DAY_NS != 0``, several times faster
    return bool((off & ~np.isnat(v)).any())


def date_column(df: pd.DataFrame, col: str, table: str, P: Problems) -> pd.Series:
    """Parse a date column: typed columns pass through; strings use one format per column."""
    s = df[col]
    typed = pd.api.types.is_datetime64_any_dtype(s.dtype)
    if not typed and s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in (
            "date", "datetime"):
        s, typed = pd.to_datetime(s, errors="coerce"), True
    if typed:
        out, wild = to_ns(s)
        P.add_mask(table, col, df, wild, M.DATE_OUT_OF_RANGE, M.DATE_OUT_OF_RANGE_FIX)
        return out.rename(col)
    codes, txt = factor(s, P=P, key=(table, col))
    P.blank[(table, col)] = codes == -1
    weight = np.bincount(codes[codes >= 0], minlength=len(txt))
    vals = txt.tolist()
    iso = np.array([_ISO.fullmatch(v) is not None for v in vals], dtype=bool)
    uk = np.array([_UK.fullmatch(v) is not None for v in vals], dtype=bool)
    use_uk = weight[uk].sum() > weight[iso].sum()
    fmt_name = "DD/MM/YYYY" if use_uk else "YYYY-MM-DD"
    chosen = uk if use_uk else iso
    other = iso if use_uk else uk
    datepart = [v.split(" ")[0][:10] if c else None for v, c in zip(vals, chosen)]
    parsed = pd.to_datetime(pd.Series(datepart, dtype=object),
                            format="%d/%m/%Y" if use_uk else "%Y-%m-%d", errors="coerce")
    impossible = chosen & pd.isna(parsed)
    parsed, wild = to_ns(pd.Series(parsed))
    for bad, problem, fix in (
        (other, M.MIXED_DATE_FORMAT.format(fmt=fmt_name),
         M.MIXED_DATE_FORMAT_FIX.format(fmt=fmt_name)),
        (~iso & ~uk, M.BAD_DATE, M.BAD_DATE_FIX),
        (impossible, M.IMPOSSIBLE_DATE, M.IMPOSSIBLE_DATE_FIX),
        (wild, M.DATE_OUT_OF_RANGE, M.DATE_OUT_OF_RANGE_FIX),
    ):
        idx = np.flatnonzero(bad)
        if len(idx):
            P.add_mask(table, col, df, rows_in(codes, idx), problem, fix)
    vals = np.append(parsed.to_numpy(), np.datetime64("NaT", "ns"))
    unread = np.flatnonzero(pd.isna(parsed).to_numpy())
    if len(unread):  # the text of dates that could not be read tells rows apart
        P.unread_dates[(table, col)] = np.where(rows_in(codes, unread), codes, -1)
    return pd.Series(vals[codes], index=df.index, name=col, copy=False)
