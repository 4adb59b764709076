"""Factorise the text columns of large tables ahead of use, in a background thread.

Hashing text (``pandas.factorize`` of Arrow strings, one pass per column) is the
largest single cost of parsing big tables, and Arrow does it without holding the GIL.
While the parsers work on one column (or table), a second thread factorises the next
ones, in the order the parsers will ask for them, so on a machine with two cores or
more the hashing and the rest of the parsing overlap. The result of
``pandas.factorize`` does not depend on when or where it runs, so what the parsers see
is unchanged; a column asked for out of order, or changed since it was queued, is
simply factorised on the spot.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

#: Tables with fewer rows are factorised on the spot (a thread costs more than it saves).
MIN_ROWS = 200_000
#: Rows of the columns factorised ahead and not yet used, at most (their codes are held
#: in memory, 8 bytes a row); one column is always allowed.
AHEAD_ROWS = 16_000_000

Key = tuple[str, str]


def factorize(s: pd.Series) -> tuple[np.ndarray, Any]:
    """``pandas.factorize`` with blanks (NA) coded -1, as every parser uses it."""
    return pd.factorize(s, use_na_sentinel=True)


def _arrow(s: pd.Series) -> Any:
    """The Arrow data behind an Arrow text column (immutable: equal identity, equal
    values), or ``None`` for any other column."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        return s.array.__arrow_array__()
    return None


class Prefetch:
    """Factorises the Arrow text columns of ``columns`` (``(table, column) -> Series``, in
    the order they will be used) ahead of use, at most :data:`AHEAD_ROWS` rows ahead.

    Use as a context manager: leaving it cancels what is still queued and waits for the
    column in progress. :meth:`factorize` gives :func:`factorize` of a column.
    """

    def __init__(self, columns: dict[Key, pd.Series]):
        self._todo = [(k, s, a) for k, s in columns.items()
                      if len(s) >= MIN_ROWS and (a := _arrow(s)) is not None]
        use = bool(self._todo) and (os.cpu_count() or 1) > 1
        self._pool = ThreadPoolExecutor(max_workers=1) if use else None
        self._pending: dict[Key, tuple[Any, int, Future]] = {}
        self._done: set[Key] = set()
        self._next = 0
        self._fill()

    def _fill(self) -> None:
        while self._pool is not None and self._next < len(self._todo):
            key, s, arrow = self._todo[self._next]
            ahead = sum(n for _, n, _ in self._pending.values())
            if self._pending and ahead + len(s) > AHEAD_ROWS:
                return
            self._next += 1
            if key not in self._done:
                self._pending[key] = (arrow, len(s), self._pool.submit(factorize, s))

    def factorize(self, key: Key | None, s: pd.Series) -> tuple[np.ndarray, Any]:
        """:func:`factorize` of ``s``, the column ``key`` (table, column), from the
        thread when it was queued and is unchanged."""
        if key is not None and key in self._pending:
            arrow, _, future = self._pending.pop(key)
            self._fill()
            if arrow is not None and arrow is _arrow(s):  # the very column queued
                return future.result()
        if key is not None:
            self._done.add(key)
        return factorize(s)

    def __enter__(self) -> "Prefetch":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pending.clear()
            self._pool = None


def parse_order(name: str, columns: Any) -> list[str]:
    """Those of ``columns`` that table ``name``'s parsers factorise, in the order they do.

    Number columns are left out: a column of plain integers is read without
    factorising (and any other is factorised on the spot).
    """
    from ._schema import BOOLEANS, COUNTS, DATES, SCHEMA

    order = ["upn", *DATES[name], *SCHEMA[name], *(BOOLEANS if name == "pupils" else ())]
    numbers = {*COUNTS, "sessions"}
    return [c for c in dict.fromkeys(order) if c in set(columns) and c not in numbers]


def table_columns(raw: dict[str, Any], names: Any) -> dict[Key, pd.Series]:
    """The columns of the tables ``names`` of ``raw`` in the order they are parsed, by
    their stripped names (tables whose stripped names repeat are left out)."""
    out: dict[Key, pd.Series] = {}
    for name in names:
        df = raw.get(name)
        if not isinstance(df, pd.DataFrame):
            continue
        stripped = [str(c).strip() for c in df.columns]
        if len(set(stripped)) < len(stripped):
            continue
        by_name = dict(zip(stripped, range(len(stripped))))
        for c in parse_order(name, stripped):
            out[(name, c)] = df.iloc[:, by_name[c]]
    return out
