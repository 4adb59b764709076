"""The collector of located problems (and warnings) found while validating records."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._errors import problem_frame


class Problems:
    """Accumulates problem rows as small frames (vectorised)."""

    def __init__(self):
        self.chunks: list[pd.DataFrame] = []
        self.blank: dict = {}  # (table, column) -> row mask of blank values
        self.factors: dict = {}  # (table, column) -> (codes, distinct normalised values)
        self.odd: dict = {}  # (table, column) -> row mask of cells holding no single value
        self.unread_dates: dict = {}  # (table, column) -> text code of unread dates, or -1
        self.mark_class = None  # class index of each register mark, once classified

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
        """Add one problem per row of ``df`` where ``mask`` is true."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if values is None:
            values = df[column] if column in df.columns else None
        rows = np.flatnonzero(mask)
        if values is not None:  # only the failing rows become Python objects
            values = pd.Series(values, copy=False).iloc[rows].to_numpy(dtype=object)
        self.add(table, column, problem, fix, df.index[rows].to_numpy(dtype=object), values)

    def frame(self) -> pd.DataFrame:
        """All problems so far as one table (``table, row, column, value, problem, fix``)."""
        if not self.chunks:
            empty = problem_frame()
            empty["fix"] = pd.Series(dtype=object)
            return empty
        out = pd.concat(self.chunks, ignore_index=True)
        return out.astype({"row": object, "value": object})
