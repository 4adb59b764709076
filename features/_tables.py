"""Parse each table of the input contract into its normalised schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import _messages as M
from ._codes import CATEGORY_CODES, MARK_CLASSES, PROVISION_CODES, SEX_CODES, mark_class_index
from ._date_columns import compare_dates, date_column
from ._schema import (
    BOOLEANS,
    COUNTS,
    DATES,
    EARLIEST,
    MAY_BE_FUTURE,
    REQUIRED,
    SCHEMA,
    SESSIONS,
    na_column,
)
from ._text_columns import booleans, coded, factor, numbers, optional_text, take, text_column

if TYPE_CHECKING:
    from ._problems import Problems


def parse_table(name: str, df: pd.DataFrame, P: Problems,
                limit: pd.Timestamp) -> pd.DataFrame | None:
    """Parse one table's schema columns; ``None`` if required columns are missing."""
    missing = [c for c in REQUIRED[name] if c not in df.columns]
    for c in missing:
        P.add(name, c, M.MISSING_COLUMN.format(column=c),
              M.MISSING_COLUMN_FIX.format(column=c, found=", ".join(map(str, df.columns))))
    if missing:
        return None
    out = df.copy(deep=False)
    raw = df
    out["upn"] = text_column(raw, "upn", P=P, table=name)
    for c in DATES[name]:
        if c in raw.columns:
            out[c] = date_column(raw, c, name, P)
            _check_date_range(name, c, out, raw, P, limit)
        else:
            out[c] = pd.Series(np.full(len(raw), np.datetime64("NaT", "ns")), index=raw.index,
                               copy=False)
    _TABLE_PARSERS[name](out, raw, P)
    # empty required values: blank cells of text columns, missing values of typed ones
    for c in REQUIRED[name]:
        blank = P.blank.get((name, c))
        if blank is None:
            blank = raw[c].isna().to_numpy()
        odd = P.odd.get((name, c))
        if odd is not None:  # already reported as not a single value
            blank = blank & ~odd
        P.add_mask(name, c, raw, blank, M.EMPTY_VALUE, M.EMPTY_VALUE_FIX)
    extra = [c for c in out.columns if c not in SCHEMA[name]]
    return out[SCHEMA[name] + extra]


def _check_date_range(name, col, out, raw, P, limit):
    d = out[col]
    P.add_mask(name, col, raw, compare_dates(d, "<", EARLIEST),
               M.DATE_TOO_EARLY.format(earliest=EARLIEST.date()),
               M.DATE_TOO_EARLY_FIX.format(earliest=EARLIEST.date()))
    if (name, col) not in MAY_BE_FUTURE:
        P.add_mask(name, col, raw, compare_dates(d, ">", limit),
                   M.FUTURE_DATE.format(extract=limit.date()), M.FUTURE_DATE_FIX)


def _end_before_start(name, out, raw, start, end, P):
    bad = compare_dates(out[end], "<", out[start])
    P.add_mask(name, end, raw, bad, M.END_BEFORE_START.format(end=end, start=start),
               M.END_BEFORE_START_FIX)


def _pupils(out, raw, P):
    out["sex"] = coded(raw, "sex", "pupils", SEX_CODES, "sex", P,
                        allowed="M, F, Male, Female (any case)")
    out["sex"] = out["sex"].astype("string")
    out["ethnicity"] = optional_text(raw, "ethnicity", "pupils", P, upper=True)
    for c in BOOLEANS:
        if c in raw.columns:
            out[c] = booleans(raw, c, "pupils", P)


def _enrolments(out, raw, P):
    out["school"] = text_column(raw, "school", P=P, table="enrolments")
    out["phase"] = optional_text(raw, "phase", "enrolments", P, lower=True)
    out["leaving_reason"] = optional_text(raw, "leaving_reason", "enrolments", P)
    _end_before_start("enrolments", out, raw, "entry_date", "leaving_date", P)


