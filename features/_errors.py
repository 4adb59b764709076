"""The error raised for unusable input records, and the problem table it carries."""

from __future__ import annotations

import copyreg
from collections.abc import Iterable, Mapping
from typing import Any, cast

import pandas as pd

PROBLEM_COLUMNS = ["table", "row", "column", "value", "problem"]


def problem_frame(rows: Iterable[Mapping[str, Any]] | pd.DataFrame | None = None) -> pd.DataFrame:
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

    Every problem found is listed in ``problems``, one row each, located to
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

    def __init__(self, problems: pd.DataFrame, message: str | None = None) -> None:
        self.problems = problem_frame(problems).reset_index(drop=True)
        if message is None:
            message = _headline(self.problems)
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt without calling __init__ (whose arguments differ from ``args``), so
        # the error survives the trip back from a joblib or dask worker unchanged
        return (copyreg.__newobj__,  # type: ignore[attr-defined]  # not in typeshed
                (type(self), *self.args), self.__dict__)


def _headline(problems: pd.DataFrame, n_kinds: int = 8, n_rows: int = 10) -> str:
    """A data officer's summary: counts by kind, then the first problems."""
    n = len(problems)
    kinds = (problems.assign(column=problems["column"].astype(object).fillna("-"))
             .groupby(["table", "column", "problem"], sort=False, dropna=False).size())
    lines = [f"{n} problem(s) in the input records, of {len(kinds)} kind(s):"]
    for key, count in list(kinds.items())[:n_kinds]:
        table, column, problem = cast(tuple[Any, Any, Any], key)  # a 3-level MultiIndex key
        where = table if column == "-" else f"{table}.{column}"
        lines.append(f"  {count} x {where}: {problem}")
    if len(kinds) > n_kinds:
        lines.append(f"  ... and {len(kinds) - n_kinds} more kind(s)")
    lines.append("First problems:")
    for r in problems.head(n_rows).itertuples():
        where = f"{r.table}" if _missing(r.row) else f"{r.table} row {r.row}"
        col = "" if _missing(r.column) else f", column {r.column}"
        value = "" if _missing(r.value) else f" (value: {r.value!r})"
        lines.append(f"  {where}{col}: {r.problem}{value}")
    if n > n_rows:
        lines.append(f"  ... and {n - n_rows} more")
    lines.append("See InputError.problems for all of them (table, row, column, value, "
                 "problem, fix).")
    return "\n".join(lines)


def _missing(value: object) -> bool:
    """None, NaN, NaT or pd.NA (``pd.NA != pd.NA`` cannot be used as a bool)."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(cast(Any, value))))
