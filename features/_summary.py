"""A readable, grouped summary of a problem or warning table (for people and the CLI)."""

from __future__ import annotations

from typing import Any, cast

import pandas as pd


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
    for key, g in problems.groupby(["table", "column", "problem"], dropna=False, sort=False):
        table, column, problem = cast(tuple[Any, Any, Any], key)
        where = table if pd.isna(column) else f"{table}.{column}"
        lines.append("")
        lines.append(f"{where}: {problem} ({len(g)} row{'s' if len(g) != 1 else ''})")
        if "fix" in g.columns and pd.notna(g["fix"].iloc[0]):
            lines.append(f"  fix: {cast(str, g['fix'].iloc[0])}")
        for r in cast(Any, g.head(max_rows_per_kind)).itertuples():
            if r.row is None or (not isinstance(r.row, str) and pd.isna(r.row)):
                continue
            lines.append(f"  row {r.row}: {r.value!r}")
        if len(g) > max_rows_per_kind:
            lines.append(f"  ... and {len(g) - max_rows_per_kind} more")
    return "\n".join(lines)
