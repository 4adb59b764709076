"""The collector of located problems (and warnings) found while validating records."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._errors import problem_frame

#: At most this many rows are listed for one kind of problem (one table, column and
#: problem text); the rest are counted in one more row, so a file that is wrong on every
#: row still gives a table a person can read, in bounded time and memory.
MAX_ROWS_PER_PROBLEM = 1_000
MORE_ROWS = "{n:,} more row(s) with this problem, not listed: {problem}"
MORE_ROWS_FIX = ("Only the first {most:,} rows of each problem are listed; fix the cause "
                 "(often one column's format) and validate again.")


class Problems:
    """Accumulates problem rows as small frames (vectorised).

    Each kind of problem (table, column, problem text) lists at most
    :data:`MAX_ROWS_PER_PROBLEM` rows; :meth:`frame` adds one row per kind that had
    more, with the count of the rest.
    """

    def __init__(self):
        self.listed: dict = {}  # (table, column, problem) -> rows listed so far
        self.unlisted: dict = {}  # (table, column, problem) -> rows counted, not listed
        self.fixes: dict = {}
        self.chunks: list[pd.DataFrame] = []
        self.blank: dict = {}  # (table, column) -> row mask of blank values
        self.factors: dict = {}  # (table, column) -> (codes, distinct normalised values)
        self.odd: dict = {}  # (table, column) -> row mask of cells holding no single value
        self.unread_dates: dict = {}  # (table, column) -> text code of unread dates, or -1
        self.mark_class = None  # class index of each register mark, once classified
        self.prefetch = None  # the table's text columns factorised ahead, while parsing

    def add(self, table, column, problem, fix, rows=None, values=None):
        """Add one problem per row label in ``rows`` (or one table-level problem)."""
        if rows is None:
            rows, values = [None], [None]
        rows = np.asarray(rows, dtype=object)
        if len(rows) == 0:
            return
        if values is None:
            values = [None] * len(rows)
        room = self._room(table, column, problem, fix, len(rows))
        if room < len(rows):
            rows, values = rows[:room], list(values)[:room]
            if room == 0:
                return
        values = np.asarray(pd.Series(values, dtype=object).to_numpy(), dtype=object)
        self.chunks.append(pd.DataFrame({
            "table": table, "row": rows, "column": column, "value": values,
            "problem": problem, "fix": fix,
        }))

    def extend(self, other: "Problems") -> None:
        """Add ``other``'s rows after these, as if they had been added here in turn.

        ``other`` must hold only kinds of problem (table, column, problem) this one
        has none of, such as another table's.
        """
        assert not set(other.listed) & set(self.listed), "kinds of problem overlap"
        self.chunks.extend(other.chunks)
        self.listed.update(other.listed)
        self.unlisted.update(other.unlisted)
        self.fixes.update(other.fixes)

    def add_mask(self, table, column, df, mask, problem, fix, values=None):
        """Add one problem per row of ``df`` where ``mask`` is true."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if values is None:
            values = df[column] if column in df.columns else None
        rows = np.flatnonzero(mask)
        key = (table, column, problem)
        room = MAX_ROWS_PER_PROBLEM - self.listed.get(key, 0)
        if len(rows) > room:  # count the rest, materialise only what is listed
            self._room(table, column, problem, fix, len(rows) - max(room, 0), listed=False)
            rows = rows[:max(room, 0)]
            if len(rows) == 0:
                return
        if values is not None:  # only the failing rows become Python objects
            values = pd.Series(values, copy=False).iloc[rows].to_numpy(dtype=object)
        self.add(table, column, problem, fix, df.index[rows].to_numpy(dtype=object), values)

    def _room(self, table: str, column: str | None, problem: str, fix: str, n: int,
              listed: bool = True) -> int:
        """How many of ``n`` new rows of a kind may still be listed (the rest counted)."""
        key = (table, column, problem)
        done = self.listed.get(key, 0)
        room = max(0, MAX_ROWS_PER_PROBLEM - done) if listed else 0
        take = min(n, room)
        self.listed[key] = done + take
        if n > take:
            self.unlisted[key] = self.unlisted.get(key, 0) + n - take
            self.fixes[key] = fix
        return take

    def frame(self) -> pd.DataFrame:
        """All problems so far as one table (``table, row, column, value, problem, fix``)."""
        if self.unlisted:
            more = [dict(table=t, row=None, column=c, value=None,
                         problem=MORE_ROWS.format(n=n, problem=p),
                         fix=MORE_ROWS_FIX.format(most=MAX_ROWS_PER_PROBLEM))
                    for (t, c, p), n in self.unlisted.items()]
            chunks = self.chunks + [pd.DataFrame(more)]
            return pd.concat(chunks, ignore_index=True).astype({"row": object,
                                                                 "value": object})
        if not self.chunks:
            empty = problem_frame()
            empty["fix"] = pd.Series(dtype=object)
            return empty
        out = pd.concat(self.chunks, ignore_index=True)
        return out.astype({"row": object, "value": object})
