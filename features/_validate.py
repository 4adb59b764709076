"""Parse raw tables into the normalised schema, collecting every problem.

This is a first working version; see ``Records`` for the schema.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._errors import InputError, problem_frame

_REQUIRED = {
    "pupils": ["upn", "date_of_birth", "sex"],
    "enrolments": ["upn", "school", "entry_date"],
    "attendance": ["upn", "period_start", "period_end", "sessions_possible",
                   "sessions_authorised", "sessions_unauthorised"],
    "attendance_marks": ["upn", "date", "session", "code"],
    "suspensions": ["upn", "start_date", "category"],
    "sen": ["upn", "start_date", "provision"],
}
_DATES = {
    "pupils": ["date_of_birth"],
    "enrolments": ["entry_date", "leaving_date"],
    "attendance": ["period_start", "period_end"],
    "attendance_marks": ["date"],
    "suspensions": ["start_date"],
    "sen": ["start_date", "end_date"],
}
_SEX = {"M": "M", "F": "F", "MALE": "M", "FEMALE": "F"}
_CATEGORY = {"SUSPENSION": "suspension", "FIXD": "suspension", "LNCH": "suspension",
             "FIXED": "suspension", "PERMANENT": "permanent", "PERM": "permanent"}
_PROVISION = {"K": "K", "E": "E", "S": "E", "A": "K", "P": "K", "Q": "K", "N": "N"}
_BOOL = {"1": True, "0": False, "TRUE": True, "FALSE": False, "Y": True, "N": False,
         "YES": True, "NO": False, "T": True, "F": False}


def _empty(name):
    cols = _REQUIRED[name] + [c for c in _DATES[name] if c not in _REQUIRED[name]]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})


def _parse_dates(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.astype("datetime64[ns]")
    txt = s.astype("string").str.strip()
    iso = pd.to_datetime(txt, format="%Y-%m-%d", errors="coerce")
    if iso.notna().sum() >= txt.notna().sum():
        return iso
    uk = pd.to_datetime(txt, format="%d/%m/%Y", errors="coerce")
    return uk if uk.notna().sum() > iso.notna().sum() else iso


def _parse_bool(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        return s.astype("boolean")
    key = s.astype("string").str.strip().str.upper()
    return key.map(_BOOL).astype("boolean")


def normalise(raw: dict) -> tuple[dict, pd.DataFrame]:
    """Return ``(clean_tables, warnings)`` or raise :class:`InputError`."""
    problems: list[dict] = []
    clean: dict[str, pd.DataFrame] = {}
    for name in _REQUIRED:
        df = raw.get(name)
        if df is None:
            if name in ("pupils", "enrolments") or (
                name == "attendance" and raw.get("attendance_marks") is None
            ):
                problems.append(dict(table=name, row=None, column=None, value=None,
                                     problem=f"required table '{name}' is missing"))
            clean[name] = _empty(name)
            continue
        df = df.copy()
        missing = [c for c in _REQUIRED[name] if c not in df.columns]
        for c in missing:
            problems.append(dict(table=name, row=None, column=c, value=None,
                                 problem=f"required column '{c}' is missing"))
        if missing:
            clean[name] = _empty(name)
            continue
        df["upn"] = df["upn"].astype("string").str.strip()
        for c in _DATES[name]:
            if c in df.columns:
                df[c] = _parse_dates(df[c])
            else:
                df[c] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
        clean[name] = df

    p = clean["pupils"]
    if "sex" in p:
        p["sex"] = p["sex"].astype("string").str.strip().str.upper().map(_SEX)
    for c in ("fsm", "eal", "looked_after"):
        if c in p:
            p[c] = _parse_bool(p[c])
    if "ethnicity" in p:
        p["ethnicity"] = p["ethnicity"].astype("string").str.strip().str.upper()

    e = clean["enrolments"]
    e["school"] = e["school"].astype("string").str.strip()
    if "phase" in e:
        e["phase"] = e["phase"].astype("string").str.strip().str.lower()
    else:
        e["phase"] = pd.Series(pd.NA, index=e.index, dtype="string")

    a = clean["attendance"]
    for c in ("sessions_possible", "sessions_authorised", "sessions_unauthorised"):
        a[c] = pd.to_numeric(a[c], errors="coerce").astype("float64")
    if "school" not in a:
        a["school"] = pd.Series(pd.NA, index=a.index, dtype="string")

    s = clean["suspensions"]
    s["category"] = s["category"].astype("string").str.strip().str.upper().map(_CATEGORY)
    s["sessions"] = (pd.to_numeric(s["sessions"], errors="coerce").astype("float64")
                     if "sessions" in s else np.nan)
    for c in ("reason", "school"):
        if c not in s:
            s[c] = pd.Series(pd.NA, index=s.index, dtype="string")

    n = clean["sen"]
    n["provision"] = n["provision"].astype("string").str.strip().str.upper().map(_PROVISION)
    n = n[n["provision"] != "N"].copy()
    if "primary_need" not in n:
        n["primary_need"] = pd.Series(pd.NA, index=n.index, dtype="string")
    clean["sen"] = n

    if problems:
        raise InputError(problem_frame(problems))
    return clean, problem_frame()
