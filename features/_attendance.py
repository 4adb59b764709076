"""Attendance features as of a census date.

Only attendance periods with ``period_end < T`` and register marks dated before
``T`` are used. A period that straddles a window edge counts in proportion to the
days it shares with the window (its sessions are spread evenly over its days), so a
rate over a window is the session-weighted average of the period rates it covers.

Windows (``T`` the census date, months are calendar months):

* last 12 months: ``[T - 12m, T)``;
* last academic year: the whole 1 Sep - 31 Aug year before the one containing ``T``;
* trend: the absence rate over ``[T - 4m, T)`` (about the latest term) minus the
  rate over the 12 months before that, ``[T - 16m, T - 4m)``; positive = worsening.
* unrecorded share: the last 12 months are cut into 12 calendar months; months
  whose middle falls in August are dropped, and so are months starting after the
  *recording frontier*: the latest date that more than half of the cohort's pupils
  with attendance records have a record ending on or after (their "lower median"
  latest ``period_end``), or the pupil's own latest ``period_end`` when that is
  later. The feature is the share of the remaining months on roll (any
  registration) not touched by any of the pupil's attendance records.

  The frontier is the end of the last term the LA has collected for most pupils.
  It used to be the cohort's single latest ``period_end``, so one mid-term leaver's
  partial record (or one school's register marks) pulled the running term's first
  month in for everybody and gave nearly every pupil 1/11 unrecorded at some
  censuses and 0 at others. A pupil's own later records (e.g. daily marks) still
  count for that pupil, and a missing term before the frontier is still a gap.

Missing history is explicit: with no possible sessions recorded in the last 12
months the rates are ``NaN`` and ``attendance_missing`` is True.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._dates import academic_year_start, day, days, months_before
from ._known import known_since
from ._spec import BOOL, NOTE_ABSENCE, NOTE_EXCLUSIONS, NOTE_MISSING, NUMERIC, FeatureSpec

if TYPE_CHECKING:
    from ._cohort import Census

#: Register codes counted in each share of the session-mark mix.
MARK_MIX = {
    "marks_illness_share": ("I", "M"),
    "marks_late_share": ("L", "U"),
    "marks_excluded_share": ("E",),
    "marks_part_time_share": ("C2",),
}
_POSSIBLE_CLASSES = ("PRESENT", "AUTH", "UNAUTH")

DOMAIN = "attendance"

#: The features this domain computes, in the order it returns them.
FEATURES = (
    FeatureSpec(
        "absence_rate_12m", DOMAIN,
        "Share of possible sessions missed (authorised or unauthorised) in the 12 months "
        "before the census.",
        unit="fraction of sessions", direction=1, kind=NUMERIC, label="Absence, last 12 months",
        fairness_note=NOTE_ABSENCE),
    FeatureSpec(
        "unauthorised_rate_12m", DOMAIN,
        "Share of possible sessions missed without authorisation in the 12 months before the "
        "census.",
        unit="fraction of sessions", direction=1, kind=NUMERIC,
        label="Unauthorised absence, last 12 months"),
    FeatureSpec(
        "absence_rate_last_year", DOMAIN,
        "Share of possible sessions missed in the last full academic year (1 Sep - 31 Aug) "
        "before the census.",
        unit="fraction of sessions", direction=1, kind=NUMERIC,
        label="Absence, last academic year", fairness_note=NOTE_ABSENCE),
    FeatureSpec(
        "unauthorised_rate_last_year", DOMAIN,
        "Share of possible sessions missed without authorisation in the last full academic "
        "year.",
        unit="fraction of sessions", direction=1, kind=NUMERIC,
        label="Unauthorised absence, last academic year"),
    FeatureSpec(
        "persistent_absence_12m", DOMAIN,
        "Persistently absent: missed 10% or more of possible sessions in the last 12 months "
        "(blank when no attendance is recorded).",
        unit="yes/no", direction=1, kind=BOOL, label="Persistent absence",
        fairness_note=NOTE_ABSENCE),
    FeatureSpec(
        "severe_absence_12m", DOMAIN,
        "Severely absent: missed 50% or more of possible sessions in the last 12 months "
        "(blank when no attendance is recorded).",
        unit="yes/no", direction=1, kind=BOOL, label="Severe absence", fairness_note=NOTE_ABSENCE),
    FeatureSpec(
        "absence_trend", DOMAIN,
        "Absence rate over the last 4 months minus the rate over the 12 months before those; "
        "positive means attendance is getting worse.",
        unit="fraction of sessions", direction=1, kind=NUMERIC, label="Absence rising"),
    FeatureSpec(
        "attendance_missing", DOMAIN,
        "No attendance with possible sessions is recorded in the last 12 months (the absence "
        "rates are then blank, not zero).",
        unit="yes/no", direction=0, kind=BOOL, label="No attendance record",
        fairness_note=NOTE_MISSING),
    FeatureSpec(
        "attendance_unrecorded_share", DOMAIN,
        "Share of school months (August excluded) on roll in the last 12 months with no "
        "attendance record covering them; months after the last term recorded for most pupils "
        "(e.g. the term running at the census) are not counted unless the pupil has a record "
        "in them.",
        unit="fraction of months", direction=0, kind=NUMERIC, label="Gaps in attendance records",
        fairness_note=NOTE_MISSING),
    FeatureSpec(
        "marks_illness_share", DOMAIN,
        "Share of possible sessions in the last 12 months marked illness (I) or medical "
        "appointment (M); blank without register marks.",
        unit="fraction of sessions", direction=0, kind=NUMERIC, label="Absence for illness",
        fairness_note=NOTE_ABSENCE),
    FeatureSpec(
        "marks_unauthorised_share", DOMAIN,
        "Share of possible sessions in the last 12 months with an unauthorised mark (G, N, O, "
        "U); blank without register marks.",
        unit="fraction of sessions", direction=1, kind=NUMERIC, label="Unauthorised absence marks"),
    FeatureSpec(
        "marks_late_share", DOMAIN,
        "Share of possible sessions in the last 12 months marked late (L before, U after the "
        "register closed); blank without register marks.",
        unit="fraction of sessions", direction=1, kind=NUMERIC, label="Late arrivals"),
    FeatureSpec(
        "marks_excluded_share", DOMAIN,
        "Share of possible sessions in the last 12 months marked E (excluded, no alternative "
        "provision); blank without register marks.",
        unit="fraction of sessions", direction=1, kind=NUMERIC, label="Sessions excluded",
        fairness_note=NOTE_EXCLUSIONS),
    FeatureSpec(
        "marks_part_time_share", DOMAIN,
        "Share of possible sessions in the last 12 months marked C2 (part-time timetable); "
        "blank without register marks.",
        unit="fraction of sessions", direction=1, kind=NUMERIC, label="Part-time timetable"),
    FeatureSpec(
        "marks_missing", DOMAIN,
        "No session-level register marks in the last 12 months (the mark shares are then "
        "blank).",
        unit="yes/no", direction=0, kind=BOOL, label="No register marks",
        fairness_note=NOTE_MISSING),
)


def _window_sums(pos, start, end, values, a, b, n):
    """Sum ``values`` per pupil, each weighted by its period's share of days in [a, b)."""
    length = end - start + 1.0
    overlap = np.clip(np.minimum(end + 1.0, b) - np.maximum(start, a), 0.0, None)
    w = overlap / length
    hit = w > 0
    return [np.bincount(pos[hit], weights=v[hit] * w[hit], minlength=n) for v in values]


