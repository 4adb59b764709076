"""Write :class:`Records` as Common Transfer Files (CTF XML)."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from ._ctf import CTFWarning
from ._records import Records
from ._typing import DateLike, PathLike

__all__ = ["write_ctf"]

_NOT_WRITTEN = ("CTF has no place for {0}: {1} row(s) not written (CTFs carry no "
                "suspensions; keep the suspensions export alongside).")
_NOT_LAESTAB = ("school id(s) {0} are not 7-digit LAESTABs; written whole in Estab with no "
                "LEA. read_ctf reads them back, but an MIS will not import them.")
_WEEKEND_MARKS = "{0} mark(s) dated on a Saturday or Sunday cannot be written and were dropped."
_BAD_QUALIFIER = "qualifier must be 'full' or 'partial', got {0!r}."
_EAL_LANGUAGE = {True: "OTB", False: "ENG"}  # OTB: believed other than English [M]


def _sub(parent, tag, text=None):
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = str(text)
    return el


def _school(parent, school):
    s = "" if school is None or pd.isna(school) else str(school)
    if len(s) == 7 and s.isdigit():
        _sub(parent, "LEA", s[:3])
        _sub(parent, "Estab", s[3:])
    elif s:
        _sub(parent, "Estab", s)


def _day(ts: DateLike) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def _academic_year(ts: DateLike) -> int:
    ts = pd.Timestamp(ts)
    return ts.year if ts.month >= 9 else ts.year - 1


def _mark_string(group: pd.DataFrame) -> tuple[str, str]:
    """Return ``(start_date, marks)`` for one pupil's marks in one YearData."""
    g = group.sort_values(["date", "session"])
    first, last = g["date"].min(), g["date"].max()
    days = pd.bdate_range(first, last)
    slots: dict[tuple[pd.Timestamp, str], str | None] = {
        (d, s): None for d in days for s in ("AM", "PM")}
    for d, s, c in zip(g["date"], g["session"], g["code"]):
        slots[(pd.Timestamp(d), s)] = str(c)
    tokens = [slots[(d, s)] for d in days for s in ("AM", "PM")]
    if tokens and tokens[-1] is None:
        tokens = tokens[:-1]  # the last day has a mark, so only its PM can be a gap
    marks = ["-" if t is None else t for t in tokens]  # gaps: "no mark" [S]
    sep = " " if any(len(t) != 1 for t in marks) else ""
    return _day(first), sep.join(marks)


def _tables(records: Records) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None,
                                       pd.DataFrame | None, pd.DataFrame]:
    pupils, enrolments, sen = records.pupils, records.enrolments, records.sen
    raw_att = records.raw.get("attendance")
    if raw_att is not None and len(raw_att):
        # Only the given totals: the normalised table also holds day rows built from marks.
        att = Records(pupils=records.raw["pupils"], enrolments=records.raw["enrolments"],
                      attendance=raw_att).attendance
    else:
        att = None
    marks = records.attendance_marks if records.raw.get("attendance_marks") is not None else None
    return pupils, enrolments, att, marks, sen


