"""Read Common Transfer Files (CTF XML) into :class:`Records`.

The element tree and the evidence behind each choice are in
``reference/uk-school-data-standards.md`` section 5. Choices made where the reference is
unverified ([M]/[S]) are listed in the docstring of :func:`read_ctf`.
"""

from __future__ import annotations

import re
import warnings
from datetime import datetime
from pathlib import Path
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ._codes import (
    ATTENDANCE_CODES_2024,
    ATTENDANCE_CODES_PRE_2024,
    MISSING_MARK,
    classify_marks,
)
from ._combine import concat_records
from ._errors import InputError, problem_frame
from ._records import Records

__all__ = ["read_ctf", "is_ctf_folder", "CTFWarning"]

# ----------------------------------------------------------------------------- messages
_HOSTILE = ("refused: the XML declares a DTD or entities ({0}); CTFs never do, and "
            "expanding them could exhaust memory (billion laughs) or read local files (XXE). "
            "Ask the sender for a plain CTF export.")
_MALFORMED = "malformed XML ({0}); the file is damaged or not XML. Re-export the CTF."
_NOT_CTF = ("root element is '{0}', not 'CTfile': this is not a Common Transfer File. "
            "Pass only CTF XML files.")
_NO_FILES = "no CTF files found at {0!r}; pass a .xml file, a list of them or a folder of them."
_MISSING_REQUIRED = "required element '{0}' is missing or empty"
_BAD_DATE = "'{0}' is not a date (expected YYYY-MM-DD)"
_BAD_NUMBER = "'{0}' is not a whole number of sessions"
_NEAR_MISS_READ = "element '{0}' read as '{1}' (CTF names are case-sensitive); fix the exporter"
_ALIAS_READ = "element '{0}' read as '{1}' (not a CTF name); fix the exporter"
_NEAR_MISS = "element '{0}' not read: did you mean '{1}'? Rename it to be read"
_UNKNOWN = "element '{0}' is not a CTF element read by read_ctf; it was not read"

#: Every element name in the CTF tree of reference section 5b.
KNOWN_ELEMENTS = frozenset("""
CTfile Header DocumentName CTFversion DateTime DocumentQualifier DataDescriptor SupplierID
SourceSchool LEA Estab URN SchoolName AcademicYear DestSchool CTFpupilData Pupil UPN
UniqueLearnerNumber UCI Surname Forename DOB Sex Gender BasicDetails FormerUPN
PreferredSurname PreferredForename FormerSurname FormerForename MiddleNames NCyearActual
Ethnicity EthnicitySource Languages Type LanguageType Language MedicalFlag Disabilities
Disability EnrolStatus LookedAfter InCare CareAuthority SENhistory SEN StartDate EndDate
SENprovision SENneeds SENneed SENtype SENtypeRank FSMhistory FSMreviewDate FSMinstance
FSMstartDate FSMendDate UKcountry FSMEligibilityVerificationDate FSMCategory NAWdetails
Admissions Address Phones Phone Email Contacts Contact Attendance YearData Year
SessionsPossible SessionsAuthorised SessionsAttended SessionsUnauthorised AttendSessions
AttendanceStartDate AttendanceMarks StageAssessments KeyStage Stage StageAssessment Locale
Subject Method Component ResultStatus ResultQualifier Result SchoolHistory School EntryDate
LeavingDate LeavingReason LastSchool
""".split())
#: Containers whose contents read_ctf does not use; their children are not checked.
_OPAQUE = frozenset({"NAWdetails", "Admissions", "Address", "Phones", "Contacts",
                     "StageAssessments", "Disabilities"})
#: Other names seen for an element, read as the CTF name (with a warning).
_ALIASES = {"DateOfBirth": "DOB", "BirthDate": "DOB"}
_LOWER = {n.lower(): n for n in KNOWN_ELEMENTS}
_PLACEHOLDER = re.compile(r"^M+$")  # LEA "MMM" / Estab "MMMM": destination unknown [M]
_KNOWN_CODES = set(ATTENDANCE_CODES_PRE_2024) | set(ATTENDANCE_CODES_2024) | {MISSING_MARK}
_EN_LANGUAGES = {"ENG", "ENB"}
_FSM_YEARS = 6


class CTFWarning(UserWarning):
    """Something in a CTF was read with an assumption, or not read at all."""