def _attendance(out, raw, P):
    out["school"] = optional_text(raw, "school", "attendance", P)
    for c in COUNTS:
        out[c] = numbers(raw, c, "attendance", P, whole=True)
        P.add_mask("attendance", c, raw, (out[c] < 0).to_numpy(), M.NEGATIVE_COUNT,
                   M.NEGATIVE_COUNT_FIX)
    absent = out["sessions_authorised"] + out["sessions_unauthorised"]
    P.add_mask("attendance", "sessions_possible", raw,
               (absent > out["sessions_possible"]).to_numpy(), M.ABSENCE_EXCEEDS_POSSIBLE,
               M.ABSENCE_EXCEEDS_POSSIBLE_FIX)
    _end_before_start("attendance", out, raw, "period_start", "period_end", P)


def _marks(out, raw, P):
    out["session"] = coded(raw, "session", "attendance_marks", SESSIONS, "session", P,
                            allowed="AM, PM").astype("string")
    out["code"] = text_column(raw, "code", upper=True, P=P, table="attendance_marks")
    codes, uniq = P.factors[("attendance_marks", "code")]
    idx = mark_class_index(codes, list(uniq), out["date"])
    P.mark_class = idx
    cls = pd.Series(pd.api.extensions.take(pd.array(list(MARK_CLASSES), dtype="string"),
                                           idx.astype(np.intp), allow_fill=True),
                    index=out.index, name="code_class", copy=False)
    unknown = (idx < 0) & (codes >= 0) & out["date"].notna().to_numpy()
    P.add_mask("attendance_marks", "code", raw, unknown,
               M.UNKNOWN_CODE.format(what="attendance mark"),
               M.UNKNOWN_CODE_FIX.format(
                   allowed="the DfE register codes of the date's code set (before or from "
                           "19 August 2024), or '-' for no mark"))
    out["code_class"] = cls


def _suspensions(out, raw, P):
    out["category"] = coded(raw, "category", "suspensions", CATEGORY_CODES, "category", P,
                             allowed="suspension, permanent, FIXD, PERM, LNCH"
                             ).astype("string")
    if "sessions" in raw.columns:
        out["sessions"] = numbers(raw, "sessions", "suspensions", P)
        P.add_mask("suspensions", "sessions", raw, (out["sessions"] < 0).to_numpy(),
                   M.NEGATIVE_COUNT, M.NEGATIVE_COUNT_FIX)
    else:
        out["sessions"] = pd.Series(np.nan, index=raw.index)
    if "reason" in raw.columns:  # "pp, DB" -> "PP;DB"
        codes, txt = factor(raw["reason"], P=P, key=("suspensions", "reason"))
        parts = txt.str.upper().str.replace(",", ";", regex=False).str.split(";")
        joined = [";".join(x.strip() for x in p if x.strip()) or None for p in parts]
        out["reason"] = pd.Series(take(joined, codes, "string"), index=raw.index, copy=False)
    else:
        out["reason"] = na_column(raw, "string")
    out["school"] = optional_text(raw, "school", "suspensions", P)


def _sen(out, raw, P):
    out["provision"] = coded(raw, "provision", "sen", PROVISION_CODES, "provision", P,
                              allowed="K, E (legacy S, A, P, Q; N rows are set aside)"
                              ).astype("string")
    out["primary_need"] = optional_text(raw, "primary_need", "sen", P, upper=True)
    _end_before_start("sen", out, raw, "start_date", "end_date", P)


def _allocations(out, raw, P):
    out["school"] = text_column(raw, "school", P=P, table="allocations")


def _episodes(out, raw, P):
    out["kind"] = text_column(raw, "kind", P=P, table="episodes")  # the LA's own labels
    _end_before_start("episodes", out, raw, "start_date", "end_date", P)


_TABLE_PARSERS = {"pupils": _pupils, "enrolments": _enrolments, "attendance": _attendance,
                  "attendance_marks": _marks, "suspensions": _suspensions, "sen": _sen,
                  "allocations": _allocations, "episodes": _episodes}