def write_ctf(records: Records, folder_or_path: PathLike, *, date_time: DateLike | None = None,
              dest_school: str | None = None, version: str = "24.0",
              qualifier: Literal["full", "partial"] = "full",
              supplier_id: str = "pupil-risk-screening",
              sex_element: Literal["Sex", "Gender"] = "Sex") -> list[Path]:
    """Write records as Common Transfer Files.

    Parameters
    ----------
    records : Records
        Records in the input contract (validated on use).
    folder_or_path : str or path
        A path ending ``.xml`` writes every pupil to that one file, with the most
        common current school as the source school. Otherwise a folder (created if
        needed) gets one file per current school (the school of each pupil's latest
        enrolment), named ``{source}_CTF_{dest}_001.xml``.
    date_time : date-like, optional
        ``Header/DateTime``; default ``records.extract_date``, else now. Attendance
        years that end after it are read back as ending on it.
    dest_school : str, optional
        LAESTAB of the destination; default unknown (``MMM``/``MMMM``).
    version : str, default="24.0"
        ``CTFversion``.
    qualifier : {"full", "partial"}, default="full"
        ``DocumentQualifier``.
    supplier_id : str, default="pupil-risk-screening"
    sex_element : {"Sex", "Gender"}, default="Sex"
        Older CTFs use ``Gender``.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Notes
    -----
    What survives :func:`read_ctf` (``write_ctf`` then ``read_ctf`` gives the same
    values): pupils ``upn, date_of_birth, sex, ethnicity, fsm, eal, looked_after``
    (``fsm``/``looked_after`` NA read back as False from a ``full`` file),
    ``nc_year_actual``; enrolments except ``phase``; SEN spells; attendance rows
    that are whole academic years (other periods are summed into academic years);
    session marks on weekdays. Not carried by the CTF: suspensions, enrolment
    ``phase``, extra columns. ``fsm`` True is written as one ``FSMinstance`` from
    the pupil's first entry date (or the file date), open-ended: the history itself
    is not in the records. ``eal`` True is written as first language ``OTB``
    ("believed other than English"). Files are not checked against the DfE XSD and
    carry no names or addresses unless ``surname``/``forename`` columns exist.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from screening.features import Records
    >>> from screening.features._ctf import read_ctf
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["B801200005001"], "date_of_birth": ["2012-11-03"],
    ...                          "sex": ["F"]}),
    ...     enrolments=pd.DataFrame({"upn": ["B801200005001"], "school": ["8012345"],
    ...                              "entry_date": ["2017-09-04"]}),
    ...     attendance=pd.DataFrame({"upn": ["B801200005001"], "school": ["8012345"],
    ...         "period_start": ["2022-09-01"], "period_end": ["2023-08-31"],
    ...         "sessions_possible": [380], "sessions_authorised": [10],
    ...         "sessions_unauthorised": [4]}))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     files = write_ctf(rec, d, date_time="2024-07-10")
    ...     back = read_ctf(files)
    >>> [f.name for f in files], back.raw["attendance"]["sessions_possible"].tolist()
    (['8012345_CTF_MMMMMMM_001.xml'], [380.0])
    """
    if qualifier not in ("full", "partial"):
        raise ValueError(_BAD_QUALIFIER.format(qualifier))
    when = pd.Timestamp(date_time if date_time is not None
                        else records.extract_date or pd.Timestamp.now().floor("s"))
    pupils, enrolments, att, marks, sen = _tables(records)
    given = records.raw.get("suspensions")
    n_susp = len(given) if given is not None else 0
    if n_susp:
        warnings.warn(_NOT_WRITTEN.format("suspensions", n_susp), CTFWarning, stacklevel=2)
    schools = pd.concat([enrolments["school"], att["school"] if att is not None else None,
                         marks["school"] if marks is not None and "school" in marks else None])
    odd = sorted({str(s) for s in schools.dropna() if not (len(str(s)) == 7 and str(s).isdigit())})
    if odd:
        warnings.warn(_NOT_LAESTAB.format(odd[:5]), CTFWarning, stacklevel=2)
    if marks is not None and len(marks):
        weekend = marks["date"].dt.day_of_week >= 5
        if weekend.any():
            warnings.warn(_WEEKEND_MARKS.format(int(weekend.sum())), CTFWarning, stacklevel=2)
            marks = marks[~weekend]

    latest = enrolments.sort_values("entry_date").groupby("upn")["school"].last()
    current = pupils["upn"].map(latest).fillna("")
    target = Path(folder_or_path)
    if target.suffix.lower() == ".xml":
        top = current[current != ""].mode()
        groups = {(top.iloc[0] if len(top) else ""): pupils}
        paths = {next(iter(groups)): target}
        target.parent.mkdir(parents=True, exist_ok=True)
    else:
        target.mkdir(parents=True, exist_ok=True)
        groups = {s: pupils[current == s] for s in sorted(current.unique())}
        dest = dest_school if dest_school is not None else "MMMMMMM"
        paths = {s: target / f"{s or 'unknown'}_CTF_{dest}_001.xml" for s in groups}

    by_upn = {"enrolments": _by_upn(enrolments, "entry_date"),
              "sen": _by_upn(sen, "start_date"),
              "years": _years(att, marks)}
    written = []
    for school, group in groups.items():
        root = ET.Element("CTfile")
        _header(root, when, version, qualifier, supplier_id, school, dest_school)
        data = _sub(root, "CTFpupilData")
        for row in group.to_dict("records"):
            _pupil(data, row, by_upn, when, sex_element)
        ET.indent(root)
        ET.ElementTree(root).write(paths[school], encoding="UTF-8", xml_declaration=True)
        written.append(paths[school])
    return written


def _header(root, when, version, qualifier, supplier_id, school, dest_school):
    h = _sub(root, "Header")
    _sub(h, "DocumentName", "Common Transfer File")
    _sub(h, "CTFversion", version)
    _sub(h, "DateTime", when.strftime("%Y-%m-%dT%H:%M:%S"))
    _sub(h, "DocumentQualifier", qualifier)
    _sub(h, "SupplierID", supplier_id)
    src = _sub(h, "SourceSchool")
    _school(src, school)
    _sub(src, "AcademicYear", _academic_year(when))
    dst = _sub(h, "DestSchool")
    if dest_school is None:
        _sub(dst, "LEA", "MMM")
        _sub(dst, "Estab", "MMMM")
    else:
        _school(dst, dest_school)


def _by_upn(table: pd.DataFrame | None, order: str) -> dict[Any, list[dict[str, Any]]]:
    """``upn -> list of row dicts`` sorted by ``order`` (one pass, not one per pupil)."""
    if table is None or not len(table):
        return {}
    out: dict[Any, list[dict[str, Any]]] = {}
    for row in cast(list[dict[str, Any]], table.sort_values(order).to_dict("records")):
        out.setdefault(row["upn"], []).append(row)
    return out


