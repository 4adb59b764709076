"""Factorise the text columns of a large table ahead of use, in a background thread.

Hashing text (``pandas.factorize`` of Arrow strings, one pass per column) is the
largest single cost of parsing a big table, and Arrow does it without holding the
GIL. While the parsers work on one column, a second thread factorises the next ones,
so on a machine with two cores or more the hashing and the rest of the parsing
overlap. The result of ``pandas.factorize`` does not depend on when or where it runs,
so what the parsers see is unchanged; a column asked for out of order, or changed
since the table was given, is simply factorised on the spot.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

#: Tables with fewer rows are factorised on the spot (a thread costs more than it saves).
MIN_ROWS = 200_000
#: Columns factorised ahead of the one in use, at most (each holds its codes in memory).
AHEAD = 2


def factorize(s: pd.Series) -> tuple[np.ndarray, Any]:
    """``pandas.factorize`` with blanks (NA) coded -1, as every parser uses it."""
    return pd.factorize(s, use_na_sentinel=True)


def _is_arrow_text(s: pd.Series) -> bool:
    return isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"


class Prefetch:
    """Factorises ``columns`` of ``df`` (Arrow text only) in that order, ``AHEAD`` at a time.

    Use as a context manager: leaving it waits for (or cancels) the work still queued.
    :meth:`factorize` gives the result of :func:`factorize` for a column.
    """

    def __init__(self, df: pd.DataFrame, columns: list[str]):
        self._todo = []
        if len(df) >= MIN_ROWS and (os.cpu_count() or 1) > 1:
            seen = set()
            for c in columns:
                if c in df.columns and c not in seen and _is_arrow_text(df[c]):
                    seen.add(c)
                    self._todo.append((c, df[c]))
        self._pool = ThreadPoolExecutor(max_workers=1) if self._todo else None
        self._pending: dict[str, tuple[pd.Series, Future]] = {}
        self._done: set[str] = set()
        self._next = 0
        self._fill()

    def _fill(self) -> None:
        while self._pool is not None and len(self._pending) < AHEAD \
                and self._next < len(self._todo):
            col, s = self._todo[self._next]
            self._next += 1
            if col not in self._done:
                self._pending[col] = (s, self._pool.submit(factorize, s))

    def factorize(self, col: str | None, s: pd.Series) -> tuple[np.ndarray, Any]:
        """:func:`factorize` of ``s``, column ``col`` of the table, from the thread if queued."""
        if col is not None and col in self._pending:
            queued, future = self._pending.pop(col)
            self._fill()
            if queued.array is s.array:  # the very column queued, not a changed one
                return future.result()
        if col is not None:
            self._done.add(col)
        return factorize(s)

    def __enter__(self) -> "Prefetch":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            for _, future in self._pending.values():
                future.cancel()
            self._pool.shutdown(wait=True)
            self._pending.clear()
            self._pool = None
