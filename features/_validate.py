"""Parse raw tables into the normalised schema, collecting every problem.

All parsing is vectorised. String columns are factorised first, so each distinct
value is parsed once (register marks repeat a few dozen codes and dates millions of
times); typed columns (datetime64, bool, numbers) pass through without string
parsing, and text columns that are already clean are cast, not copied.

Row numbers in problems are the index labels of the raw tables: ``load_records``
numbers rows 1, 2, ... (the data row of the file); DataFrames passed to
``Records`` directly are reported by their own index.

Dates in text
    ISO ``YYYY-MM-DD`` (optionally with a time, which is dropped) and UK
    ``DD/MM/YYYY`` are accepted, never both in one column: each column takes the
    format most of its values use (ISO on a tie), and values in the other format
    are reported (``MIXED_DATE_FORMAT``), not guessed. Slash dates are always read
    day first. A US ``MM/DD/YYYY`` export therefore fails on every date whose day is
    above 12 (``IMPOSSIBLE_DATE``); a column whose slash dates all have day <= 12 is
    ambiguous in principle and is read day first, as the input contract says.
Other checks
    Dates before 1990 are problems; dates after the extract date (today when none
    is given) are problems, except leaving and SEN end dates, which may be planned.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from . import _messages as M
from ._codes import (
    BOOLEAN_SPELLINGS,
    CATEGORY_CODES,
    MARK_CLASSES,
    PROVISION_CODES,
    SEX_CODES,
    UPN_UNKNOWN,
    ethnicity_major,
    mark_class_index,
    upn_valid_mask,
)
from ._errors import PROBLEM_COLUMNS, InputError, problem_frame

REQUIRED = {
    "pupils": ["upn", "date_of_birth", "sex"],
    "enrolments": ["upn", "school", "entry_date"],
    "attendance": ["upn", "period_start", "period_end", "sessions_possible",
                   "sessions_authorised", "sessions_unauthorised"],
    "attendance_marks": ["upn", "date", "session", "code"],
    "suspensions": ["upn", "start_date", "category"],
    "sen": ["upn", "start_date", "provision"],
}
DATES = {
    "pupils": ["date_of_birth"],
    "enrolments": ["entry_date", "leaving_date"],
    "attendance": ["period_start", "period_end"],
    "attendance_marks": ["date"],
    "suspensions": ["start_date"],
    "sen": ["start_date", "end_date"],
}
#: Date columns that may legitimately lie after the extract date (planned ends).
_MAY_BE_FUTURE = {"leaving_date", "end_date"}
#: Column order of the normalised tables (extra columns follow).
SCHEMA = {
    "pupils": ["upn", "date_of_birth", "sex", "ethnicity"],
    "enrolments": ["upn", "school", "entry_date", "leaving_date", "phase", "leaving_reason"],
    "attendance": ["upn", "school", "period_start", "period_end", "sessions_possible",
                   "sessions_authorised", "sessions_unauthorised"],
    "attendance_marks": ["upn", "date", "session", "code", "code_class"],
    "suspensions": ["upn", "start_date", "category", "sessions", "reason", "school"],
    "sen": ["upn", "start_date", "end_date", "provision", "primary_need"],
}
COUNTS = ["sessions_possible", "sessions_authorised", "sessions_unauthorised"]
BOOLEANS = ["fsm", "eal", "looked_after"]
PHASES = ("primary", "middle", "secondary", "all-through", "special", "ap")
SESSIONS = {"AM": "AM", "PM": "PM"}
EARLIEST = pd.Timestamp("1990-01-01")
DATE_UNIT = "datetime64[ns]"

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?",
                  re.ASCII)
_UK = re.compile(r"\d{1,2}/\d{1,2}/\d{4}(?: \d{2}:\d{2}(?::\d{2})?)?", re.ASCII)


# ============================================================================ collector
class _Problems:
    """Accumulates problem rows as small frames (vectorised)."""

    def __init__(self):
        self.chunks: list[pd.DataFrame] = []
        self.blank: dict = {}  # (table, column) -> row mask of blank values
        self.factors: dict = {}  # (table, column) -> (codes, distinct normalised values)

    def add(self, table, column, problem, fix, rows=None, values=None):
        """Add one problem per row label in ``rows`` (or one table-level problem)."""
        if rows is None:
            rows, values = [None], [None]
        rows = np.asarray(rows, dtype=object)
        if len(rows) == 0:
            return
        if values is None:
            values = [None] * len(rows)
        values = np.asarray(pd.Series(values, dtype=object).to_numpy(), dtype=object)
        self.chunks.append(pd.DataFrame({
            "table": table, "row": rows, "column": column, "value": values,
            "problem": problem, "fix": fix,
        }))

    def add_mask(self, table, column, df, mask, problem, fix, values=None):
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if values is None:
            values = df[column] if column in df.columns else None
        if values is not None:
            values = pd.Series(values, copy=False).to_numpy(dtype=object)[mask]
        self.add(table, column, problem, fix, df.index.to_numpy(dtype=object)[mask], values)

    def frame(self) -> pd.DataFrame:
        if not self.chunks:
            empty = problem_frame()
            empty["fix"] = pd.Series(dtype=object)
            return empty
        out = pd.concat(self.chunks, ignore_index=True)
        return out.astype({"row": object, "value": object})


# ============================================================================ helpers
def _factor(s: pd.Series, with_clean=False):
    """Factorise ``s``; return codes and its distinct values as stripped strings.

    Blank values (NA, empty or whitespace) get code -1, so ``codes == -1`` marks
    the blank rows. With ``with_clean``, also return whether ``s`` is text with no
    blanks and nothing to strip.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    clean = False
    if pd.api.types.is_float_dtype(uniques.dtype):  # 1.0 -> "1"
        as_int = np.isfinite(uniques) & (np.mod(uniques, 1) == 0)
        txt = pd.Series([str(int(v)) if i else str(v) for v, i in zip(uniques, as_int)],
                        dtype="string")
    else:
        orig = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype("string")
        txt = orig.str.strip()
        clean = (pd.api.types.is_string_dtype(s.dtype) and s.dtype != object
                 and not (codes == -1).any() and bool((txt == orig).all()))
    blank = (txt.isna() | (txt == "")).to_numpy(dtype=bool)
    if blank.any():
        clean = False
        keep = np.flatnonzero(~blank)
        remap = np.full(len(txt) + 1, -1, dtype=np.intp)
        remap[keep] = np.arange(len(keep))
        codes = remap[codes]
        txt = txt.iloc[keep].reset_index(drop=True)
    return (codes, txt, clean) if with_clean else (codes, txt)