def _years(att: pd.DataFrame | None, marks: pd.DataFrame | None) -> dict[Any, dict[Any, Any]]:
    """``upn -> {(school, academic year): {"totals": (...), "marks": (start, string)}}``."""
    years: dict[Any, dict[Any, Any]] = {}
    if att is not None and len(att):
        a = att.assign(_year=att["period_start"].dt.year
                       - (att["period_start"].dt.month < 9).astype(int),
                       _school=att["school"].astype("string").fillna(""))
        sums = a.groupby(["upn", "_school", "_year"], sort=True)[
            ["sessions_possible", "sessions_authorised", "sessions_unauthorised"]].sum()
        for (upn, school, year), row in zip(sums.index, sums.to_numpy()):
            years.setdefault(upn, {})[(school, int(year))] = {"totals": tuple(row)}
    if marks is not None and len(marks):
        school = (marks["school"].astype("string").fillna("") if "school" in marks
                  else pd.Series("", index=marks.index))
        m = marks.assign(_year=marks["date"].dt.year - (marks["date"].dt.month < 9).astype(int),
                         _school=school)
        for key, g in m.groupby(["upn", "_school", "_year"], sort=True):
            upn, school, year = cast(tuple[Any, str, int], key)
            years.setdefault(upn, {}).setdefault((school, int(year)), {})["marks"] = \
                _mark_string(g)
    return years


def _pupil(data, p, by_upn, when, sex_element):
    upn = p["upn"]
    el = _sub(data, "Pupil")
    _sub(el, "UPN", upn)
    for col, tag in (("surname", "Surname"), ("forename", "Forename")):
        if pd.notna(p.get(col, np.nan)):
            _sub(el, tag, p[col])
    _sub(el, "DOB", _day(p["date_of_birth"]))
    _sub(el, sex_element, p["sex"])
    basic = _sub(el, "BasicDetails")
    if pd.notna(p.get("nc_year_actual", np.nan)):
        _sub(basic, "NCyearActual", p["nc_year_actual"])
    if pd.notna(p.get("ethnicity", np.nan)):
        _sub(basic, "Ethnicity", p["ethnicity"])
    if pd.notna(p.get("eal", np.nan)):
        t = _sub(_sub(basic, "Languages"), "Type")
        _sub(t, "LanguageType", "F")
        _sub(t, "Language", _EAL_LANGUAGE[bool(p["eal"])])
    if pd.notna(p.get("looked_after", np.nan)):
        _sub(_sub(el, "LookedAfter"), "InCare", str(bool(p["looked_after"])).lower())
    sen = by_upn["sen"].get(upn)
    if sen:
        hist = _sub(el, "SENhistory")
        for s in sen:
            x = _sub(hist, "SEN")
            _sub(x, "StartDate", _day(s["start_date"]))
            if pd.notna(s["end_date"]):
                _sub(x, "EndDate", _day(s["end_date"]))
            _sub(x, "SENprovision", s["provision"])
            if pd.notna(s.get("primary_need", np.nan)):
                need = _sub(_sub(x, "SENneeds"), "SENneed")
                _sub(need, "SENtype", s["primary_need"])
                _sub(need, "SENtypeRank", 1)
    enrol = by_upn["enrolments"].get(upn, [])
    if pd.notna(p.get("fsm", np.nan)):
        fsm = _sub(el, "FSMhistory")
        if bool(p["fsm"]):
            start = min([e["entry_date"] for e in enrol] + [when - pd.Timedelta(days=1)])
            inst = _sub(fsm, "FSMinstance")
            _sub(inst, "FSMstartDate", _day(start))
            _sub(inst, "UKcountry", "ENG")
    _attendance(el, by_upn["years"].get(upn))
    if enrol:
        hist = _sub(el, "SchoolHistory")
        for e in enrol:
            x = _sub(hist, "School")
            _school(x, e["school"])
            _sub(x, "EntryDate", _day(e["entry_date"]))
            if pd.notna(e["leaving_date"]):
                _sub(x, "LeavingDate", _day(e["leaving_date"]))
            reason = e.get("leaving_reason", np.nan)
            if pd.notna(reason):
                _sub(x, "LeavingReason", reason)


def _attendance(el, years):
    if not years:
        return
    node = _sub(el, "Attendance")
    for (school, year), parts in sorted(years.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        yd = _sub(node, "YearData")
        _sub(yd, "Year", year)
        _school(yd, school or None)
        if "totals" in parts:
            pos, auth, unauth = (int(v) for v in parts["totals"])
            _sub(yd, "SessionsPossible", pos)
            _sub(yd, "SessionsAuthorised", auth)
            _sub(yd, "SessionsAttended", pos - auth - unauth)
            _sub(yd, "SessionsUnauthorised", unauth)
        if "marks" in parts:
            s = _sub(yd, "AttendSessions")
            _sub(s, "AttendanceStartDate", parts["marks"][0])
            _sub(s, "AttendanceMarks", parts["marks"][1])
