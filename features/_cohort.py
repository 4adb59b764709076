"""The screened cohort at a census date, and the records known at that date.

Time rules (input contract): an enrolment is known at census ``T`` when
``entry_date < T``; a pupil is on roll at ``T`` when some enrolment has
``entry_date < T`` and (``leaving_date`` blank or ``leaving_date >= T``). A leaving
date on or after ``T`` is not yet known at ``T``, so it is blanked before any feature
sees it. The cohort is every pupil on roll whose year group at ``T`` is in
``year_groups``; nobody is dropped for missing history.

Main school rule (dual registration): among a pupil's registrations on roll at
``T``, the main school is a non-AP registration (``phase`` other than ``'ap'``;
blank phase counts as non-AP) if there is one; ties go to the latest
``entry_date``, then to the smallest school identifier so the choice is
deterministic. A pupil registered only in AP has the AP setting as main school.

Speed: each table's upns are matched to the pupils table once and the integer
codes cached for as long as the table object lives, so building several censuses
from one ``Records`` hashes the strings only once. The latest few censuses built
from a pair of tables are kept too (a screen asks for the same census for its
features, its audit groups and its outcomes), and callers share them: a
:class:`Census` is read, never changed. The normalised tables must therefore not
be modified in place after first use (``Records`` never does).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._dates import day, days, to_census_date, year_group
from ._known import end_as_known, known
from ._typing import DateLike

if TYPE_CHECKING:
    from ._records import Records

_BAD_YEAR_GROUPS = (
    "year_groups must be a non-empty sequence of whole numbers such as (5, 6, 7); "
    "got {!r}."
)


_CACHE: dict[tuple[int, Hashable], tuple[weakref.ref[Any], Any]] = {}
#: Censuses kept per pair of pupils and enrolments tables (the latest used).
_CENSUSES_KEPT = 4


def _cached(key_obj: Any, name: Hashable, compute: Callable[[], Any]) -> Any:
    """Memoise ``compute()`` per live object (tables are re-used across censuses)."""
    key = (id(key_obj), name)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is key_obj:
        return hit[1]
    value = compute()
    _CACHE[key] = (weakref.ref(key_obj, lambda _: _CACHE.pop(key, None)), value)
    return value


def _arrow(values, combine=True):
    """``values`` as one pyarrow array (as chunks unless ``combine``), or None when that is
    not possible."""
    try:
        arr = pa.array(pd.Series(values, copy=False).array)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if combine and isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else None


def _lookup(index: pd.Index, upn: pd.Series) -> np.ndarray:
    """``index.get_indexer(upn)`` for unique string ``index``, fast on large tables.

    Hashing the upn strings is the dominant cost on large tables. Arrow's
    ``index_in`` avoids converting them to Python objects (about 3x faster), and
    since exports are usually grouped by pupil, each run of equal neighbours is
    looked up once (about 10x fewer lookups).
    """
    arr = _arrow(upn, combine=False) if len(upn) > 50_000 else None  # chunks: no copy
    values = _arrow(index) if arr is not None else None
    if arr is None or values is None or values.type != arr.type:
        return index.get_indexer(pd.Index(upn)).astype(np.int64)
    heads = np.ones(len(arr), dtype=bool)
    heads[1:] = pc.fill_null(pc.not_equal(arr[1:], arr[:-1]), True).to_numpy(
        zero_copy_only=False)
    grouped = heads.sum() < 0.5 * len(heads)
    probe = arr.filter(pa.array(heads)) if grouped else arr
    found = pc.fill_null(pc.index_in(probe, value_set=values), -1)
    found = found.to_numpy(zero_copy_only=False).astype(np.int64)
    return found[np.cumsum(heads) - 1] if grouped else found


def pupil_codes(pupils: pd.DataFrame, table: pd.DataFrame) -> np.ndarray:
    """Row of each ``table`` row's pupil in ``pupils`` (-1 when unknown), cached."""
    index = _cached(pupils, "index", lambda: pd.Index(pupils["upn"]).drop_duplicates())
    ref, codes = _cached(table, ("codes", id(pupils)),
                         lambda: (weakref.ref(pupils), _lookup(index, table["upn"])))
    if ref() is not pupils:  # a new pupils table that happens to reuse an old id
        _CACHE.pop((id(table), ("codes", id(pupils))), None)
        return pupil_codes(pupils, table)
    return codes


def remember_pupil_codes(pupils: pd.DataFrame, tables: dict[str, tuple[pd.DataFrame, Any]]
                         ) -> None:
    """Keep rows' pupils already found (by validation) for :func:`pupil_codes`.

    ``pupils`` has one row per upn (a validated pupils table); each ``(table, rows)``
    of ``tables`` gives, for every row of ``table``, the row of its pupil in
    ``pupils`` (-1 when unknown), as :func:`pupil_codes` would find it. Lengths that
    do not match are skipped (the lookup is simply done on first use).
    """
    if len(pupils) == 0:
        return
    index = pd.Index(pupils["upn"])
    _CACHE.pop((id(pupils), "index"), None)
    _cached(pupils, "index", lambda: index)  # unique: its own drop_duplicates
    for table, given in tables.values():
        rows: np.ndarray = np.asarray(given, dtype=np.int64)
        if len(rows) != len(table):
            continue
        name = ("codes", id(pupils))
        _CACHE.pop((id(table), name), None)
        kept = (weakref.ref(pupils), rows)
        _cached(table, name, lambda: kept)