# ----------------------------------------------------------------------------- helpers
def _distance(a: str, b: str) -> int:
    """Levenshtein distance (small strings only)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _near_miss(name: str):
    """Return ``(known_name, read)`` for a near-miss element name, else ``None``."""
    if name.lower() in _LOWER:
        return _LOWER[name.lower()], True
    if name in _ALIASES:
        return _ALIASES[name], True
    limit = 1 if len(name) <= 4 else 2
    best = min(KNOWN_ELEMENTS, key=lambda k: (_distance(name.lower(), k.lower()), k))
    if _distance(name.lower(), best.lower()) <= limit:
        return best, False
    return None


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _canonicalise(root, fname: str, notes: list) -> None:
    """Strip namespaces, rename case/alias near-misses and note every unknown element."""
    def walk(el, path):
        counts: dict[str, int] = {}
        for child in list(el):
            if not isinstance(child.tag, str):  # comments, processing instructions
                continue
            name = _local(child.tag)
            counts[name] = counts.get(name, 0) + 1
            here = f"{path}/{name}[{counts[name]}]" if name == "Pupil" else f"{path}/{name}"
            if name not in KNOWN_ELEMENTS:
                hit = _near_miss(name)
                if hit is None:
                    notes.append((fname, here, name, _UNKNOWN.format(name)))
                    child.tag = "_unread_" + name
                    continue
                known, read = hit
                if read:
                    msg = _ALIAS_READ if name in _ALIASES else _NEAR_MISS_READ
                    notes.append((fname, here, name, msg.format(name, known)))
                    name = known
                else:
                    notes.append((fname, here, name, _NEAR_MISS.format(name, known)))
                    child.tag = "_unread_" + name
                    continue
            child.tag = name
            if name not in _OPAQUE:
                walk(child, here)

    walk(root, _local(root.tag))


def _text(el, path: str):
    """Stripped text at ``path`` under ``el``, or None."""
    if el is None:
        return None
    node = el.find(path)
    if node is None or node.text is None or not node.text.strip():
        return None
    return node.text.strip()


class _FileReader:
    """Parse one CTF file into raw contract tables, collecting problems and notes."""

    def __init__(self, path: Path, as_of, enrol_at_destination, destination_phase):
        self.path, self.fname = path, path.name
        self.as_of = as_of
        self.enrol_at = enrol_at_destination
        self.destination_phase = destination_phase
        self.problems: list[dict] = []
        self.notes: list[tuple] = []

    # -- problems
    def problem(self, column, value, problem):
        self.problems.append(dict(table="ctf", row=self.fname, column=column, value=value,
                                  problem=problem))

    def note(self, where, value, problem):
        self.notes.append((self.fname, where, value, problem))

    def date(self, el, path, where, required=False):
        txt = _text(el, path)
        if txt is None:
            if required:
                self.problem(f"{where}/{path}", None, _MISSING_REQUIRED.format(path))
            return pd.NaT
        try:
            return pd.Timestamp(datetime.strptime(txt[:10], "%Y-%m-%d"))
        except ValueError:
            self.problem(f"{where}/{path}", txt, _BAD_DATE.format(txt))
            return pd.NaT

    def number(self, el, path, where):
        txt = _text(el, path)
        if txt is None:
            return np.nan
        try:
            value = float(txt)
        except ValueError:
            value = np.nan
        if np.isnan(value) or value < 0 or value != int(value):
            self.problem(f"{where}/{path}", txt, _BAD_NUMBER.format(txt))
            return np.nan
        return value

    # -- whole file
    def read(self) -> dict | None:
        try:
            tree = SafeET.parse(str(self.path), forbid_dtd=True)
        except DefusedXmlException as exc:
            self.problem("CTfile", None, _HOSTILE.format(type(exc).__name__))
            return None
        except ParseError as exc:
            self.problem("CTfile", None, _MALFORMED.format(exc))
            return None
        root = tree.getroot()
        name = _local(root.tag)
        if name != "CTfile":
            if name.lower() == "ctfile":
                self.note(name, name, _NEAR_MISS_READ.format(name, "CTfile"))
            else:
                self.problem(name, name, _NOT_CTF.format(name))
                return None
        _canonicalise(root, self.fname, self.notes)
        header = root.find("Header")
        self.date_time = self.date(header, "DateTime", "CTfile/Header", required=True)
        self.qualifier = (_text(header, "DocumentQualifier") or "full").lower()
        self.source = self.school(header, "SourceSchool")
        self.dest = self.school(header, "DestSchool")
        self.ref = pd.Timestamp(self.as_of) if self.as_of is not None else self.date_time
        tables = {k: [] for k in ("pupils", "enrolments", "attendance", "attendance_marks",
                                  "sen")}
        for i, pupil in enumerate(root.findall("CTFpupilData/Pupil"), 1):
            self.pupil(pupil, f"CTfile/CTFpupilData/Pupil[{i}]", tables)
        return tables

    def school(self, el, path):
        lea, estab = _text(el, f"{path}/LEA"), _text(el, f"{path}/Estab")
        if estab is None or _PLACEHOLDER.match(estab) or (lea and _PLACEHOLDER.match(lea)):
            return None
        return (lea or "") + estab

    def flag(self, text):
        if text is None:
            return pd.NA
        return {"TRUE": True, "1": True, "Y": True, "YES": True,
                "FALSE": False, "0": False, "N": False, "NO": False}.get(text.upper(), pd.NA)

    # -- one pupil
    def pupil(self, p, where, tables):
        upn = _text(p, "UPN")
        if upn is None:
            self.problem(f"{where}/UPN", None, _MISSING_REQUIRED.format("UPN"))
        dob = self.date(p, "DOB", where, required=True)
        sex = _text(p, "Sex") or _text(p, "Gender")
        if sex is None:
            self.problem(f"{where}/Sex", None, _MISSING_REQUIRED.format("Sex (or Gender)"))
        full = self.qualifier != "partial"
        ethnicity = _text(p, "BasicDetails/Ethnicity") or _text(p, "Ethnicity")
        row = dict(upn=upn, date_of_birth=dob, sex=sex, ethnicity=ethnicity,
                   fsm=self.fsm(p, where, full), eal=self.eal(p),
                   looked_after=self.looked_after(p, where, full),
                   nc_year_actual=_text(p, "BasicDetails/NCyearActual"))
        tables["pupils"].append(row)
        years = self.attendance(p, where, upn, tables)
        self.enrolments(p, where, upn, years, tables)
        self.sen(p, where, upn, tables)

    def fsm(self, p, where, full):
        history = p.find("FSMhistory")
        if history is None:
            return False if full else pd.NA
        if pd.isna(self.ref):
            return pd.NA
        lo = self.ref - pd.DateOffset(years=_FSM_YEARS)
        for k, inst in enumerate(history.findall("FSMinstance"), 1):
            w = f"{where}/FSMhistory/FSMinstance[{k}]"
            start = self.date(inst, "FSMstartDate", w, required=True)
            end = self.date(inst, "FSMendDate", w)
            if pd.notna(start) and start < self.ref and (pd.isna(end) or end >= lo):
                return True
        return False

    def eal(self, p):
        types = p.findall("BasicDetails/Languages/Type") or p.findall("Languages/Type")
        if not types:
            return pd.NA
        first = None
        for t in types:
            if len(t):  # structured form: LanguageType (F = first) and Language
                kind = (_text(t, "LanguageType") or "F").upper()
                if kind in ("F", "FIRST", "FLNG") and first is None:
                    first = _text(t, "Language")
            elif first is None and t.text and t.text.strip():
                first = t.text.strip()
        return pd.NA if first is None else first.upper() not in _EN_LANGUAGES

    def looked_after(self, p, where, full):
        la = p.find("LookedAfter")
        if la is None:
            return False if full else pd.NA
        text = _text(la, "InCare")
        value = self.flag(text)
        if text is not None and pd.isna(value):
            self.note(f"{where}/LookedAfter/InCare", text,
                      "InCare is not true/false; read as unknown")
        return value

    def enrolments(self, p, where, upn, years, tables):
        schools, first = set(), len(tables["enrolments"])
        for k, s in enumerate(p.findall("SchoolHistory/School"), 1):
            w = f"{where}/SchoolHistory/School[{k}]"
            school = self.school(s, ".")
            if school is None:
                self.problem(f"{w}/Estab", None, _MISSING_REQUIRED.format("LEA/Estab"))
            entry = self.date(s, "EntryDate", w, required=True)
            schools.add(school)
            tables["enrolments"].append(dict(
                upn=upn, school=school, entry_date=entry,
                leaving_date=self.date(s, "LeavingDate", w), phase=pd.NA,
                leaving_reason=_text(s, "LeavingReason")))
        if self.source and self.source not in schools:
            starts = [y for (sch, y) in years if sch == self.source]
            if starts:
                tables["enrolments"].append(dict(
                    upn=upn, school=self.source, entry_date=pd.Timestamp(min(starts), 9, 1),
                    leaving_date=pd.NaT, phase=pd.NA, leaving_reason=pd.NA))
                self.note(f"{where}/SchoolHistory", self.source,
                          "source school missing from SchoolHistory; enrolment added from "
                          "1 Sep of its first attendance year")
            else:
                self.note(f"{where}/SchoolHistory", self.source,
                          "source school missing from SchoolHistory and no attendance there "
                          "gives an entry date; no enrolment added")
        if self.enrol_at is not None:
            if self.dest is None:
                self.note("CTfile/Header/DestSchool", None,
                          "enrol_at_destination given but the destination school is unknown "
                          "(missing or MMM/MMMM); no enrolment added")
            else:
                start = pd.Timestamp(self.enrol_at)
                for row in tables["enrolments"][first:]:
                    if (row["school"] == self.source and pd.isna(row["leaving_date"])
                            and row["entry_date"] < start):
                        # A move, not dual registration: leave the day before arriving.
                        row["leaving_date"] = start - pd.Timedelta(days=1)
                        self.note(f"{where}/SchoolHistory", self.source,
                                  "open enrolment at the source school closed the day before "
                                  "enrol_at_destination")
                tables["enrolments"].append(dict(
                    upn=upn, school=self.dest, entry_date=start,
                    leaving_date=pd.NaT, phase=self.destination_phase,
                    leaving_reason=pd.NA))

    def attendance(self, p, where, upn, tables):
        years = []
        for k, yd in enumerate(p.findall("Attendance/YearData"), 1):
            w = f"{where}/Attendance/YearData[{k}]"
            year_txt = _text(yd, "Year")
            if year_txt is None or not year_txt.isdigit():
                self.problem(f"{w}/Year", year_txt, _MISSING_REQUIRED.format("Year"))
                continue
            year = int(year_txt)
            school = self.school(yd, ".")
            years.append((school, year))
            start, end = pd.Timestamp(year, 9, 1), pd.Timestamp(year + 1, 8, 31)
            if pd.notna(self.date_time) and self.date_time.normalize() < end:
                end = self.date_time.normalize()
                if end < start:
                    self.note(w, year_txt, "attendance year starts after the file's DateTime")
            possible = self.number(yd, "SessionsPossible", w)
            auth = self.number(yd, "SessionsAuthorised", w)
            unauth = self.number(yd, "SessionsUnauthorised", w)
            attended = self.number(yd, "SessionsAttended", w)
            marks = yd.find("AttendSessions")
            if marks is not None and _text(marks, "AttendanceMarks"):
                # Marks take precedence over the totals, so no session counts twice.
                self.marks(marks, w, upn, school, tables, (possible, auth, unauth))
                continue
            if np.isnan(unauth) and not np.isnan(attended + possible + auth):
                unauth = possible - attended - auth
                self.note(f"{w}/SessionsUnauthorised", None,
                          "derived as possible - attended - authorised")
            if np.isnan(possible) or np.isnan(auth) or np.isnan(unauth):
                self.note(w, year_txt, "YearData without session counts or marks; not read")
                continue
            tables["attendance"].append(dict(
                upn=upn, school=school, period_start=start, period_end=end,
                sessions_possible=possible, sessions_authorised=auth,
                sessions_unauthorised=unauth))
        return years

    def marks(self, el, where, upn, school, tables, totals):
        w = f"{where}/AttendSessions"
        start = self.date(el, "AttendanceStartDate", w, required=True)
        if pd.isna(start):
            return
        tokens = tokenise_marks(_text(el, "AttendanceMarks"))
        unknown = sorted({t for t in tokens if t.upper() not in _KNOWN_CODES})
        if unknown:
            self.note(f"{w}/AttendanceMarks", " ".join(unknown), "unknown register code(s)")
        if start.weekday() >= 5:
            self.note(f"{w}/AttendanceStartDate", str(start.date()),
                      "start date is a weekend; marks start on the next Monday")
        days = np.busday_offset(start.date(), np.arange(len(tokens)) // 2, roll="forward")
        dates = pd.to_datetime(days)
        if len(dates) and pd.notna(self.date_time) and dates.max() >= self.date_time.normalize():
            self.note(f"{w}/AttendanceMarks", str(dates.max().date()),
                      "marks run to or past the file's DateTime")
        self.check_totals(w, tokens, dates, totals)
        for i, (d, code) in enumerate(zip(dates, tokens)):
            tables["attendance_marks"].append(dict(
                upn=upn, school=school, date=d, session="AM" if i % 2 == 0 else "PM",
                code=code))

    def check_totals(self, where, tokens, dates, totals):
        """Note when the YearData totals disagree with the marks they summarise."""
        if not tokens or all(np.isnan(t) for t in totals):
            return
        cls = classify_marks(pd.Series(tokens, dtype="string"), pd.Series(dates))
        counted = (float(cls.isin(["PRESENT", "AUTH", "UNAUTH"]).sum()),
                   float((cls == "AUTH").sum()), float((cls == "UNAUTH").sum()))
        for name, given, got in zip(("SessionsPossible", "SessionsAuthorised",
                                     "SessionsUnauthorised"), totals, counted):
            if not np.isnan(given) and given != got:
                self.note(f"{where[:-len('/AttendSessions')]}/{name}", given,
                          f"{name} is {given:g} but the marks give {got:g}; marks used")

    def sen(self, p, where, upn, tables):
        for k, s in enumerate(p.findall("SENhistory/SEN"), 1):
            w = f"{where}/SENhistory/SEN[{k}]"
            provision = _text(s, "SENprovision")
            if provision is None:
                self.problem(f"{w}/SENprovision", None, _MISSING_REQUIRED.format("SENprovision"))
            needs = []
            for n in s.findall("SENneeds/SENneed"):
                rank = _text(n, "SENtypeRank")
                needs.append((int(rank) if rank and rank.isdigit() else 99,
                              _text(n, "SENtype")))
            needs = [x for x in needs if x[1]]
            tables["sen"].append(dict(
                upn=upn, start_date=self.date(s, "StartDate", w, required=True),
                end_date=self.date(s, "EndDate", w), provision=provision,
                primary_need=min(needs)[1] if needs else pd.NA))


def tokenise_marks(text: str | None) -> list[str]:
    """Split a CTF ``AttendanceMarks`` string into one register code per session.

    Two forms are accepted, since the CTF encoding of the 2024 two-character codes
    is unverified: a plain string with one character per session, in which a letter
    followed by a digit is one code (``C1``, ``C2``, ``J1``, ``Y1``-``Y7``); or tokens
    separated by spaces or commas.

    Examples
    --------
    >>> tokenise_marks("/\\\\C1I")
    ['/', '\\\\', 'C1', 'I']
    >>> tokenise_marks("/ \\\\ Y7,Y7")
    ['/', '\\\\', 'Y7', 'Y7']
    """
    if not text:
        return []
    s = text.strip()
    if re.search(r"[\s,]", s):
        return [t for t in re.split(r"[\s,]+", s) if t]
    out, i = [], 0
    while i < len(s):
        if s[i].isalpha() and i + 1 < len(s) and s[i + 1].isdigit():
            out.append(s[i:i + 2])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return out


def _files(paths) -> list[Path]:
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
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


def _root_name(path: Path) -> str | None:
    try:
        for _event, el in SafeET.iterparse(str(path), events=("start",), forbid_dtd=True):
            return _local(el.tag)
    except (DefusedXmlException, ParseError, OSError):
        return None
    return None


def is_ctf_folder(path) -> bool:
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
    return any(f.is_file() and _root_name(f) == "CTfile" for f in files)


_WARN_COLUMNS = ["file", "element", "value", "problem"]
_EMPTY = {"enrolments": ["upn", "school", "entry_date", "leaving_date", "phase"],
          "suspensions": ["upn", "start_date", "category"]}


def read_ctf(paths, suspensions=None, *, as_of=None, enrol_at_destination=None,
             destination_phase="secondary"):
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
    readers = []
    problems: list[dict] = []
    for path in _files(paths):
        r = _FileReader(path, as_of, enrol_at_destination, destination_phase)
        if not path.is_file():
            r.problem("CTfile", str(path), "file not found")
            problems.extend(r.problems)
            continue
        tables = r.read()
        problems.extend(r.problems)
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


def _load_table(table) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table
    p = Path(table)
    if p.suffix.lower() == ".parquet":
        return pd.read_parquet(p)
    return pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""])