def _canonical(codes, txt):
    """Re-code so that equal normalised values share one code."""
    canon, uniq = pd.factorize(txt)
    if len(uniq) == len(txt):  # normalising merged nothing: codes are already canonical
        return codes, pd.Index(np.asarray(txt, dtype=object), dtype=object)
    lut = np.append(canon, -1)
    return lut[codes], pd.Index(np.asarray(uniq, dtype=object), dtype=object)


def _take(values, codes: np.ndarray, dtype) -> pd.array:
    arr = pd.array(values, dtype=dtype)
    return pd.api.extensions.take(arr, codes, allow_fill=True)


def _text(df, col, upper=False, lower=False, P=None, table=None) -> pd.Series:
    """Return column ``col`` as stripped ``string`` dtype (blank -> NA)."""
    raw = df[col]
    codes, txt, clean = _factor(raw, with_clean=True)
    before = txt
    if upper:
        txt = txt.str.upper()
    if lower:
        txt = txt.str.lower()
    if P is not None:
        P.blank[(table, col)] = codes == -1
        P.factors[(table, col)] = _canonical(codes, txt)
    return _rebuild(raw, codes, txt, before, col, clean)


def _rebuild(raw, codes, txt, before, col, clean) -> pd.Series:
    """Rows of ``txt`` by ``codes`` as ``string``; reuse the raw column when unchanged."""
    if clean and txt.equals(before):  # already clean text: a cast, no copy
        return raw.astype("string").rename(col)
    return pd.Series(_take(txt, codes, "string"), index=raw.index, name=col)


