"""CTF attendance marks: split a mark string into sessions, date them, total them."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ._codes import ATTENDANCE_CODES_2024, ATTENDANCE_CODES_PRE_2024, MISSING_MARK, classify_marks

#: Every register code of either code set, and the "no mark" sign.
KNOWN_CODES = set(ATTENDANCE_CODES_PRE_2024) | set(ATTENDANCE_CODES_2024) | {MISSING_MARK}


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


def session_dates(start: pd.Timestamp, n_tokens: int) -> pd.DatetimeIndex:
    """Dates of ``n_tokens`` sessions from ``start``: AM then PM on each weekday.

    A weekend start rolls forward to Monday.

    Examples
    --------
    >>> session_dates(pd.Timestamp("2024-01-05"), 3).strftime("%a %d").tolist()
    ['Fri 05', 'Fri 05', 'Mon 08']
    """
    days = np.busday_offset(np.datetime64(start.date(), "D"), np.arange(n_tokens) // 2,
                            roll="forward")
    return pd.to_datetime(days)


def mark_totals(tokens: list[str], dates: pd.DatetimeIndex) -> tuple[float, float, float]:
    """Possible, authorised and unauthorised sessions that the marks give."""
    cls = classify_marks(pd.Series(tokens, dtype="string"), pd.Series(dates))
    return (float(cls.isin(["PRESENT", "AUTH", "UNAUTH"]).sum()),
            float((cls == "AUTH").sum()), float((cls == "UNAUTH").sum()))