def _rate(num, den):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _flag(rate, threshold):
    return np.where(np.isnan(rate), np.nan, (rate >= threshold).astype("float64"))


def _month_bins(T):
    """Twelve calendar-month bins [T-12m+k, T-12m+k+1) as day numbers, and school-month mask."""
    edges = [T - pd.DateOffset(months=12 - k) for k in range(13)]
    lo = np.array([day(e) for e in edges[:-1]])
    hi = np.array([day(e) for e in edges[1:]])
    mid = [e + (f - e) / 2 for e, f in zip(edges[:-1], edges[1:])]
    school = np.array([m.month != 8 for m in mid])  # August has no sessions
    return lo[school], hi[school]


def _frontier(pos, end, n):
    """Per-pupil last day whose month can count: max(cohort frontier, own latest end).

    The cohort frontier is the lower median of the pupils' latest ``period_end``:
    the latest date that more than half of the pupils with a record reach. With no
    record in the cohort at all, every month counts (and is unrecorded).
    """
    latest = np.full(n, -np.inf)
    np.maximum.at(latest, pos, end)
    seen = latest[np.isfinite(latest)]
    if not len(seen):
        return np.full(n, np.inf)
    k = (len(seen) + 1) // 2 - 1
    cohort = np.partition(seen, k)[k]
    return np.maximum(latest, cohort)