def _rows_in(codes: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """Row mask of rows whose factor code is one of the distinct-value indices ``bad``."""
    lut = np.zeros(int(codes.max(initial=-1)) + 2, dtype=bool)
    lut[np.asarray(bad, dtype=np.int64)] = True
    return lut[codes]  # code -1 -> last entry, False


def _coded(df, col, table, mapping, what, P, allowed=None, dtype="string") -> pd.Series:
    """Map spellings (stripped, upper-cased) through ``mapping``; report unknown ones."""
    raw = df[col]
    codes, txt, clean = _factor(raw, with_clean=True)
    P.blank[(table, col)] = codes == -1
    key = txt.str.upper()
    mapped = key.map(mapping)
    bad = np.flatnonzero(mapped.isna().to_numpy())
    if len(bad):
        mask = _rows_in(codes, bad)
        P.add_mask(table, col, df, mask, M.UNKNOWN_CODE.format(what=what),
                   M.UNKNOWN_CODE_FIX.format(allowed=allowed or ", ".join(sorted(mapping))))
    if dtype == "string":
        mapped_txt = mapped.astype("string")
        P.factors[(table, col)] = _canonical(codes, mapped_txt)
        if not len(bad):
            return _rebuild(raw, codes, mapped_txt, txt, col, clean)
    values = pd.array(mapped.astype(object).where(mapped.notna(), None).tolist(), dtype=dtype)
    return pd.Series(pd.api.extensions.take(values, codes, allow_fill=True),
                     index=df.index, name=col)


def _booleans(df, col, table, P) -> pd.Series:
    s = df[col]
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("boolean")
    if pd.api.types.is_numeric_dtype(s.dtype):
        ok = s.isna() | s.isin([0, 1])
        P.add_mask(table, col, df, ~ok.to_numpy(), M.UNKNOWN_CODE.format(what="boolean"),
                   M.UNKNOWN_CODE_FIX.format(allowed="1/0, true/false, Y/N, yes/no"))
        return (s.where(ok) == 1).astype("boolean").mask(s.isna() | ~ok)
    return _coded(df, col, table, BOOLEAN_SPELLINGS, "boolean", P,
                  allowed="1/0, true/false, Y/N, yes/no (any case)", dtype="boolean")


def _numbers(df, col, table, P) -> pd.Series:
    s = df[col]
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("float64")
    codes, txt = _factor(s)
    P.blank[(table, col)] = codes == -1
    num = pd.to_numeric(txt, errors="coerce").astype("float64")
    bad = np.flatnonzero(num.isna().to_numpy() | np.isinf(num.to_numpy()))
    if len(bad):
        P.add_mask(table, col, df, _rows_in(codes, bad), M.NOT_A_NUMBER, M.NOT_A_NUMBER_FIX)
    vals = np.append(num.to_numpy(), np.nan)
    return pd.Series(vals[codes], index=df.index, name=col)


_NS_MIN, _NS_MAX = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
_DAY_NS = 86_400_000_000_000


def _days(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Whole days since 1970-01-01 of a midnight ``datetime64[ns]`` column, and NaT mask."""
    v = s.to_numpy()
    nat = np.isnat(v)
    return v.view(np.int64) // _DAY_NS, nat


def _weekdays_before(day: np.ndarray) -> np.ndarray:
    """Monday-Friday days in [1969-12-29 (a Monday), day): a running weekday count."""
    x = (day + 3).astype(np.float64)  # 1970-01-01 was a Thursday
    weeks = np.floor(x / 7)  # exact in float64 (and much faster than int64 //, %)
    return (5 * weeks + np.minimum(x - 7 * weeks, 5)).astype(np.int64)


def _to_ns(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Return ``s`` as naive ``datetime64[ns]`` at midnight, and the mask of values
    outside the nanosecond range (set to NaT)."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    if s.dtype == DATE_UNIT:
        out_of_range = np.zeros(len(s), dtype=bool)
    else:
        out_of_range = np.zeros(len(s), dtype=bool)
        lo, hi = s.min(), s.max()
        if pd.notna(lo) and (lo < _NS_MIN or hi > _NS_MAX):
            out_of_range = ((s < _NS_MIN) | (s > _NS_MAX)).to_numpy(dtype=bool)
            s = s.mask(out_of_range)
        s = s.astype(DATE_UNIT)
    v = s.to_numpy()
    if ((v.view(np.int64) % _DAY_NS != 0) & ~np.isnat(v)).any():  # times of day
        s = s.dt.normalize()
    return s, out_of_range


def _dates(df, col, table, P) -> pd.Series:
    """Parse a date column: typed columns pass through; strings use one format per column."""
    s = df[col]
    typed = pd.api.types.is_datetime64_any_dtype(s.dtype)
    if not typed and s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in (
            "date", "datetime"):
        s, typed = pd.to_datetime(s, errors="coerce"), True
    if typed:
        out, wild = _to_ns(s)
        P.add_mask(table, col, df, wild, M.DATE_OUT_OF_RANGE, M.DATE_OUT_OF_RANGE_FIX)
        return out.rename(col)
    codes, txt = _factor(s)
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
    parsed, wild = _to_ns(pd.Series(parsed))
    for bad, problem, fix in (
        (other, M.MIXED_DATE_FORMAT.format(fmt=fmt_name),
         M.MIXED_DATE_FORMAT_FIX.format(fmt=fmt_name)),
        (~iso & ~uk, M.BAD_DATE, M.BAD_DATE_FIX),
        (impossible, M.IMPOSSIBLE_DATE, M.IMPOSSIBLE_DATE_FIX),
        (wild, M.DATE_OUT_OF_RANGE, M.DATE_OUT_OF_RANGE_FIX),
    ):
        idx = np.flatnonzero(bad)
        if len(idx):
            P.add_mask(table, col, df, _rows_in(codes, idx), problem, fix)
    vals = np.append(parsed.to_numpy(), np.datetime64("NaT", "ns"))
    return pd.Series(vals[codes], index=df.index, name=col)


def _optional_text(raw, col, table, P, upper=False, lower=False) -> pd.Series:
    if col not in raw.columns:
        return _na_column(raw, "string")
    return _text(raw, col, upper=upper, lower=lower, P=P, table=table)


def _na_column(df, dtype):
    if dtype == "string" and pd.StringDtype().storage == "pyarrow":
        import pyarrow as pa  # an all-null Arrow array costs nothing per row

        arr = pd.arrays.ArrowStringArray(pa.chunked_array([pa.nulls(len(df), pa.large_string())]))
        return pd.Series(arr, index=df.index)
    return pd.Series(pd.NA, index=df.index, dtype=dtype)


# ============================================================================ tables
def _parse_table(name, df, P, limit) -> pd.DataFrame | None:
    """Parse one table's schema columns; ``None`` if required columns are missing."""
    missing = [c for c in REQUIRED[name] if c not in df.columns]
    for c in missing:
        P.add(name, c, M.MISSING_COLUMN.format(column=c),
              M.MISSING_COLUMN_FIX.format(column=c, found=", ".join(map(str, df.columns))))
    if missing:
        return None
    out = df.copy(deep=False)
    raw = df
    out["upn"] = _text(raw, "upn", P=P, table=name)
    for c in DATES[name]:
        if c in raw.columns:
            out[c] = _dates(raw, c, name, P)
            _check_date_range(name, c, out, raw, P, limit)
        else:
            out[c] = pd.Series(np.full(len(raw), np.datetime64("NaT", "ns")), index=raw.index)
    _TABLE_PARSERS[name](out, raw, P)
    # empty required values: blank cells of text columns, missing values of typed ones
    for c in REQUIRED[name]:
        blank = P.blank.get((name, c))
        if blank is None:
            blank = raw[c].isna().to_numpy()
        P.add_mask(name, c, raw, blank, M.EMPTY_VALUE, M.EMPTY_VALUE_FIX)
    extra = [c for c in out.columns if c not in SCHEMA[name]]
    return out[SCHEMA[name] + extra]


def _check_date_range(name, col, out, raw, P, limit):
    d = out[col]
    P.add_mask(name, col, raw, (d < EARLIEST).to_numpy(),
               M.DATE_TOO_EARLY.format(earliest=EARLIEST.date()),
               M.DATE_TOO_EARLY_FIX.format(earliest=EARLIEST.date()))
    if col not in _MAY_BE_FUTURE:
        P.add_mask(name, col, raw, (d > limit).to_numpy(),
                   M.FUTURE_DATE.format(extract=limit.date()), M.FUTURE_DATE_FIX)


def _end_before_start(name, out, raw, start, end, P):
    bad = (out[end] < out[start]).to_numpy()
    P.add_mask(name, end, raw, bad, M.END_BEFORE_START.format(end=end, start=start),
               M.END_BEFORE_START_FIX)


def _pupils(out, raw, P):
    out["sex"] = _coded(raw, "sex", "pupils", SEX_CODES, "sex", P,
                        allowed="M, F, Male, Female (any case)")
    out["sex"] = out["sex"].astype("string")
    out["ethnicity"] = _optional_text(raw, "ethnicity", "pupils", P, upper=True)
    for c in BOOLEANS:
        if c in raw.columns:
            out[c] = _booleans(raw, c, "pupils", P)


def _enrolments(out, raw, P):
    out["school"] = _text(raw, "school", P=P, table="enrolments")
    out["phase"] = _optional_text(raw, "phase", "enrolments", P, lower=True)
    out["leaving_reason"] = _optional_text(raw, "leaving_reason", "enrolments", P)
    _end_before_start("enrolments", out, raw, "entry_date", "leaving_date", P)


def _attendance(out, raw, P):
    out["school"] = _optional_text(raw, "school", "attendance", P)
    for c in COUNTS:
        out[c] = _numbers(raw, c, "attendance", P)
        P.add_mask("attendance", c, raw, (out[c] < 0).to_numpy(), M.NEGATIVE_COUNT,
                   M.NEGATIVE_COUNT_FIX)
    absent = out["sessions_authorised"] + out["sessions_unauthorised"]
    P.add_mask("attendance", "sessions_possible", raw,
               (absent > out["sessions_possible"]).to_numpy(), M.ABSENCE_EXCEEDS_POSSIBLE,
               M.ABSENCE_EXCEEDS_POSSIBLE_FIX)
    _end_before_start("attendance", out, raw, "period_start", "period_end", P)


def _marks(out, raw, P):
    out["session"] = _coded(raw, "session", "attendance_marks", SESSIONS, "session", P,
                            allowed="AM, PM").astype("string")
    out["code"] = _text(raw, "code", upper=True, P=P, table="attendance_marks")
    codes, uniq = P.factors[("attendance_marks", "code")]
    idx = mark_class_index(codes, list(uniq), out["date"])
    P.mark_class = idx
    cls = pd.Series(pd.api.extensions.take(pd.array(list(MARK_CLASSES), dtype="string"),
                                           idx.astype(np.intp), allow_fill=True),
                    index=out.index, name="code_class")
    unknown = (idx < 0) & (codes >= 0) & out["date"].notna().to_numpy()
    P.add_mask("attendance_marks", "code", raw, unknown,
               M.UNKNOWN_CODE.format(what="attendance mark"),
               M.UNKNOWN_CODE_FIX.format(
                   allowed="the DfE register codes of the date's code set (before or from "
                           "19 August 2024), or '-' for no mark"))
    out["code_class"] = cls


def _suspensions(out, raw, P):
    out["category"] = _coded(raw, "category", "suspensions", CATEGORY_CODES, "category", P,
                             allowed="suspension, permanent, FIXD, PERM, LNCH"
                             ).astype("string")
    if "sessions" in raw.columns:
        out["sessions"] = _numbers(raw, "sessions", "suspensions", P)
        P.add_mask("suspensions", "sessions", raw, (out["sessions"] < 0).to_numpy(),
                   M.NEGATIVE_COUNT, M.NEGATIVE_COUNT_FIX)
    else:
        out["sessions"] = pd.Series(np.nan, index=raw.index)
    if "reason" in raw.columns:  # "pp, DB" -> "PP;DB"
        codes, txt = _factor(raw["reason"])
        parts = txt.str.upper().str.replace(",", ";", regex=False).str.split(";")
        joined = [";".join(x.strip() for x in p if x.strip()) or None for p in parts]
        out["reason"] = pd.Series(_take(joined, codes, "string"), index=raw.index)
    else:
        out["reason"] = _na_column(raw, "string")
    out["school"] = _optional_text(raw, "school", "suspensions", P)


def _sen(out, raw, P):
    out["provision"] = _coded(raw, "provision", "sen", PROVISION_CODES, "provision", P,
                              allowed="K, E (legacy S, A, P, Q; N rows are set aside)"
                              ).astype("string")
    out["primary_need"] = _optional_text(raw, "primary_need", "sen", P, upper=True)
    _end_before_start("sen", out, raw, "start_date", "end_date", P)


_TABLE_PARSERS = {"pupils": _pupils, "enrolments": _enrolments, "attendance": _attendance,
                  "attendance_marks": _marks, "suspensions": _suspensions, "sen": _sen}


def _empty(name) -> pd.DataFrame:
    return _EMPTY[name].copy()


def _make_empty(name) -> pd.DataFrame:
    dtypes = {c: ("string" if c not in DATES[name] else DATE_UNIT) for c in SCHEMA[name]}
    for c in COUNTS + ["sessions"]:
        if c in dtypes:
            dtypes[c] = "float64"
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


_EMPTY = {name: _make_empty(name) for name in SCHEMA}


# ============================================================================ cross-table
def _duplicates(name, out, raw, P):
    if name == "pupils":
        dup = out["upn"].duplicated(keep="first") & out["upn"].notna()
        P.add_mask(name, "upn", raw, dup.to_numpy(), M.DUPLICATE_PUPIL, M.DUPLICATE_PUPIL_FIX)
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
        exact[sub] = _duplicated([(c[sub], n) for c, n in coded(cols)])
    if name == "attendance_marks":  # one mark per pupil, date and session
        twice = _duplicated(coded(ident)) & ~exact
        P.add_mask(name, "session", raw, twice, M.SESSION_MARKED_TWICE,
                   M.SESSION_MARKED_TWICE_FIX)
    P.add_mask(name, None, raw, exact, M.DUPLICATE_ROW, M.DUPLICATE_ROW_FIX,
               values=out["upn"])


def _codes_of(name, out, col, P):
    """Integer codes (>= 0) of a normalised column, equal values sharing a code."""
    if (name, col) in P.factors:
        codes, uniq = P.factors[(name, col)]
        return codes + 1, len(uniq) + 1
    s = out[col]
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        days, nat = _days(s)
        low = days[~nat].min(initial=0)
        days = np.where(nat, 0, days - low + 1)
        return days, int(days.max(initial=0)) + 1
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
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    return codes.astype(np.int64) + 1, len(uniq) + 1


def _duplicated(coded, keep="first") -> np.ndarray:
    """``DataFrame.duplicated`` over columns given as ``(codes, n_codes)`` pairs.

    The first column is the most significant digit of the combined key, so a table
    sorted by its columns has a sorted key and needs no hashing.
    """
    keys, key, mult = [], np.zeros(len(coded[0][0]), dtype=np.int64), 1
    for codes, n in coded:
        if mult * n >= 2**62:
            keys.append(key)
            key, mult = np.zeros_like(key), 1
        key = key * n + codes
        mult *= n
    keys.append(key)
    if len(keys) == 1:
        steps = np.diff(key)
        if (steps >= 0).all():
            same = steps == 0
            if keep == "first":
                return np.r_[False, same]
            return np.r_[False, same] | np.r_[same, False]
        return pd.Series(key, copy=False).duplicated(keep=keep).to_numpy()
    return pd.DataFrame(dict(enumerate(keys))).duplicated(keep=keep).to_numpy()


def _unknown_pupils(name, out, raw, known: pd.Index, P):
    if (name, "upn") in P.factors:
        codes, uniq = P.factors[(name, "upn")]
    else:
        codes, uniq = pd.factorize(out["upn"], use_na_sentinel=True)
    bad = np.flatnonzero(~pd.Index(np.asarray(uniq, dtype=object), dtype=object).isin(known))
    if len(bad):
        P.add_mask(name, "upn", raw, _rows_in(codes, bad), M.UNKNOWN_PUPIL, M.UNKNOWN_PUPIL_FIX)


def _warnings(clean, raw_tables, n_set_aside, W):
    p, praw = clean["pupils"], raw_tables["pupils"]
    upn = p["upn"]
    usable = upn.notna() & ~upn.str.upper().isin(UPN_UNKNOWN).fillna(False)
    if usable.any() and (upn[usable].str.len() == 13).all():
        bad = usable.to_numpy() & ~upn_valid_mask(upn)
        W.add_mask("pupils", "upn", praw, bad, M.BAD_UPN_CHECK, M.BAD_UPN_CHECK_FIX)
    eth = p["ethnicity"]
    W.add_mask("pupils", "ethnicity", praw, (eth.notna() & ethnicity_major(eth).isna()).to_numpy(),
               M.UNKNOWN_ETHNICITY, M.UNKNOWN_ETHNICITY_FIX)
    e, eraw = clean["enrolments"], raw_tables["enrolments"]
    W.add_mask("enrolments", "phase", eraw,
               (e["phase"].notna() & ~e["phase"].isin(PHASES)).to_numpy(), M.UNKNOWN_PHASE,
               M.UNKNOWN_PHASE_FIX)
    _overlaps(e, eraw, W)
    a, araw = clean["attendance"], raw_tables.get("attendance")
    if araw is not None and len(a):
        a = a.iloc[: len(araw)]  # the rows given (mark rows are appended later)
        start, nat_s = _days(a["period_start"])
        end, nat_e = _days(a["period_end"])
        ok = ~(nat_s | nat_e) & (end >= start)
        weekdays = _weekdays_before(end + 1) - _weekdays_before(start)
        possible = a["sessions_possible"].to_numpy()
        bad = ok & ((possible > 2 * weekdays) | ((possible > 400) & (end - start < 365)))
        W.add_mask("attendance", "sessions_possible", araw, bad, M.IMPLAUSIBLE_SESSIONS,
                   M.IMPLAUSIBLE_SESSIONS_FIX)
    if n_set_aside:
        W.add("sen", "provision", M.PROVISION_N_SET_ASIDE.format(n=n_set_aside),
              M.PROVISION_N_SET_ASIDE_FIX, rows=[None], values=["N"])


def _overlaps(e, eraw, W):
    """Warn about enrolments starting before an earlier one at another school ends."""
    if len(e) < 2:
        return
    pupil = pd.factorize(e["upn"])[0]
    school = pd.factorize(e["school"])[0]
    entry = e["entry_date"].to_numpy().astype(np.int64)
    leave = e["leaving_date"].to_numpy()
    leave = np.where(np.isnat(leave), np.iinfo(np.int64).max, leave.astype(np.int64))
    order = np.lexsort((entry, pupil))
    p, sc, en, lv = pupil[order], school[order], entry[order], leave[order]
    # running latest leaving date within each pupil, up to the previous row
    run = pd.Series(lv).groupby(p).cummax().to_numpy()
    prev = np.r_[np.iinfo(np.int64).min, run[:-1]]
    same = np.r_[False, p[1:] == p[:-1]]
    other = np.r_[False, sc[1:] != sc[:-1]]
    bad = same & other & (en < prev)
    mask = np.zeros(len(e), dtype=bool)
    mask[order] = bad
    W.add_mask("enrolments", "entry_date", eraw, mask, M.OVERLAPPING_ENROLMENT,
               M.OVERLAPPING_ENROLMENT_FIX)


def aggregate_marks(marks: pd.DataFrame, class_index=None, upn_codes=None) -> pd.DataFrame:
    """Aggregate classified session marks into one attendance row per pupil and day.

    ``sessions_possible`` = PRESENT + AUTH + UNAUTH marks, ``sessions_authorised`` =
    AUTH, ``sessions_unauthorised`` = UNAUTH; NOT_POSSIBLE and MISSING count nowhere.
    ``class_index`` and ``upn_codes`` (factorised classes and pupils) may be passed
    to save work on large tables.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"upn": ["A", "A"], "date": pd.to_datetime(["2023-01-09"] * 2),
    ...                   "code_class": ["PRESENT", "UNAUTH"]})
    >>> aggregate_marks(m)[["sessions_possible", "sessions_unauthorised"]].values.tolist()
    [[2.0, 1.0]]
    """
    cols = ["upn", "school", "period_start", "period_end"] + COUNTS
    if len(marks) == 0:
        return _empty("attendance")[cols]
    if upn_codes is None:
        upn_codes, upn_uniq = pd.factorize(marks["upn"])
    else:
        upn_codes, upn_uniq = upn_codes
    if class_index is None:
        class_index = pd.Index(list(MARK_CLASSES)).get_indexer(
            marks["code_class"].astype(object))
    day, _ = _days(marks["date"].astype(DATE_UNIT))
    key = upn_codes.astype(np.int64) * (1 << 32) + (day - day.min())
    steps = np.diff(key)
    if (steps >= 0).all():  # sorted by pupil and date (the usual export): no hashing
        new_group = np.r_[True, steps != 0]
        group = np.cumsum(new_group) - 1
        first = np.flatnonzero(new_group)
        n = len(first)
    else:
        group, uniq = pd.factorize(key)
        n = len(uniq)
        first = np.empty(n, dtype=np.int64)
        first[group[::-1]] = np.arange(len(group))[::-1]
    # PRESENT, AUTH, UNAUTH are classes 0, 1, 2: one bincount over (group, class)
    sel = (class_index >= 0) & (class_index <= 2)
    counts = np.bincount(group[sel] * 3 + class_index[sel], minlength=3 * n).reshape(n, 3)
    counts = counts.astype(np.float64)
    dates = pd.Series(marks["date"].to_numpy()[first]).astype(DATE_UNIT)
    upn = pd.array(np.asarray(upn_uniq, dtype=object), dtype="string").take(upn_codes[first])
    frame = pd.DataFrame({"upn": upn})
    out = pd.DataFrame({
        "upn": upn,
        "school": _na_column(frame, "string"),
        "period_start": dates,
        "period_end": dates,
        "sessions_possible": counts.sum(axis=1),
        "sessions_authorised": counts[:, 1],
        "sessions_unauthorised": counts[:, 2],
    })
    return out


# ============================================================================ entry point
def normalise(raw: dict, extract_date=None) -> tuple[dict, pd.DataFrame, dict]:
    """Return ``(clean_tables, warnings, meta)`` or raise :class:`InputError`.

    ``meta["n_attendance_given"]`` is the number of attendance rows given (rows after
    it were aggregated from marks).
    """
    P, W = _Problems(), _Problems()
    limit = (pd.Timestamp(extract_date) if extract_date is not None
             else pd.Timestamp.today().normalize())
    clean: dict[str, pd.DataFrame] = {}
    raw_tables: dict[str, pd.DataFrame] = {}
    for name in REQUIRED:
        df = raw.get(name)
        if df is None:
            needed = name in ("pupils", "enrolments") or (
                name == "attendance" and raw.get("attendance_marks") is None)
            if needed:
                P.add(name, None, M.MISSING_TABLE.format(table=name),
                      M.MISSING_TABLE_FIX.format(table=name, columns=", ".join(REQUIRED[name])))
            clean[name] = _empty(name)
            continue
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"Table '{name}' must be a pandas DataFrame, got "
                            f"{type(df).__name__}. Use load_records(folder) for files.")
        df = df.rename(columns=lambda c: str(c).strip())
        dup_cols = df.columns[df.columns.duplicated()].unique()
        if len(dup_cols):
            for c in dup_cols:
                P.add(name, c, M.DUPLICATE_COLUMN.format(column=c), M.DUPLICATE_COLUMN_FIX)
            clean[name] = _empty(name)
            continue
        raw_tables[name] = df
        parsed = _parse_table(name, df, P, limit)
        clean[name] = _empty(name) if parsed is None else parsed
        if parsed is not None:
            _duplicates(name, parsed, df, P)
        P.blank.clear()

    known = pd.Index(np.asarray(clean["pupils"]["upn"].dropna().unique(), dtype=object),
                     dtype=object)
    pupils_usable = "pupils" in raw_tables and len(clean["pupils"]) == len(raw_tables["pupils"])
    for name in REQUIRED:  # (without a usable pupils table this would flag every row)
        if pupils_usable and name != "pupils" and name in raw_tables and len(clean[name]):
            _unknown_pupils(name, clean[name], raw_tables[name], known, P)

    problems = P.frame()
    if len(problems):
        raise InputError(problems)

    sen = clean["sen"]
    set_aside = (sen["provision"] == "N").fillna(False).to_numpy(dtype=bool)
    clean["sen"] = sen[~set_aside]
    _warnings(clean, raw_tables, int(set_aside.sum()), W)

    n_given = len(clean["attendance"])
    marks = clean["attendance_marks"]
    if len(marks):
        agg = aggregate_marks(marks, class_index=getattr(P, "mark_class", None),
                              upn_codes=P.factors.get(("attendance_marks", "upn")))
        extra = [c for c in clean["attendance"].columns if c not in agg.columns]
        for c in extra:  # extra columns of given attendance rows are NA for mark rows
            agg[c] = pd.Series(pd.NA, index=agg.index, dtype=clean["attendance"][c].dtype)
        clean["attendance"] = pd.concat(
            [clean["attendance"] if n_given else None, agg], ignore_index=True)
    for name in clean:
        clean[name] = clean[name].reset_index(drop=True)
    return clean, W.frame(), {"n_attendance_given": n_given}


def summarise_problems(problems: pd.DataFrame, max_rows_per_kind: int = 5) -> str:
    """Return a readable summary of a problem (or warning) table, grouped by kind.

    Parameters
    ----------
    problems : pandas.DataFrame
        ``InputError.problems`` or the warnings from ``Records.validate``.
    max_rows_per_kind : int, default=5
        How many example rows to show for each kind of problem.

    Examples
    --------
    >>> p = pd.DataFrame({"table": ["pupils"] * 2, "row": [3, 7], "column": ["sex"] * 2,
    ...                   "value": ["X", "?"], "problem": ["unknown sex code"] * 2})
    >>> print(summarise_problems(p, max_rows_per_kind=1))
    2 problem(s) of 1 kind(s):
    <BLANKLINE>
    pupils.sex: unknown sex code (2 rows)
      row 3: 'X'
      ... and 1 more
    """
    if len(problems) == 0:
        return "No problems found."
    lines = [f"{len(problems)} problem(s) of "
             f"{problems.groupby(['table', 'column', 'problem'], dropna=False).ngroups} "
             "kind(s):"]
    for (table, column, problem), g in problems.groupby(
            ["table", "column", "problem"], dropna=False, sort=False):
        where = table if pd.isna(column) else f"{table}.{column}"
        lines.append("")
        lines.append(f"{where}: {problem} ({len(g)} row{'s' if len(g) != 1 else ''})")
        if "fix" in g.columns and pd.notna(g["fix"].iloc[0]):
            lines.append(f"  fix: {g['fix'].iloc[0]}")
        for r in g.head(max_rows_per_kind).itertuples():
            if r.row is None or (not isinstance(r.row, str) and pd.isna(r.row)):
                continue
            lines.append(f"  row {r.row}: {r.value!r}")
        if len(g) > max_rows_per_kind:
            lines.append(f"  ... and {len(g) - max_rows_per_kind} more")
    return "\n".join(lines)


__all__ = ["normalise", "summarise_problems", "aggregate_marks", "PROBLEM_COLUMNS"]
