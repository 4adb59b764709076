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
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

TABLES = ("pupils", "enrolments", "attendance", "attendance_marks", "suspensions", "sen")


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
    source : str, optional
        Where the tables came from (a folder), used in messages.
    extract_date : date-like, optional
        When the data were extracted. Outcome windows that end after it are
        incomplete. When not given, it is taken as the latest date in the records.

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

    def __init__(
        self,
        pupils=None,
        enrolments=None,
        attendance=None,
        suspensions=None,
        sen=None,
        attendance_marks=None,
        *,
        source: str | None = None,
        extract_date=None,
    ):
        self.raw: dict[str, pd.DataFrame | None] = {
            "pupils": pupils,
            "enrolments": enrolments,
            "attendance": attendance,
            "attendance_marks": attendance_marks,
            "suspensions": suspensions,
            "sen": sen,
        }
        self.source = source
        self.extract_date = None if extract_date is None else pd.Timestamp(extract_date)
        self._clean: dict[str, pd.DataFrame] | None = None
        self._warnings: pd.DataFrame | None = None

    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame], source=None,
                    extract_date=None) -> "Records":
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
            Suspicious but usable values (``table, row, column, value, problem``).

        Raises
        ------
        InputError
            Listing every problem found, not just the first.
        """
        from ._validate import normalise

        if self._clean is None:
            clean, warnings = normalise(self.raw)
            self._clean, self._warnings = clean, warnings
        return self._warnings.copy()

    @property
    def warnings(self) -> pd.DataFrame:
        """Warnings found by :meth:`validate` (validating first if needed)."""
        self.validate()
        return self._warnings

    def _table(self, name: str) -> pd.DataFrame:
        self.validate()
        return self._clean[name]

    pupils = property(lambda self: self._table("pupils"), doc="Normalised pupils table.")
    enrolments = property(lambda self: self._table("enrolments"), doc="Normalised enrolments.")
    attendance = property(lambda self: self._table("attendance"), doc="Normalised attendance.")
    attendance_marks = property(
        lambda self: self._table("attendance_marks"), doc="Normalised session marks."
    )
    suspensions = property(lambda self: self._table("suspensions"), doc="Normalised suspensions.")
    sen = property(lambda self: self._table("sen"), doc="Normalised SEN spells.")

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the normalised tables as a dict (copies are not made)."""
        self.validate()
        return dict(self._clean)

    def __repr__(self) -> str:
        parts = []
        for name in TABLES:
            t = self.raw.get(name)
            if t is not None:
                parts.append(f"{name}={len(t)}")
        return f"Records({', '.join(parts)})"
