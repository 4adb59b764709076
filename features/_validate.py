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

from typing import Any

import numpy as np
import pandas as pd

from . import _messages as M
from ._cells import screen_cells
from ._cohort import remember_pupil_codes
from ._errors import InputError
from ._integrity import duplicates, unknown_pupils_of
from ._marks import aggregate_marks
from ._plausibility import WARNED_TABLES, plausibility_warnings, table_warnings
from ._prefetch import Prefetch, table_columns
from ._problems import Problems
from ._schema import OPTIONAL, REQUIRED, empty_table
from ._tables import parse_table


def normalise(raw: dict[str, pd.DataFrame | None], extract_date: pd.Timestamp | None = None
              ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, dict[str, Any]]:
    """Return ``(clean_tables, warnings, meta)`` or raise :class:`InputError`.

    ``meta["n_attendance_given"]`` is the number of attendance rows given (rows after
    it were aggregated from marks).
    """
    P, W = Problems(), Problems()
    limit = (pd.Timestamp(extract_date) if extract_date is not None
             else pd.Timestamp.today().normalize())
    early: dict[str, Problems] = {}  # each table's warnings, found after its parse
    with Prefetch(table_columns(raw, REQUIRED)) as P.prefetch:
        try:
            clean, raw_tables = _parse_tables(raw, P, limit, early)
        finally:
            P.prefetch = None

    pupils_usable = "pupils" in raw_tables and len(clean["pupils"]) == len(raw_tables["pupils"])
    pupil_rows: dict[str, np.ndarray] = {}
    if pupils_usable:  # (without a usable pupils table this would flag every row)
        known = P.factors.get(("pupils", "upn"), (None, None))[1]  # distinct pupils
        if known is None:
            known = pd.Index(np.asarray(clean["pupils"]["upn"].dropna().unique(),
                                        dtype=object), dtype=object)
        pupil_rows = unknown_pupils_of(
            {name: (clean[name], raw_tables[name]) for name in REQUIRED
             if name != "pupils" and name in raw_tables and len(clean[name])}, known, P)
        if not _in_row_order(P.factors.get(("pupils", "upn"))):
            pupil_rows = {}  # positions in ``known`` are not pupils' rows

    problems = P.frame()
    if len(problems):
        raise InputError(problems)

    sen = clean["sen"]
    set_aside = (sen["provision"] == "N").fillna(False).to_numpy(dtype=bool)
    clean["sen"] = sen[~set_aside]
    if "sen" in pupil_rows:
        pupil_rows["sen"] = pupil_rows["sen"][~set_aside]
    plausibility_warnings(clean, raw_tables, int(set_aside.sum()), W, factors=P.factors,
                          done=early)

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
        pupil_rows.pop("attendance", None)  # rows added: matched on first use
    for name in clean:
        clean[name] = clean[name].reset_index(drop=True)
    # the pupils of every table's rows were found above: the census need not hash
    # the upns again (tens of millions of attendance rows at a large LA)
    remember_pupil_codes(clean["pupils"], {name: (clean[name], rows)
                                           for name, rows in pupil_rows.items()})
    return clean, W.frame(), {"n_attendance_given": n_given}


def _in_row_order(factors: tuple[Any, Any] | None) -> bool:
    """Whether factor codes number the rows 0, 1, 2, ... (distinct, none blank), so a
    position among the distinct values is a row."""
    if factors is None:
        return False
    codes = np.asarray(factors[0])
    return bool(len(codes) == len(factors[1])
                and np.array_equal(codes, np.arange(len(codes))))


def _parse_tables(raw: dict[str, pd.DataFrame | None], P: Problems, limit: pd.Timestamp,
                  early: dict[str, Problems] | None = None
                  ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Parse each table in turn: ``(clean tables, raw tables as checked)``.

    While no problem has been found, each table's warnings go into ``early[name]``
    as soon as it is parsed (so they are found while the next tables' text columns
    are still being hashed in the background).
    """
    clean: dict[str, pd.DataFrame] = {}
    raw_tables: dict[str, pd.DataFrame] = {}
    for name in REQUIRED:
        df = raw.get(name)
        if df is None:
            needed = name not in OPTIONAL and (
                name != "attendance" or raw.get("attendance_marks") is None)
            if needed:
                P.add(name, None, M.MISSING_TABLE.format(table=name),
                      M.MISSING_TABLE_FIX.format(table=name, columns=", ".join(REQUIRED[name])))
            clean[name] = empty_table(name)
            continue
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"Table '{name}' must be a pandas DataFrame, got "
                            f"{type(df).__name__}. Use load_records(folder) for files.")
        df = df.rename(columns=lambda c: str(c).strip())
        dup_cols = df.columns[df.columns.duplicated()].unique()
        if len(dup_cols):
            for c in dup_cols:
                P.add(name, c, M.DUPLICATE_COLUMN.format(column=c), M.DUPLICATE_COLUMN_FIX)
            clean[name] = empty_table(name)
            continue
        df = screen_cells(name, df, P)
        raw_tables[name] = df
        parsed = parse_table(name, df, P, limit)
        clean[name] = empty_table(name) if parsed is None else parsed
        if parsed is not None:
            duplicates(name, parsed, df, P)
            if early is not None and name in WARNED_TABLES and not (P.chunks or P.unlisted):
                early[name] = Problems()
                table_warnings(name, parsed, df, early[name], P.factors)
        P.blank.clear()
    return clean, raw_tables


__all__ = ["normalise"]
