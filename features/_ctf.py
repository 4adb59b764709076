"""Read Common Transfer Files (CTF XML) into :class:`Records`.

The element tree and the evidence behind each choice are in
``reference/uk-school-data-standards.md`` section 5. Choices made where the reference is
unverified ([M]/[S]) are listed in the docstring of :func:`read_ctf`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import pandas as pd

from ._combine import concat_records
from ._ctf_reader import CTFFileReader
from ._errors import InputError, problem_frame
from ._records import Records
from ._typing import DateLike, PathLike
from ._xml import root_name

__all__ = ["read_ctf", "is_ctf_folder", "CTFWarning"]

_NO_FILES = "no CTF files found at {0!r}; pass a .xml file, a list of them or a folder of them."


class CTFWarning(UserWarning):
    """Something in a CTF was read with an assumption, or not read at all."""


def _files(paths: PathLike | Iterable[PathLike]) -> list[Path]:
    items = ([paths] if isinstance(paths, (str, Path)) else
             list(cast(Iterable[PathLike], paths)))
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.suffix.lower() == ".xml"))
        else:
            out.append(p)
    if not out:
        raise InputError(problem_frame([dict(table="ctf", row=str(paths), column=None,
                                             value=None, problem=_NO_FILES.format(str(paths)))]))
    return out


def is_ctf_folder(path: PathLike) -> bool:
    """Return whether ``path`` is a CTF file or a folder holding CTF files.

    Detection is by content: an ``.xml`` file whose root element's local name is
    ``CTfile``. A folder qualifies when it holds at least one such file.

    Examples
    --------
    >>> is_ctf_folder("/nonexistent")
    False
    """
    p = Path(path)
    files = sorted(f for f in p.iterdir() if f.suffix.lower() == ".xml") if p.is_dir() else [p]
    names = [root_name(f) if f.is_file() else None for f in files]
    if any(n is not None and n.lower() == "ctfile" for n in names):
        return True  # (a root written CTFILE is read, with a note)
    # XML files that cannot be read, and no tables: the user meant CTFs, and read_ctf
    # says what is wrong with each file (rather than asking for pupils.csv)
    tables = p.is_dir() and any((p / f"pupils.{ext}").is_file() for ext in ("csv", "parquet"))
    return bool(files) and not tables and all(
        n is None and f.is_file() and f.suffix.lower() == ".xml" for f, n in zip(files, names))


_WARN_COLUMNS = ["file", "element", "value", "problem"]
_EMPTY = {"enrolments": ["upn", "school", "entry_date", "leaving_date", "phase"],
          "suspensions": ["upn", "start_date", "category"]}


def read_ctf(paths: PathLike | Iterable[PathLike],
             suspensions: PathLike | pd.DataFrame | None = None, *,
             as_of: DateLike | None = None, enrol_at_destination: DateLike | None = None,
             destination_phase: str = "secondary") -> Records:
    """Read Common Transfer Files into :class:`Records`.

    Parameters
    ----------
    paths : str, path or list of them
        A CTF XML file, a list of files, or a folder (every ``*.xml`` in it). Files
        are combined with :func:`concat_records`, oldest ``Header/DateTime`` first,
        so the newest file wins where two files disagree.
    suspensions : str, path or pandas.DataFrame, optional
        CTFs carry no suspensions: a suspensions table in the input contract (a CSV
        or Parquet file, or a DataFrame) to merge. Without it the table is empty.
    as_of : date-like, optional
        Reference date for ``fsm`` (any ``FSMinstance`` overlapping the 6 years
        before it). Defaults to each file's ``Header/DateTime``.
    enrol_at_destination : date-like, optional
        When given, add an enrolment at the file's ``DestSchool`` from this date
        (phase ``destination_phase``), so a secondary school can screen its incoming
        Year 7 cohort; an open enrolment at the source school is then closed the day
        before (a move, not dual registration), with a note. By default no enrolment
        is ever invented at the destination.
    destination_phase : str, default="secondary"
        Phase of the enrolment added by ``enrol_at_destination``.

    Returns
    -------
    Records
        With two extra attributes: ``ctf_warnings`` (DataFrame ``file, element,
        value, problem``: every near-miss, unknown or derived element) and
        ``duplicates`` (rows repeated across files, see :func:`concat_records`).
        ``extract_date`` is the latest file ``DateTime`` (or ``enrol_at_destination``
        when that is later, since the records then reach that date).

    Raises
    ------
    InputError
        Malformed or hostile XML (DTDs and entities are refused, so billion-laughs
        and XXE files cannot expand), a root that is not ``CTfile``, a missing
        UPN/DOB/Sex/EntryDate/SEN StartDate, or an unreadable date or count.
        ``problems`` rows have ``table='ctf'``, ``row`` = file name, ``column`` =
        element path.

    Warns
    -----
    CTFWarning
        One per file with notes (the rows of ``ctf_warnings``).

    Notes
    -----
    Elements read, and assumptions where the reference is unverified:

    - pupils: ``UPN``, ``DOB``, ``Sex`` (or older ``Gender``),
      ``BasicDetails/Ethnicity``, ``BasicDetails/NCyearActual`` (kept as
      ``nc_year_actual``). ``fsm``: any ``FSMinstance`` overlapping the 6 years
      before the reference date. ``looked_after``: ``LookedAfter/InCare``. In a
      ``full`` file an absent ``FSMhistory``/``LookedAfter`` means ``False``; in a
      ``partial`` file it means unknown (NA). ``eal``: the first language in
      ``Languages/Type`` (structured ``Type/LanguageType`` = ``F`` with
      ``Type/Language``, or a bare language code in ``Type``) is not ENG/ENB;
      absent means NA. Names and addresses are not read.
    - enrolments: ``SchoolHistory/School`` (school = ``LEA`` + ``Estab``, the
      LAESTAB). The header's source school, when missing from the history, is added
      from 1 September of its first attendance year (else noted, not added).
      Phase is not in the CTF (NA).
    - attendance: one row per ``Attendance/YearData``; ``Year`` is the start year
      of the academic year, the period runs 1 Sep to 31 Aug, ending at the file's
      date if that is earlier. ``SessionsUnauthorised`` missing is derived as
      possible - attended - authorised.
    - attendance_marks: ``AttendSessions/AttendanceMarks`` from
      ``AttendanceStartDate``, AM then PM on each weekday (Monday-Friday; weekends
      skipped, holidays are expected to be coded in the string). Both code sets
      are accepted (chosen by date when records are normalised); see
      ``tokenise_marks``; ``-`` is kept as a "no mark" (MISSING) session and
      unknown codes are noted. Marks carry the ``YearData`` school as an extra
      ``school`` column. When marks are present the ``YearData`` totals are not
      used, so no session is counted twice; totals that disagree with the marks
      are noted.
    - sen: ``SENhistory/SEN`` ``StartDate``, ``EndDate``, ``SENprovision`` and the
      ``SENneed`` with ``SENtypeRank`` 1 (else the lowest rank) as ``primary_need``.
    - ``DestSchool`` ``MMM``/``MMMM`` placeholders mean unknown. Dates are read to
      the day (``DateTime``'s time is dropped).
    - Not read (contents not checked): ``NAWdetails``, ``Admissions``, ``Address``,
      ``Phones``, ``Contacts``, ``StageAssessments``, ``Disabilities``.

    Element names are matched on local names (namespaces stripped). A name that
    differs only in case, or a known alias (``DateOfBirth``), is read with a
    warning; a name within edit distance 1-2 of a CTF name, or any other unknown
    name, is not read and is reported.

    Examples
    --------
    >>> from pathlib import Path
    >>> from screening import features
    >>> here = Path(features.__file__).parents[1] / "tests" / "fixtures" / "ctf"
    >>> rec = read_ctf(here / "gender_era_v15.xml")  # an older file: Gender, not Sex
    >>> rec.raw["pupils"][["upn", "sex", "fsm"]].head(1)
                 upn sex   fsm
    0  A801234514005   M  True
    """
    readers: list[tuple[CTFFileReader, dict[str, list[dict[str, Any]]]]] = []
    problems: list[dict[str, Any]] = []
    for path in _files(paths):
        r = CTFFileReader(path, as_of, enrol_at_destination, destination_phase)
        if not path.is_file():
            r.problem("CTfile", str(path), "file not found")
            problems.extend(r.problems)
            continue
        tables = r.read()
        problems.extend(r.problems)
        if tables is not None:  # else r.problems says why
            readers.append((r, tables))
    if problems:
        raise InputError(problem_frame(problems))

    readers.sort(key=lambda rt: (rt[0].date_time, rt[0].fname))
    per_file = []
    notes: list[tuple] = []
    for r, tables in readers:
        frames = {k: pd.DataFrame(v) if v else None for k, v in tables.items()}
        if frames["attendance"] is None and frames["attendance_marks"] is None:
            frames["attendance"] = pd.DataFrame(columns=[
                "upn", "school", "period_start", "period_end", "sessions_possible",
                "sessions_authorised", "sessions_unauthorised"])
        if frames["pupils"] is not None:
            frames["pupils"] = frames["pupils"].astype(
                {"fsm": "boolean", "eal": "boolean", "looked_after": "boolean"})
        extract = r.date_time
        if enrol_at_destination is not None and pd.notna(extract):
            extract = max(extract, pd.Timestamp(enrol_at_destination))
        per_file.append(Records(**frames, source=str(r.path), extract_date=extract))
        if r.notes:
            notes.extend(r.notes)
            warnings.warn(f"{r.fname}: {len(r.notes)} CTF note(s), e.g. {r.notes[0][3]}; "
                          "see records.ctf_warnings", CTFWarning, stacklevel=2)
    if suspensions is not None:
        per_file.append(Records(suspensions=_load_table(suspensions),
                                source=str(suspensions) if not isinstance(
                                    suspensions, pd.DataFrame) else "suspensions"))
    records = concat_records(per_file)
    for name, columns in _EMPTY.items():
        if records.raw[name] is None:
            records.raw[name] = pd.DataFrame(columns=columns)
    records.ctf_warnings = pd.DataFrame(notes, columns=_WARN_COLUMNS)
    return records


def _load_table(table: PathLike | pd.DataFrame) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table
    from ._io import read_table

    return read_table(Path(table), "suspensions")