@dataclass(frozen=True)
class Census:
    """The cohort at one census date and the enrolments known then.

    Attributes
    ----------
    as_of : pandas.Timestamp
        The census date ``T``.
    t : float
        ``T`` in days since 1970-01-01.
    upns : pandas.Index
        The cohort, sorted, named ``upn``.
    frame : pandas.DataFrame
        Indexed like ``upns``: ``school``, ``year_group``, ``main_phase``,
        ``main_entry`` (days), ``n_on_roll`` (schools on roll at ``T``),
        ``in_ap`` (any registration on roll at ``T`` is AP).
    enrolments : pandas.DataFrame
        Cohort enrolments known at ``T`` (``entry_date < T``) with ``pos`` (row in
        ``upns``), ``school``, ``phase``, ``is_ap``, ``entry`` and ``leave`` (days;
        leaving dates on or after ``T`` blanked).
    on_roll_all : pandas.DataFrame
        ``pupil`` (code), ``school`` of every registration (any year group) on roll
        at ``T``.
    roll_12m : pandas.DataFrame
        ``pupil`` (code), ``school`` of every registration (any year group) on roll
        at some time in ``[T - 12m, T)``: ``entry_date < T`` and no leaving date
        before ``T - 12m``; used for school-level rates.
    """

    as_of: pd.Timestamp
    t: float
    upns: pd.Index
    frame: pd.DataFrame
    enrolments: pd.DataFrame
    on_roll_all: pd.DataFrame
    pupils: pd.DataFrame
    lookup: np.ndarray  # pupil code -> cohort row, with lookup[-1] == -1
    members: np.ndarray  # cohort row -> pupil code
    roll_12m: pd.DataFrame | None = None

    def pupil_rows(self) -> pd.DataFrame:
        """The cohort's rows of the pupils table (first row per upn), in cohort order."""
        p = self.pupils
        index = _cached(p, "index", lambda: pd.Index(p["upn"]).drop_duplicates())
        if len(index) == len(p):  # upns unique (hashed once per table, not per call)
            return p.iloc[self.members]
        return p.drop_duplicates("upn").iloc[self.members]

    def positions(self, table: pd.DataFrame) -> np.ndarray:
        """Cohort row of each row of ``table`` (by its ``upn``), -1 outside the cohort."""
        return self.lookup[pupil_codes(self.pupils, table)]

    @property
    def n(self) -> int:
        """Number of pupils in the cohort."""
        return len(self.upns)


def check_year_groups(year_groups: Any) -> tuple[int, ...]:
    """Validate ``year_groups`` and return it as a tuple of ints.

    Examples
    --------
    >>> check_year_groups([5, 6])
    (5, 6)
    """
    if isinstance(year_groups, (int, np.integer)):
        year_groups = (year_groups,)
    try:
        out = tuple(int(y) for y in year_groups)
        ok = len(out) > 0 and all(float(y) == int(y) for y in year_groups)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(_BAD_YEAR_GROUPS.format(year_groups))
    return out


def build_census(records: Records, as_of: DateLike,
                 year_groups: Sequence[int] = (5, 6, 7)) -> Census:
    """Return the :class:`Census` of ``records`` at ``as_of``.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A", "B"], "date_of_birth": ["2013-05-01",
    ...                          "2013-06-01"], "sex": ["M", "F"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A", "B"], "school": ["S1", "S1"],
    ...                              "entry_date": ["2019-09-01", "2023-10-05"]}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]))
    >>> list(build_census(rec, "2023-10-05").upns)  # B enters on the census day
    ['A']
    """
    T = to_census_date(as_of)
    years = check_year_groups(year_groups)
    pupils = records.pupils
    enr = records.enrolments
    # a screen needs the same census for its features, its audit groups and the
    # outcome of the recent cohort: build each one once per pair of tables
    ref, recent = _cached(enr, ("censuses", id(pupils)),
                          lambda: (weakref.ref(pupils), OrderedDict()))
    if ref() is not pupils:  # a new pupils table that happens to reuse an old id
        _CACHE.pop((id(enr), ("censuses", id(pupils))), None)
        return build_census(records, as_of, year_groups)
    key = (T, years)
    if key not in recent:
        recent[key] = _build_census(pupils, enr, T, years)
        while len(recent) > _CENSUSES_KEPT:
            recent.popitem(last=False)
    recent.move_to_end(key)
    return recent[key]


