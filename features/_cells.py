"""Cells that hold no single value (lists, sets, dicts, undecodable bytes) in raw tables.

A DataFrame or a Parquet file can hold a list, a dict (a struct), a set or raw bytes in
a cell, where the input contract expects one text, number or date. Bytes that are UTF-8
text are read as that text; every other such cell of a schema column is a located
problem (table, row, column) and is treated as missing, so the parsers after it see
only plain values. Extra columns are kept as given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import _messages as M
from ._schema import BOOLEANS, SCHEMA

if TYPE_CHECKING:
    from ._problems import Problems

#: What ``pandas.api.types.infer_dtype`` calls a column of plain values only.
_PLAIN = {"string", "empty", "floating", "integer", "mixed-integer-float", "decimal",
          "boolean", "datetime", "datetime64", "date", "timedelta", "timedelta64", "time",
          "period", "categorical"}
_CONTAINERS = (list, tuple, set, frozenset, dict, np.ndarray)


def _kind(v: object) -> str | None:
    """Why ``v`` is not a single value, or None when it is one (bytes -> 'bytes')."""
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "bytes"
    if isinstance(v, _CONTAINERS):
        return type(v).__name__
    return None


def screen_cells(name: str, df: pd.DataFrame, P: Problems) -> pd.DataFrame:
    """Return ``df`` with odd cells of its schema columns reported to ``P`` and blanked.

    ``P.odd[(name, column)]`` keeps the row mask, so the same cells are not reported
    again as empty required values.
    """
    cols = [c for c in df.columns if c in SCHEMA[name]
            or (name == "pupils" and c in BOOLEANS)]
    out = None
    for c in cols:
        s = df[c]
        if s.dtype != object or pd.api.types.infer_dtype(s, skipna=True) in _PLAIN:
            continue
        values = s.to_numpy()
        kinds = [_kind(v) for v in values]
        if not any(kinds):
            continue
        fixed = values.copy()
        odd = np.zeros(len(values), dtype=bool)
        for i, k in enumerate(kinds):
            if k is None:
                continue
            if k == "bytes":
                try:
                    fixed[i] = bytes(values[i]).decode("utf-8")
                    continue
                except UnicodeDecodeError:
                    k = "bytes that are not UTF-8 text"
            fixed[i], odd[i] = None, True
            P.add(name, c, M.NOT_A_CELL.format(kind=k), M.NOT_A_CELL_FIX,
                  rows=[df.index[i]], values=[repr(values[i])[:80]])
        if out is None:
            out = df.copy(deep=False)
        out[c] = pd.Series(fixed, index=df.index, dtype=object)
        P.odd[(name, c)] = odd
    return df if out is None else out
