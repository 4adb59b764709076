"""Parse text, code, yes/no and number columns of raw tables, reporting bad values.

Every parser factorises the column first, so each distinct value is cleaned and
checked once, and problems are spread back to rows by their factor codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from . import _messages as M
from ._arrow_integers import integer_column
from ._codes import BOOLEAN_SPELLINGS
from ._prefetch import factorize
from ._schema import na_column

if TYPE_CHECKING:
    from ._problems import Problems


def factor(s: pd.Series, with_clean: bool = False, P: Problems | None = None,
           key: tuple[str, str] | None = None) -> Any:
    """Factorise ``s``; return codes and its distinct values as stripped strings.

    Blank values (NA, empty or whitespace) get code -1, so ``codes == -1`` marks
    the blank rows. With ``with_clean``, also return whether ``s`` is text with no
    blanks and nothing to strip. ``s`` is the column ``key`` (table, column) parsed
    for ``P``, whose :class:`~._prefetch.Prefetch` may have factorised it already.
    """
    codes, txt, clean, _ = _factor(s, P, key)
    return (codes, txt, clean) if with_clean else (codes, txt)


def _factor(s: pd.Series, P: Problems | None = None, key: tuple[str, str] | None = None
            ) -> tuple[np.ndarray, pd.Series, bool, bool]:
    """:func:`factor` with both flags: ``clean``, and ``distinct`` (stripping changed no
    value, so the stripped values are as distinct as the factorised ones were)."""
    prefetch = getattr(P, "prefetch", None)
    codes, uniques = (factorize(s) if prefetch is None else prefetch.factorize(key, s))
    clean = distinct = False
    if pd.api.types.is_float_dtype(uniques.dtype):  # 1.0 -> "1"
        as_int = np.isfinite(uniques) & (np.mod(uniques, 1) == 0)
        txt = pd.Series([str(int(v)) if i else str(v) for v, i in zip(uniques, as_int)],
                        dtype="string")
    else:
        if isinstance(uniques.dtype, pd.StringDtype) and uniques.dtype.storage == "pyarrow":
            # Arrow text (a Parquet or CSV read): cast, no Python string per value
            orig = pd.Series(uniques.array, copy=False).astype("string")
        else:
            orig = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype("string")
        txt = orig.str.strip()
        distinct = bool((txt == orig).all())
        clean = (pd.api.types.is_string_dtype(s.dtype) and s.dtype != object
                 and not (codes == -1).any() and distinct)
    blank = (txt.isna() | (txt == "")).to_numpy(dtype=bool)
    if blank.any():
        clean = False
        keep = np.flatnonzero(~blank)
        remap = np.full(len(txt) + 1, -1, dtype=np.intp)
        remap[keep] = np.arange(len(keep))
        codes = remap[codes]
        txt = txt.iloc[keep].reset_index(drop=True)
    return codes, txt, clean, distinct


def canonical(codes, txt, distinct=False):
    """Re-code so that equal normalised values share one code.

    ``distinct`` says the values of ``txt`` are known to differ (nothing to merge).
    The distinct values are returned as an index of ``string`` dtype.
    """
    if not distinct:
        canon, uniq = pd.factorize(txt)
        if len(uniq) < len(txt):
            lut = np.append(canon, -1)
            return lut[codes], pd.Index(pd.array(uniq, dtype="string"), copy=False)
    # normalising merged nothing: codes are already canonical
    return codes, pd.Index(pd.array(txt, dtype="string"), copy=False)


def take(values: Any, codes: np.ndarray, dtype: Any) -> ExtensionArray | np.ndarray:
    arr = pd.array(values, dtype=dtype)
    return pd.api.extensions.take(arr, codes, allow_fill=True)


def text_column(df: pd.DataFrame, col: str, upper: bool = False, lower: bool = False,
                P: Problems | None = None, table: str | None = None) -> pd.Series:
    """Return column ``col`` as stripped ``string`` dtype (blank -> NA)."""
    raw = df[col]
    codes, txt, clean, distinct = _factor(raw, P, (str(table), col))
    before = txt
    if upper:
        txt = txt.str.upper()
    if lower:
        txt = txt.str.lower()
    if P is not None:
        P.blank[(table, col)] = codes == -1
        # changing case may merge values; when it changed none they stay distinct
        distinct = distinct and (txt is before or bool((txt == before).all()))
        P.factors[(table, col)] = canonical(codes, txt, distinct)
    return rebuild(raw, codes, txt, before, col, clean)


def rebuild(raw: pd.Series, codes: np.ndarray, txt: pd.Series, before: pd.Series, col: str,
            clean: bool) -> pd.Series:
    """Rows of ``txt`` by ``codes`` as ``string``; reuse the raw column when unchanged."""
    if clean and txt.equals(before):  # already clean text: a cast, no copy
        return raw.astype("string").rename(col)
    return pd.Series(take(txt, codes, "string"), index=raw.index, name=col, copy=False)


def rows_in(codes: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """Row mask of rows whose factor code is one of the distinct-value indices ``bad``."""
    lut = np.zeros(int(codes.max(initial=-1)) + 2, dtype=bool)
    lut[np.asarray(bad, dtype=np.int64)] = True
    return lut[codes]  # code -1 -> last entry, False


def coded(df: pd.DataFrame, col: str, table: str, mapping: Mapping[str, Any], what: str,
          P: Problems, allowed: str | None = None, dtype: str = "string") -> pd.Series:
    """Map spellings (stripped, upper-cased) through ``mapping``; report unknown ones."""
    raw = df[col]
    codes, txt, clean = factor(raw, with_clean=True, P=P, key=(table, col))
    P.blank[(table, col)] = codes == -1
    key = txt.str.upper()
    mapped = key.map(mapping)
    bad = np.flatnonzero(mapped.isna().to_numpy())
    if len(bad):
        mask = rows_in(codes, bad)
        P.add_mask(table, col, df, mask, M.UNKNOWN_CODE.format(what=what),
                   M.UNKNOWN_CODE_FIX.format(allowed=allowed or ", ".join(sorted(mapping))))
    if dtype == "string":
        mapped_txt = mapped.astype("string")
        P.factors[(table, col)] = canonical(codes, mapped_txt)
        if not len(bad):
            return rebuild(raw, codes, mapped_txt, txt, col, clean)
    values: ExtensionArray = pd.array(mapped.astype(object).where(mapped.notna(), None).tolist(),
                                      dtype=dtype)
    return pd.Series(pd.api.extensions.take(values, codes, allow_fill=True),
                     index=df.index, name=col, copy=False)


def booleans(df: pd.DataFrame, col: str, table: str, P: Problems) -> pd.Series:
    s = df[col]
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("boolean")
    if pd.api.types.is_numeric_dtype(s.dtype):
        ok = s.isna() | s.isin([0, 1])
        P.add_mask(table, col, df, ~ok.to_numpy(), M.UNKNOWN_CODE.format(what="boolean"),
                   M.UNKNOWN_CODE_FIX.format(allowed="1/0, true/false, Y/N, yes/no"))
        return (s.where(ok) == 1).astype("boolean").mask(s.isna() | ~ok)
    return coded(df, col, table, BOOLEAN_SPELLINGS, "boolean", P,
                  allowed="1/0, true/false, Y/N, yes/no (any case)", dtype="boolean")


def numbers(df: pd.DataFrame, col: str, table: str, P: Problems,
            whole: bool = False) -> pd.Series:
    """Parse a number column; ``whole`` numbers only (session counts) when asked.

    Typed columns pass through, but an infinite value is reported (as the same value
    written as text is), and so is a fraction where whole numbers are required. Arrow
    text of plain integers only is read by Arrow's cast (:func:`~._arrow_integers.
    integer_column`); any other text is factorised and each distinct value parsed.
    """
    s = df[col]
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        out = s.astype("float64")
        if pd.api.types.is_integer_dtype(s.dtype):  # whole and finite by its type
            return out
        v = out.to_numpy()
        P.add_mask(table, col, df, np.isinf(v), M.NOT_FINITE, M.NOT_FINITE_FIX)
        if whole:
            P.add_mask(table, col, df, np.isfinite(v) & (v != np.floor(v)),
                       M.NOT_WHOLE_COUNT, M.NOT_WHOLE_COUNT_FIX)
        return out
    plain = integer_column(s)  # plain integers (session counts): no factorising needed
    if plain is not None:
        values, P.blank[(table, col)] = plain
        return pd.Series(values, index=df.index, name=col, copy=False)
    codes, txt = factor(s, P=P, key=(table, col))
    P.blank[(table, col)] = codes == -1
    num = pd.to_numeric(txt, errors="coerce").astype("float64")
    u = num.to_numpy()
    bad = np.flatnonzero(num.isna().to_numpy() | np.isinf(u))
    if len(bad):
        P.add_mask(table, col, df, rows_in(codes, bad), M.NOT_A_NUMBER, M.NOT_A_NUMBER_FIX)
    if whole:
        frac = np.flatnonzero(np.isfinite(u) & (u != np.floor(u)))
        if len(frac):
            P.add_mask(table, col, df, rows_in(codes, frac), M.NOT_WHOLE_COUNT,
                       M.NOT_WHOLE_COUNT_FIX)
    vals = np.append(u, np.nan)
    return pd.Series(vals[codes], index=df.index, name=col, copy=False)


def optional_text(raw: pd.DataFrame, col: str, table: str, P: Problems, upper: bool = False,
                  lower: bool = False) -> pd.Series:
    if col not in raw.columns:
        return na_column(raw, "string")
    return text_column(raw, col, upper=upper, lower=lower, P=P, table=table)
