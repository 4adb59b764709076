"""The records a local authority or MIS hands the library (the input contract).

``Records`` holds the tables as given. On first use (or on :meth:`Records.validate`)
each table is parsed into the *normalised schema* below, which every other part of
the library relies on:

pupils
    ``upn`` (str), ``date_of_birth`` (datetime64), ``sex`` ('M'/'F'),
    ``ethnicity`` (str upper-case or NA), ``fsm``, ``eal``, ``looked_after``
    (pandas ``boolean`` with NA), plus any extra columns, unchanged.
enrolments
    ``upn``, ``school`` (str), ``entry_date``, ``leaving_date`` (datetime64, NaT = on
    roll), ``phase`` (lower-case str or NA), ``leaving_reason``.
attendance
    ``upn``, ``school`` (str or NA), ``period_start``, ``period_end`` (datetime64),
    ``sessions_possible``, ``sessions_authorised``, ``sessions_unauthorised`` (float64).
    When ``attendance_marks`` are given they are aggregated into one row per pupil
    and day (``period_start == period_end == date``) and appended here.
attendance_marks
    ``upn``, ``date``, ``session`` ('AM'/'PM'), ``code`` (str), ``code_class``
    ('PRESENT', 'AUTH', 'UNAUTH', 'NOT_POSSIBLE' or 'MISSING').
suspensions
    ``upn``, ``start_date``, ``category`` ('suspension'/'permanent'),
    ``sessions`` (float64, NaN when unknown), ``reason`` (str or NA; codes joined by ';'),
    ``school`` (str or NA).
sen
    ``upn``, ``start_date``, ``end_date`` (NaT = current), ``provision`` ('K'/'E'),
    ``primary_need`` (upper-case str or NA). ``N`` rows are set aside (see warnings).
allocations
    ``upn``, ``school`` (str), ``start_date`` (when the pupil is due to start there;
    may lie after the extract date), ``decided_date`` (NaT when not given).
episodes
    ``upn``, ``kind`` (str, the LA's own label, kept as written but stripped),
    ``start_date``, ``end_date`` (NaT = open; may lie after the extract date).

Allocations and episodes are optional; an absent table is an empty one. They are
read by the same rules as every other table (dates ISO or ``DD/MM/YYYY``, one format
per column, slashes day first; located problems for missing columns, unreadable or
implausible dates, an end before its start, unknown pupils, blank required values
and duplicated rows). What is known at a census date T: an allocation counts only
when its ``decided_date`` is before T (an allocation without one is taken as known);
an episode is known when ``start_date`` < T and current when also ``end_date`` is
blank or >= T, as SEN spells are. Neither changes the features built by
:func:`screening.features.build` by itself.

Dates are ``datetime64[ns]`` at midnight; text columns are pandas ``string`` dtype.
Problems are located by the row labels of the raw tables: ``load_records`` numbers
the data rows of each file 1, 2, ...; DataFrames passed directly are reported by
their own index. Normalised tables have a fresh ``RangeIndex``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ._typing import DateLike

TABLES = ("pupils", "enrolments", "attendance", "attendance_marks", "suspensions", "sen",
          "allocations", "episodes")


class Records:
    """A local authority's pupil records, in the input contract.

    Parameters
    ----------
    pupils, enrolments : pandas.DataFrame
        Required tables.
    attendance : pandas.DataFrame, optional
        Required unless ``attendance_marks`` is given.
    suspensions : pandas.DataFrame, optional
        Required by the contract but may have no rows; ``None`` means an empty table.
    sen : pandas.DataFrame, optional
        SEN spells; absent means no SEN recorded.
    attendance_marks : pandas.DataFrame, optional
        Session-level register marks.
    allocations : pandas.DataFrame, optional
        Allocated or planned places at a next school (``upn, school, start_date``
        and optionally ``decided_date``); absent means none.
    episodes : pandas.DataFrame, optional
        Dated episodes of any kind the LA records (``upn, kind, start_date`` and
        optionally ``end_date``); absent means none.
    source : str, optional
        Where the tables came from (a folder), used in messages.
    extract_date : date-like, optional
        When the data were extracted. Outcome windows that end after it are
        incomplete, and dates after it are problems. When not given it stays
        ``None``; :attr:`data_end` then gives the latest date in the records, and
        dates after today are problems.

    Attributes
    ----------
    raw : dict of str to DataFrame or None
        The tables as given (shallow copies).
    extract_date : pandas.Timestamp or None
    data_end : pandas.Timestamp or None
        ``extract_date``, else the latest date seen in the records.
    warnings : pandas.DataFrame
        Suspicious but usable values found by :meth:`validate`.

    Notes
    -----
    Tables are parsed and checked lazily, on the first use of a table property or
    :meth:`validate`. Problems are located by the row labels of the raw tables
    (``load_records`` numbers the data rows of a file 1, 2, ...).

    Examples
    --------
    >>> import pandas as pd
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["P1"], "date_of_birth": ["2013-05-01"], "sex": ["Male"]}),
    ...     enrolments=pd.DataFrame({"upn": ["P1"], "school": ["100001"],
    ...                              "entry_date": ["01/09/2018"]}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]),
    ... )
    >>> rec.pupils.loc[0, "sex"]
    'M'
    """

    # Attributes only some records carry (annotated here, not set, so ``getattr(records,
    # name, None)`` still tells whether they exist).
    #: rows of one record seen in several sources; set by :func:`concat_records`
    duplicates: pd.DataFrame
    #: notes of the Common Transfer Files read; set by :func:`read_ctf`
    ctf_warnings: pd.DataFrame

    def __init__(
        self,
        pupils: pd.DataFrame | None = None,
        enrolments: pd.DataFrame | None = None,
        attendance: pd.DataFrame | None = None,
        suspensions: pd.DataFrame | None = None,
        sen: pd.DataFrame | None = None,
        attendance_marks: pd.DataFrame | None = None,
        *,
        allocations: pd.DataFrame | None = None,
        episodes: pd.DataFrame | None = None,
        source: str | None = None,
        extract_date: DateLike | None = None,
    ) -> None:
        self.raw: dict[str, pd.DataFrame | None] = {
            "pupils": pupils,
            "enrolments": enrolments,
            "attendance": attendance,
            "attendance_marks": attendance_marks,
            "suspensions": suspensions,
            "sen": sen,
            "allocations": allocations,
            "episodes": episodes,
        }
        # shallow copies: with copy-on-write, later edits of the caller's frames
        # do not change these records (and nothing is copied until then)
        self.raw = {k: (v.copy(deep=False) if isinstance(v, pd.DataFrame) else v)
                    for k, v in self.raw.items()}
        self.source = source
        try:
            self.extract_date = (None if extract_date is None
                                 else pd.Timestamp(extract_date).normalize())
        except (TypeError, ValueError):
            raise ValueError(f"extract_date must be a date such as '2024-07-31', got "
                             f"{extract_date!r}.") from None
        self._clean: dict[str, pd.DataFrame] | None = None
        self._warnings: pd.DataFrame | None = None
        self._meta: dict[str, Any] = {}

    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame], source: str | None = None,
                    extract_date: DateLike | None = None) -> "Records":
        """Build records from a mapping of table name to DataFrame."""
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise ValueError(
                f"Unknown table name(s) {sorted(unknown)}; expected some of {list(TABLES)}."
            )
        return cls(**dict(tables), source=source, extract_date=extract_date)

    # ------------------------------------------------------------------ validation
    def validate(self) -> pd.DataFrame:
        """Check every table against the input contract.

        Returns
        -------
        warnings : pandas.DataFrame
            Suspicious but usable values (``table, row, column, value, problem, fix``).
            Also available as :attr:`warnings`.

        Raises
        ------
        InputError
            Listing every problem found, not just the first, in ``.problems``.

        Examples
        --------
        >>> import pandas as pd
        >>> from screening.features import InputError
        >>> rec = Records(pupils=pd.DataFrame({"upn": ["P1", "P1"],
        ...                                    "date_of_birth": ["2013-05-01"] * 2,
        ...                                    "sex": ["M", "X"]}),
        ...               enrolments=pd.DataFrame({"upn": ["P1"], "school": ["1"],
        ...                                        "entry_date": ["2018-09-01"]}),
        ...               attendance_marks=pd.DataFrame(columns=["upn", "date", "session",
        ...                                                      "code"]))
        >>> try:
        ...     rec.validate()
        ... except InputError as err:
        ...     print(err.problems[["row", "column", "problem"]].to_string(index=False))
        row column                              problem
          1    sex                     unknown sex code
          1    upn upn appears more than once in pupils
        """
        from ._validate import normalise

        if self._clean is None:
            clean, warnings, meta = normalise(self.raw, extract_date=self.extract_date)
            self._clean, self._warnings, self._meta = clean, warnings, meta
        assert self._warnings is not None  # set together with _clean
        return self._warnings.copy()

    @property
    def warnings(self) -> pd.DataFrame:
        """Warnings found by :meth:`validate` (validating first if needed)."""
        self.validate()
        assert self._warnings is not None  # validate() set it
        return self._warnings

    def _table(self, name: str) -> pd.DataFrame:
        self.validate()
        assert self._clean is not None  # validate() set it
        return self._clean[name]

    # one typed property per table (lambdas would leave users' type checkers guessing)
    @property
    def pupils(self) -> pd.DataFrame:
        """Normalised pupils table."""
        return self._table("pupils")

    @property
    def enrolments(self) -> pd.DataFrame:
        """Normalised enrolments."""
        return self._table("enrolments")

    @property
    def attendance(self) -> pd.DataFrame:
        """Normalised attendance."""
        return self._table("attendance")

    @property
    def attendance_marks(self) -> pd.DataFrame:
        """Normalised session marks."""
        return self._table("attendance_marks")

    @property
    def suspensions(self) -> pd.DataFrame:
        """Normalised suspensions."""
        return self._table("suspensions")

    @property
    def sen(self) -> pd.DataFrame:
        """Normalised SEN spells."""
        return self._table("sen")

    @property
    def allocations(self) -> pd.DataFrame:
        """Normalised allocations (places at a next school)."""
        return self._table("allocations")

    @property
    def episodes(self) -> pd.DataFrame:
        """Normalised episodes."""
        return self._table("episodes")

    @property
    def data_end(self) -> pd.Timestamp | None:
        """The extract date if given, else the latest date seen in the records.

        The latest of attendance ``period_end``, suspension ``start_date``,
        enrolment entry and leaving dates, SEN start and end dates, mark dates,
        episode start dates and allocation decision dates (not the dates a pupil is
        due to start at an allocated school, nor episode ends, which may be planned);
        ``None`` when there are no dates at all.
        """
        if self.extract_date is not None:
            return self.extract_date
        self.validate()
        c = self._clean
        assert c is not None  # validate() set it
        cols = [c["attendance"]["period_end"], c["suspensions"]["start_date"],
                c["enrolments"]["entry_date"], c["enrolments"]["leaving_date"],
                c["sen"]["start_date"], c["sen"]["end_date"], c["attendance_marks"]["date"],
                c["episodes"]["start_date"], c["allocations"]["decided_date"]]
        latest = [x.max() for x in cols if len(x)]
        latest = [x for x in latest if pd.notna(x)]
        return max(latest) if latest else None

    def given_attendance(self) -> pd.DataFrame:
        """Attendance rows as given, without the rows aggregated from marks."""
        return self._table("attendance").iloc[: self._meta.get("n_attendance_given", 0)]

    def equals(self, other: "Records") -> bool:
        """Whether two records have equal normalised tables and extract dates.

        See :func:`records_equal`.
        """
        return records_equal(self, other)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the normalised tables as a dict (copies are not made)."""
        self.validate()
        assert self._clean is not None  # validate() set it
        return dict(self._clean)

    def __repr__(self) -> str:
        parts = []
        for name in TABLES:
            t = self.raw.get(name)
            if t is not None:
                parts.append(f"{name}={len(t)}")
        return f"Records({', '.join(parts)})"


