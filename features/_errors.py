"""The error raised for unusable input records, and the problem table it carries."""

from __future__ import annotations

import pandas as pd

PROBLEM_COLUMNS = ["table", "row", "column", "value", "problem"]


def problem_frame(rows=None) -> pd.DataFrame:
    """Return a problem table with the standard columns.

    Parameters
    ----------
    rows : iterable of dict or DataFrame, optional
        Problems, each with the keys of ``PROBLEM_COLUMNS``.

    Examples
    --------
    >>> problem_frame([{"table": "pupils", "row": 3, "column": "sex", "value": "X",
    ...                 "problem": "unknown sex code"}]).shape
    (1, 5)
    """
    if rows is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})
    if isinstance(rows, pd.DataFrame):
        frame = rows
    else:
        frame = pd.DataFrame(list(rows))
    for c in PROBLEM_COLUMNS:
        if c not in frame.columns:
            frame[c] = None
    return frame[PROBLEM_COLUMNS + [c for c in frame.columns if c not in PROBLEM_COLUMNS]]


class InputError(ValueError):
    """Input records cannot be used as given.

    Every problem found is listed in :attr:`problems`, one row each, located to
    table, row (1-based data row of the file, or the DataFrame index) and column.

    Parameters
    ----------
    problems : pandas.DataFrame
        Columns ``table, row, column, value, problem``.
    message : str, optional
        A headline; by default a count of problems by table.

    Examples
    --------
    >>> err = InputError(problem_frame([{"table": "pupils", "row": 1, "column": "upn",
    ...                                  "value": "", "problem": "empty required value"}]))
    >>> isinstance(err, ValueError), len(err.problems)
    (True, 1)
    """

    def __init__(self, problems: pd.DataFrame, message: str | None = None):
        self.problems = problem_frame(problems).reset_index(drop=True)
        if message is None:
            n = len(self.problems)
            head = self.problems.head(10)
            lines = [
                f"  {r.table} row {r.row}, column {r.column!s}: {r.problem} (value: {r.value!r})"
                for r in head.itertuples()
            ]
            more = f"\n  ... and {n - len(head)} more" if n > len(head) else ""
            message = (
                f"{n} problem(s) in the input records; see InputError.problems for all of "
                "them:\n" + "\n".join(lines) + more
            )
        super().__init__(message)
