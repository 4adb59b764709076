"""Assemble the contract tables from one CTF file (pupils, enrolments, attendance, SEN).

What is read and the assumptions made are listed in the docstring of
:func:`screening.features.read_ctf`; this module does the reading for one file.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._ctf_marks import KNOWN_CODES, mark_totals, session_dates, tokenise_marks
from ._ctf_names import NEAR_MISS_READ, canonicalise
from ._typing import DateLike
from ._xml import UnreadableXML, child_text, local_name, parse_xml

NOT_CTF = ("root element is '{0}', not 'CTfile': this is not a Common Transfer File. "
           "Pass only CTF XML files.")
MISSING_REQUIRED = "required element '{0}' is missing or empty"
BAD_DATE = "'{0}' is not a date (expected YYYY-MM-DD)"
BAD_NUMBER = "'{0}' is not a whole number of sessions"
NESTED_TOO_DEEP = ("elements are nested too deeply to be a CTF (a damaged or hostile file); "
                   "re-export the CTF")
BAD_YEAR = ("'{0}' is not an academic year: write the year it starts in, as four digits "
            "(e.g. 2023 for 2023/24)")
#: At most this many session marks per YearData (an academic year has at most 366
#: days, two sessions each); more is a damaged or hostile file, and reading it would
#: take time and memory without bound.
MAX_MARKS = 732
MAX_MARK_CHARS = 8 * MAX_MARKS  # separators and two-character codes included
TOO_MANY_MARKS = ("AttendanceMarks holds {n:,} marks or characters; one YearData covers one "
                  "academic year, at most {most} sessions: re-export the file")
_YEAR = re.compile(r"\d{4}", re.ASCII)
PLACEHOLDER = re.compile(r"^M+$")  # LEA "MMM" / Estab "MMMM": destination unknown [M]
EN_LANGUAGES = {"ENG", "ENB"}
FSM_YEARS = 6


class CTFFileReader:
    """Parse one CTF file into raw contract tables, collecting problems and notes."""

    def __init__(self, path: Path, as_of: DateLike | None,
                 enrol_at_destination: DateLike | None, destination_phase: str) -> None:
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
        txt = child_text(el, path)
        if txt is None:
            if required:
                self.problem(f"{where}/{path}", None, MISSING_REQUIRED.format(path))
            return pd.NaT
        try:
            return pd.Timestamp(datetime.strptime(txt[:10], "%Y-%m-%d"))
        except ValueError:
            self.problem(f"{where}/{path}", txt, BAD_DATE.format(txt))
            return pd.NaT

    def number(self, el, path, where):
        txt = child_text(el, path)
        if txt is None:
            return np.nan
        try:
            value = float(txt)
        except ValueError:
            value = np.nan
        if not np.isfinite(value) or value < 0 or value != int(value):
            self.problem(f"{where}/{path}", txt, BAD_NUMBER.format(txt))
            return np.nan
        return value

    # -- whole file
    def read(self) -> dict[str, list[dict[str, Any]]] | None:
        try:
            root = parse_xml(self.path)
        except UnreadableXML as exc:
            self.problem("CTfile", None, str(exc))
            return None
        name = local_name(root.tag)
        if name != "CTfile":
            if name.lower() == "ctfile":
                self.note(name, name, NEAR_MISS_READ.format(name, "CTfile"))
            else:
                self.problem(name, name, NOT_CTF.format(name))
                return None
        try:
            canonicalise(root, self.fname, self.notes)
        except RecursionError:  # known elements nested inside each other without end
            self.problem(name, None, NESTED_TOO_DEEP)
            return None
        header = root.find("Header")
        self.date_time = self.date(header, "DateTime", "CTfile/Header", required=True)
        self.qualifier = (child_text(header, "DocumentQualifier") or "full").lower()
        self.source = self.school(header, "SourceSchool")
        self.dest = self.school(header, "DestSchool")
        self.ref = pd.Timestamp(self.as_of) if self.as_of is not None else self.date_time
        tables: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("pupils", "enrolments", "attendance", "attendance_marks", "sen")}
        for i, pupil in enumerate(root.findall("CTFpupilData/Pupil"), 1):
            self.pupil(pupil, f"CTfile/CTFpupilData/Pupil[{i}]", tables)
        return tables

    def school(self, el, path):
        lea, estab = child_text(el, f"{path}/LEA"), child_text(el, f"{path}/Estab")
        if estab is None or PLACEHOLDER.match(estab) or (lea and PLACEHOLDER.match(lea)):
            return None
        return (lea or "") + estab

    def flag(self, text):
        if text is None:
            return pd.NA
        return {"TRUE": True, "1": True, "Y": True, "YES": True,
                "FALSE": False, "0": False, "N": False, "NO": False}.get(text.upper(), pd.NA)

    # -- one pupil
    def pupil(self, p, where, tables):
        upn = child_text(p, "UPN")
        if upn is None:
            self.problem(f"{where}/UPN", None, MISSING_REQUIRED.format("UPN"))
        dob = self.date(p, "DOB", where, required=True)
        sex = child_text(p, "Sex") or child_text(p, "Gender")
        if sex is None:
            self.problem(f"{where}/Sex", None, MISSING_REQUIRED.format("Sex (or Gender)"))
        full = self.qualifier != "partial"
        ethnicity = child_text(p, "BasicDetails/Ethnicity") or child_text(p, "Ethnicity")
        row = dict(upn=upn, date_of_birth=dob, sex=sex, ethnicity=ethnicity,
                   fsm=self.fsm(p, where, full), eal=self.eal(p),
                   looked_after=self.looked_after(p, where, full),
                   nc_year_actual=child_text(p, "BasicDetails/NCyearActual"))
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
        lo = self.ref - pd.DateOffset(years=FSM_YEARS)
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
                kind = (child_text(t, "LanguageType") or "F").upper()
                if kind in ("F", "FIRST", "FLNG") and first is None:
                    first = child_text(t, "Language")
            elif first is None and t.text and t.text.strip():
                first = t.text.strip()
        return pd.NA if first is None else first.upper() not in EN_LANGUAGES

    def looked_after(self, p, where, full):
        la = p.find("LookedAfter")
        if la is None:
            return False if full else pd.NA
        text = child_text(la, "InCare")
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
                self.problem(f"{w}/Estab", None, MISSING_REQUIRED.format("LEA/Estab"))
            entry = self.date(s, "EntryDate", w, required=True)
            schools.add(school)
            tables["enrolments"].append(dict(
                upn=upn, school=school, entry_date=entry,
                leaving_date=self.date(s, "LeavingDate", w), phase=pd.NA,
                leaving_reason=child_text(s, "LeavingReason")))
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
            year_txt = child_text(yd, "Year")
            if year_txt is None:
                self.problem(f"{w}/Year", year_txt, MISSING_REQUIRED.format("Year"))
                continue
            if not _YEAR.fullmatch(year_txt) or not 1900 <= int(year_txt) <= 2200:
                self.problem(f"{w}/Year", year_txt, BAD_YEAR.format(year_txt))
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
            if marks is not None and child_text(marks, "AttendanceMarks"):
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
        text = child_text(el, "AttendanceMarks")
        # bounded work: one academic year of sessions
        if text is not None and len(text) > MAX_MARK_CHARS:
            self.problem(f"{w}/AttendanceMarks", f"{len(text):,} characters",
                         TOO_MANY_MARKS.format(n=len(text), most=MAX_MARKS))
            return
        tokens = tokenise_marks(text)
        if len(tokens) > MAX_MARKS:
            self.problem(f"{w}/AttendanceMarks", f"{len(tokens):,} marks",
                         TOO_MANY_MARKS.format(n=len(tokens), most=MAX_MARKS))
            return
        unknown = sorted({t for t in tokens if t.upper() not in KNOWN_CODES})
        if unknown:
            self.note(f"{w}/AttendanceMarks", " ".join(unknown), "unknown register code(s)")
        if start.weekday() >= 5:
            self.note(f"{w}/AttendanceStartDate", str(start.date()),
                      "start date is a weekend; marks start on the next Monday")
        dates = session_dates(start, len(tokens))
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
        counted = mark_totals(tokens, dates)
        for name, given, got in zip(("SessionsPossible", "SessionsAuthorised",
                                     "SessionsUnauthorised"), totals, counted):
            if not np.isnan(given) and given != got:
                self.note(f"{where[:-len('/AttendSessions')]}/{name}", given,
                          f"{name} is {given:g} but the marks give {got:g}; marks used")

    def sen(self, p, where, upn, tables):
        for k, s in enumerate(p.findall("SENhistory/SEN"), 1):
            w = f"{where}/SENhistory/SEN[{k}]"
            provision = child_text(s, "SENprovision")
            if provision is None:
                self.problem(f"{w}/SENprovision", None, MISSING_REQUIRED.format("SENprovision"))
            needs = []
            for n in s.findall("SENneeds/SENneed"):
                rank = child_text(n, "SENtypeRank")
                needs.append((int(rank) if rank and rank.isdigit() else 99,
                              child_text(n, "SENtype")))
            needs = [x for x in needs if x[1]]
            tables["sen"].append(dict(
                upn=upn, start_date=self.date(s, "StartDate", w, required=True),
                end_date=self.date(s, "EndDate", w), provision=provision,
                primary_need=min(needs)[1] if needs else pd.NA))