def records_equal(a: Records, b: Records, check_dtype: bool = True) -> bool:
    """Whether two :class:`Records` hold equal normalised tables and extract dates.

    Schema columns are compared value by value with their dtypes; extra columns
    (kept as given) are compared as text when ``check_dtype`` is False or their
    dtypes differ only because one side came from CSV.

    Examples
    --------
    >>> import pandas as pd
    >>> def make(dob):
    ...     return Records(
    ...         pupils=pd.DataFrame({"upn": ["P1"], "date_of_birth": [dob], "sex": ["F"]}),
    ...         enrolments=pd.DataFrame({"upn": ["P1"], "school": ["1"],
    ...                                  "entry_date": ["2018-09-01"]}),
    ...         attendance_marks=pd.DataFrame(columns=["upn", "date", "session", "code"]))
    >>> records_equal(make("2013-05-01"), make("01/05/2013"))
    True
    >>> records_equal(make("2013-05-01"), make("2013-05-02"))
    False
    """
    if a.extract_date != b.extract_date:
        return False
    ta, tb = a.tables(), b.tables()
    for name in TABLES:
        x, y = ta[name], tb[name]
        if list(x.columns) != list(y.columns) or len(x) != len(y):
            return False
        for col in x.columns:
            u, v = x[col].reset_index(drop=True), y[col].reset_index(drop=True)
            if u.dtype != v.dtype:
                if check_dtype and _schema_column(name, col):
                    return False
                u, v = _as_text(u), _as_text(v)
            if not u.equals(v):
                return False
    return True


def _schema_column(name: str, col: str) -> bool:
    from ._schema import BOOLEANS, SCHEMA

    return col in SCHEMA[name] or (name == "pupils" and col in BOOLEANS)


def _as_text(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.strftime("%Y-%m-%d").astype("string")
    # pandas-stubs does not list pd.NA among replacement values
    return s.astype("string").str.strip().replace("", pd.NA)  # type: ignore[call-overload]
