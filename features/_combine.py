"""Combine records from several sources, counting each record once."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import pandas as pd

from ._records import TABLES, Records

__all__ = ["concat_records", "DuplicateRecordsWarning", "RECORD_KEYS"]

#: Columns that identify one record in each table: rows sharing them are duplicates.
RECORD_KEYS = {
    "pupils": ("upn",),
    "enrolments": ("upn", "school", "entry_date"),
    "attendance": ("upn", "school", "period_start"),
    "attendance_marks": ("upn", "date", "session"),
    "suspensions": ("upn", "start_date", "category"),
    "sen": ("upn", "start_date", "provision"),
    "allocations": ("upn", "school", "start_date"),
    "episodes": ("upn", "kind", "start_date"),
}
_DATE_COLUMNS = {"date_of_birth", "entry_date", "leaving_date", "period_start", "period_end",
                 "date", "start_date", "end_date", "decided_date"}
# Same spellings as the input contract, so that "FIXD" and "suspension" are one key.
_CATEGORY = {"FIXD": "SUSPENSION", "LNCH": "SUSPENSION", "FIXED": "SUSPENSION",
             "PERM": "PERMANENT"}
_PROVISION = {"S": "E", "A": "K", "P": "K", "Q": "K"}
_DUPLICATE_COLUMNS = ["table", "key", "n_copies", "kind", "sources", "kept"]
_CONFLICT = ("{0} record(s) appear in several sources with different values; the last "
             "source's row was kept (see records.duplicates). Pass sources oldest first.")


class DuplicateRecordsWarning(UserWarning):
    """The same record came from two sources with different values."""


def _dates(s: pd.Series) -> pd.Series:
    """Parse one source's date column (ISO, else DD/MM/YYYY), as day timestamps."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.normalize().astype("datetime64[us]")
    txt = s.astype("string").str.strip().str.slice(0, 10)
    iso = pd.to_datetime(txt, format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(txt, format="%d/%m/%Y", errors="coerce")
    out = iso if iso.notna().sum() >= uk.notna().sum() else uk
    return out.astype("datetime64[us]")


def _parsed_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Parse date columns that parse completely, so sources in different formats mix.

    A column with any unparseable value is left as given, for validation to report.
    """
    out = frame.copy()
    for c in frame.columns:
        if c in _DATE_COLUMNS and not pd.api.types.is_datetime64_any_dtype(frame[c]):
            # pandas-stubs does not list pd.NA among replacement values
            given = frame[c].astype("string").str.strip().replace(  # type: ignore[call-overload]
                "", pd.NA)
            parsed = _dates(frame[c])
            if (parsed.notna() == given.notna()).all():
                out[c] = parsed
    return out


def _canon(frame: pd.DataFrame) -> pd.DataFrame:
    """Comparable string form of every column of one source's table."""
    out = {}
    for c in frame.columns:
        col = frame[c]
        if c in _DATE_COLUMNS:
            d = _dates(col)
            out[c] = d.dt.strftime("%Y-%m-%d").astype("string").fillna("")
        else:
            s = col.astype("string").str.strip().fillna("")
            if c != "upn":
                s = s.str.upper()
            if c == "category":
                s = s.replace(_CATEGORY)
            elif c == "provision":
                s = s.replace(_PROVISION)
            elif c in ("fsm", "eal", "looked_after"):
                s = s.replace({"1": "TRUE", "Y": "TRUE", "YES": "TRUE", "T": "TRUE",
                               "0": "FALSE", "N": "FALSE", "NO": "FALSE", "F": "FALSE"})
            else:
                s = s.str.replace(r"\.0$", "", regex=True)  # 12.0 == 12
            out[c] = s
    return pd.DataFrame(out, index=frame.index)


def _combine_table(name: str, frames: list[tuple[int, pd.DataFrame]],
                   names: list[str]) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    raw, canon = [], []
    for i, f in frames:
        f = f.reset_index(drop=True)
        canon.append(_canon(f).assign(_src=i))
        raw.append(_parsed_dates(f).assign(_src=i))
    all_raw = pd.concat(raw, ignore_index=True)
    all_canon = pd.concat(canon, ignore_index=True).fillna("")
    keys = [k for k in RECORD_KEYS[name] if k in all_canon.columns]
    report = []
    if keys and len(all_raw):
        has_key = (all_canon[keys] != "").all(axis=1) if "upn" in keys else None
        if has_key is None:
            has_key = pd.Series(True, index=all_canon.index)
        keyed = all_canon[has_key]
        dup = keyed.duplicated(keys, keep=False)
        values = [c for c in all_canon.columns if c not in keys and c != "_src"]
        for key, grp in keyed[dup].groupby(keys, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            kind = "exact" if not values or len(grp[values].drop_duplicates()) == 1 else "conflict"
            report.append(dict(
                table=name, key=", ".join(f"{k}={v}" for k, v in zip(keys, key)),
                n_copies=len(grp), kind=kind,
                sources="; ".join(names[s] for s in grp["_src"]),
                kept=names[grp["_src"].iloc[-1]]))
        if dup.any():
            # The kept (last) copy takes any value it lacks from the latest earlier copy.
            rows = keyed.index[dup]
            gid = keyed.loc[rows].groupby(keys, sort=False).ngroup()
            cols = [c for c in all_raw.columns if c != "_src"]
            filled = all_raw.loc[rows, cols].groupby(gid.to_numpy()).ffill()
            last = rows[~keyed.loc[rows].duplicated(keys, keep="last").to_numpy()]
            for c in cols:
                missing = all_raw.loc[last, c].isna() & filled.loc[last, c].notna()
                if missing.any():
                    all_raw.loc[missing.index[missing], c] = filled.loc[missing.index[missing], c]
        drop = keyed.index[keyed.duplicated(keys, keep="last")]
        all_raw = all_raw.drop(index=drop)
    return all_raw.drop(columns="_src").reset_index(drop=True), report


def concat_records(records_list: Sequence[Records], *,
                   names: Sequence[str] | None = None) -> Records:
    """Combine records from several sources, each record counted once.

    Tables are stacked; rows that describe the same record (same key, see
    ``RECORD_KEYS``, compared after parsing dates and codes, so ``FIXD`` on
    ``05/01/2024`` equals ``suspension`` on ``2024-01-05``) are kept once. When
    copies differ in other columns (a later export knows a leaving date), the copy
    from the **last** source in ``records_list`` is kept, any value missing from it
    is taken from the latest earlier copy that has one, and a
    :class:`DuplicateRecordsWarning` is issued. Duplicates inside one source are
    treated the same way.

    Parameters
    ----------
    records_list : list of Records
        Sources, oldest (least trusted) first.
    names : list of str, optional
        Names of the sources for the report and the combined ``source``; default
        each ``Records.source`` or ``"#i"``.

    Returns
    -------
    Records
        The combined raw tables (normalised on use, as any ``Records``), with
        ``extract_date`` the latest of the sources' and two extra attributes:
        ``duplicates``, a DataFrame ``table, key, n_copies, kind ('exact' or
        'conflict'), sources, kept`` listing every repeated record, and
        ``ctf_warnings`` (the sources' CTF notes, stacked).

    Notes
    -----
    Date columns are parsed per source (ISO, else ``DD/MM/YYYY``) before stacking,
    so sources in different date formats can be combined; a column with a value that
    does not parse is left as given for validation to report.

    Keys cannot match a daily mark against a termly total: do not give the same
    sessions as both ``attendance`` rows in one source and ``attendance_marks`` in
    another.

    Examples
    --------
    >>> import pandas as pd
    >>> susp = pd.DataFrame({"upn": ["P1"], "start_date": ["2024-01-05"],
    ...                      "category": ["FIXD"]})
    >>> a = Records(suspensions=susp, source="sims")
    >>> b = Records(suspensions=susp.assign(start_date="05/01/2024", category="suspension"),
    ...             source="la")
    >>> both = concat_records([a, b])
    >>> len(both.raw["suspensions"]), both.duplicates["kind"].tolist()
    (1, ['exact'])
    """
    records_list = list(records_list)
    if not all(isinstance(r, Records) for r in records_list):
        raise TypeError("concat_records takes a list of Records; wrap DataFrames in "
                        "Records(...) first.")
    explicit = names is not None
    if names is None:
        names = [r.source or f"#{i}" for i, r in enumerate(records_list)]
    names = [str(n) for n in names]
    tables: dict[str, pd.DataFrame | None] = {}
    report: list[dict[str, object]] = []
    for name in TABLES:
        frames = [(i, f) for i, r in enumerate(records_list)
                  if (f := r.raw.get(name)) is not None]
        if not frames:
            tables[name] = None
            continue
        tables[name], rep = _combine_table(name, frames, names)
        report.extend(rep)
    dates = [r.extract_date for r in records_list if r.extract_date is not None]
    sources = names if explicit else [r.source for r in records_list if r.source]
    out = Records(**tables, source="; ".join(sources) or None,
                  extract_date=max(dates) if dates else None)
    out.duplicates = pd.DataFrame(report, columns=_DUPLICATE_COLUMNS)
    notes = [getattr(r, "ctf_warnings", None) for r in records_list]
    notes = [n for n in notes if n is not None and len(n)]
    out.ctf_warnings = (pd.concat(notes, ignore_index=True) if notes
                        else pd.DataFrame(columns=["file", "element", "value", "problem"]))
    n_conflict = int((out.duplicates["kind"] == "conflict").sum())
    if n_conflict:
        warnings.warn(_CONFLICT.format(n_conflict), DuplicateRecordsWarning, stacklevel=2)
    return out