def _coverage(census, pos, start, end):
    """Share of school months on roll in the last 12 months with no attendance record.

    A month counts for a pupil only when it starts on or before the pupil's
    frontier (see :func:`_frontier`): a term still running at ``T`` has no record
    yet for most pupils, and must not count as a gap for anybody.
    """
    n = census.n
    lo, hi = _month_bins(census.as_of)
    limit = _frontier(pos, end, n)
    enr = census.enrolments
    epos = enr["pos"].to_numpy()
    entry = enr["entry"].to_numpy()
    leave = enr["leave"].to_numpy()
    leave = np.where(np.isnan(leave), np.inf, leave)
    on_months = np.zeros(n)
    bare_months = np.zeros(n)
    for a, b in zip(lo, hi):
        on = (np.bincount(epos[(entry < b) & (leave >= a)], minlength=n) > 0) & (a <= limit)
        rec = np.bincount(pos[(start < b) & (end >= a)], minlength=n) > 0
        on_months += on
        bare_months += on & ~rec
    return _rate(bare_months, on_months)


def _mark_mix(census, marks):
    """Shares of possible sessions (last 12 months) by register code group."""
    n = census.n
    out = {name: np.full(n, np.nan) for name in
           ("marks_illness_share", "marks_unauthorised_share", *MARK_MIX)}
    if marks is None or len(marks) == 0:
        return out, np.ones(n, dtype=bool)
    pos = census.positions(marks)
    d = days(marks["date"])
    keep = (pos >= 0) & known_since(d, months_before(census.as_of, 12), census.t)
    if not keep.any():
        return out, np.ones(n, dtype=bool)
    m = marks[keep]
    pos = pos[keep]
    code = m["code"].astype("string").str.strip().str.upper()
    if "code_class" in m.columns:
        cls = m["code_class"].astype("string")
    else:  # older normalised tables: classify here
        from ._codes import classify_marks
        cls = classify_marks(code, m["date"])
    possible = cls.isin(_POSSIBLE_CLASSES).fillna(False).to_numpy(dtype=bool)
    den = np.bincount(pos[possible], minlength=n).astype("float64")
    unauth = (cls == "UNAUTH").fillna(False).to_numpy(dtype=bool) & possible
    out["marks_unauthorised_share"] = _rate(np.bincount(pos[unauth], minlength=n), den)
    for name, codes in MARK_MIX.items():
        hit = code.isin(codes).fillna(False).to_numpy(dtype=bool) & possible
        out[name] = _rate(np.bincount(pos[hit], minlength=n), den)
    return out, den == 0


def attendance_features(census: Census, attendance: pd.DataFrame,
                        marks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the attendance features of every pupil in ``census``.

    Parameters
    ----------
    census : Census
        From :func:`features._cohort.build_census`.
    attendance : pandas.DataFrame
        The normalised attendance table.
    marks : pandas.DataFrame, optional
        The normalised session marks (for the code mix).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FEATURES`, indexed like ``census.upns``.
    """
    n, t, T = census.n, census.t, census.as_of
    ay = academic_year_start(T)
    win = {
        "12m": (months_before(T, 12), t),
        "last_year": (day(ay - pd.DateOffset(years=1)), day(ay)),
        "recent": (months_before(T, 4), t),
        "prior": (months_before(T, 16), months_before(T, 4)),
    }
    earliest = min(a for a, _ in win.values())
    pos = census.positions(attendance)
    rows = np.flatnonzero(pos >= 0)  # the cohort's periods: the dates of only these
    start = days(attendance["period_start"].to_numpy()[rows])
    end = days(attendance["period_end"].to_numpy()[rows])
    keep = known_since(end, earliest, t) & (start <= end)  # by period_end
    rows, start, end = rows[keep], start[keep], end[keep]
    pos = pos[rows]
    vals = [np.nan_to_num(attendance[c].to_numpy(dtype="float64")[rows]) for c in
            ("sessions_possible", "sessions_authorised", "sessions_unauthorised")]

    sums = {k: _window_sums(pos, start, end, vals, a, b, n) for k, (a, b) in win.items()}
    rate = {k: _rate(s[1] + s[2], s[0]) for k, s in sums.items()}
    unauth = {k: _rate(s[2], s[0]) for k, s in sums.items()}

    mix, no_marks = _mark_mix(census, marks)
    out = pd.DataFrame({
        "absence_rate_12m": rate["12m"],
        "unauthorised_rate_12m": unauth["12m"],
        "absence_rate_last_year": rate["last_year"],
        "unauthorised_rate_last_year": unauth["last_year"],
        "persistent_absence_12m": _flag(rate["12m"], 0.10),
        "severe_absence_12m": _flag(rate["12m"], 0.50),
        "absence_trend": rate["recent"] - rate["prior"],
        "attendance_missing": ~(sums["12m"][0] > 0),
        "attendance_unrecorded_share": _coverage(census, pos, start, end),
        **mix,
        "marks_missing": no_marks,
    }, index=census.upns)
    return out