#: The dtype pandas gives a column of Python strings (``str`` in pandas 3).
_INFERRED_TEXT = pd.Series(["text"]).dtype


def _texts(values: pd.Series, mask: np.ndarray) -> Any:
    """``values[mask]`` as the column that ``values[mask].to_numpy()`` would make.

    A ``string`` column is cast as a whole instead of turned into Python strings and
    inferred back, which costs most of a census build at a million enrolments.
    """
    if isinstance(values.dtype, pd.StringDtype):
        return values.array[mask].astype(_INFERRED_TEXT)
    return values[mask].to_numpy()


def _build_census(pupils: pd.DataFrame, enr: pd.DataFrame, T: pd.Timestamp,
                  years: tuple[int, ...]) -> Census:
    """The :class:`Census` of ``pupils`` and ``enrolments`` at ``T`` (not cached)."""
    t = day(T)
    index = _cached(pupils, "index", lambda: pd.Index(pupils["upn"]).drop_duplicates())
    # rows of ``index`` are the first row of each upn (duplicates are a validation error)
    dob = (pupils["date_of_birth"] if len(index) == len(pupils)
           else pupils.drop_duplicates("upn")["date_of_birth"])
    yg = year_group(dob.reset_index(drop=True), T)
    eligible = yg.isin(years).fillna(False).to_numpy(dtype=bool)

    code = pupil_codes(pupils, enr)
    entry = days(enr["entry_date"])
    leave = days(enr["leaving_date"])
    known_entry = known(entry, t)
    leave = end_as_known(leave, t)
    on_roll = known_entry & np.isnan(leave) & (code >= 0)
    school_all = enr["school"]
    on_roll_all = pd.DataFrame({"pupil": code[on_roll],
                                "school": _texts(school_all, on_roll)})
    year_ago = day(T - pd.DateOffset(months=12))
    in_12m = known_entry & (code >= 0) & ~(leave < year_ago)
    roll_12m = pd.DataFrame({"pupil": code[in_12m],
                             "school": _texts(school_all, in_12m)})

    # the distinct pupils on roll, in code order (numpy's unique is slow on a million)
    seen = np.zeros(len(index), dtype=bool)
    seen[code[on_roll]] = True
    members = np.flatnonzero(seen)
    members = members[eligible[members]]
    # in upn order: sort the cohort's upns, not every pupil's (upns are unique)
    members = members[np.asarray(index[members].argsort(), dtype=np.intp)]
    lookup = np.full(len(index) + 1, -1, dtype=np.int64)
    lookup[members] = np.arange(len(members))
    upns = pd.Index(index[members], name="upn")

    pos = lookup[code]
    rows = known_entry & (pos >= 0)
    phase = _cached(enr, "phase", lambda: enr["phase"].astype("string").str.lower())
    kn = pd.DataFrame({
        "pos": pos[rows],
        "school": _texts(school_all, rows),
        "phase": _texts(phase, rows),
        "entry": entry[rows],
        "leave": leave[rows],
    })
    kn["is_ap"] = (kn["phase"] == "ap").fillna(False).astype(bool)

    cur = kn[np.isnan(kn["leave"].to_numpy())]
    cur = cur.sort_values(["pos", "is_ap", "entry", "school"],
                          ascending=[True, True, False, True], kind="stable")
    main = cur.drop_duplicates("pos", keep="first").set_index("pos").reindex(
        np.arange(len(upns)))
    n_schools_now = cur.groupby("pos")["school"].nunique().reindex(
        np.arange(len(upns)), fill_value=0)
    in_ap = cur.groupby("pos")["is_ap"].any().reindex(np.arange(len(upns)), fill_value=False)

    frame = pd.DataFrame({
        "school": pd.array(main["school"].to_numpy(), dtype="string"),
        "year_group": yg.to_numpy(dtype="float64", na_value=np.nan)[members].astype("int64"),
        "main_phase": pd.array(main["phase"].to_numpy(), dtype="string"),
        "main_entry": main["entry"].to_numpy(dtype="float64"),
        "n_on_roll": n_schools_now.to_numpy(dtype="int64"),
        "in_ap": in_ap.to_numpy(dtype=bool),
    }, index=upns)
    return Census(as_of=T, t=t, upns=upns, frame=frame, enrolments=kn,
                  on_roll_all=on_roll_all, pupils=pupils, lookup=lookup,
                  members=members, roll_12m=roll_12m)


def column(table: pd.DataFrame, name: str, dtype: str = "string") -> pd.Series:
    """Return ``table[name]``, or an all-missing column when the table lacks it.

    Optional columns may be absent from a table that was not supplied.

    Examples
    --------
    >>> import pandas as pd
    >>> column(pd.DataFrame({"a": [1]}), "b").isna().all()
    np.True_
    """
    if name in table.columns:
        return table[name]
    missing = pd.NA if dtype in ("string", "boolean") else np.nan
    return pd.Series(missing, index=table.index, dtype=dtype)
