"""The feature dictionary: what every model feature of :func:`features.build` means.

One row per feature, in the column order of ``build`` (after ``school``).
``direction`` is +1 when a higher value means more risk, -1 when a lower value does,
0 when there is no expected direction (or the feature is categorical). Models may use
it for monotone constraints; ``label`` is the short name used in reasons.
"""

from __future__ import annotations

import pandas as pd

from . import _sen

_SUSP = ("Exclusions record decisions by schools. Rates differ by ethnicity, SEN, "
         "disadvantage and school, so past practice is learned along with behaviour.")
_SEN = ("SEN is closely linked to disability, a protected characteristic; check the "
        "audit by SEN status before acting on scores driven by it.")
_ATT = ("Absence includes illness and disability-related absence; check the audit by "
        "SEN and disadvantage.")
_MISS = ("Missing records are more common for pupils who move often (e.g. looked-after "
         "or Traveller pupils); this marks a data gap, not behaviour.")
_SCHOOL = ("Encodes school practice, not the pupil's behaviour: pupils at schools that "
           "exclude a lot get higher scores because of the school. Review flags by "
           "school, and consider fitting without this feature when the aim is to "
           "compare pupils across schools.")

_N, _B, _C = "numeric", "bool", "categorical"

#: feature, domain, meaning, unit, direction, kind, label, fairness_note
_ROWS = [
    ("year_group", "transition", "National-curriculum year group at the census (from date "
     "of birth: age on the 31 August before the academic year, minus 4).", "year", 1, _N,
     "Year group", ""),
    # attendance
    ("absence_rate_12m", "attendance", "Share of possible sessions missed (authorised or "
     "unauthorised) in the 12 months before the census.", "fraction of sessions", 1, _N,
     "Absence, last 12 months", _ATT),
    ("unauthorised_rate_12m", "attendance", "Share of possible sessions missed without "
     "authorisation in the 12 months before the census.", "fraction of sessions", 1, _N,
     "Unauthorised absence, last 12 months", ""),
    ("absence_rate_last_year", "attendance", "Share of possible sessions missed in the "
     "last full academic year (1 Sep - 31 Aug) before the census.", "fraction of sessions",
     1, _N, "Absence, last academic year", _ATT),
    ("unauthorised_rate_last_year", "attendance", "Share of possible sessions missed without "
     "authorisation in the last full academic year.", "fraction of sessions", 1, _N,
     "Unauthorised absence, last academic year", ""),
    ("persistent_absence_12m", "attendance", "Persistently absent: missed 10% or more of "
     "possible sessions in the last 12 months (blank when no attendance is recorded).",
     "yes/no", 1, _B, "Persistent absence", _ATT),
    ("severe_absence_12m", "attendance", "Severely absent: missed 50% or more of possible "
     "sessions in the last 12 months (blank when no attendance is recorded).", "yes/no",
     1, _B, "Severe absence", _ATT),
    ("absence_trend", "attendance", "Absence rate over the last 4 months minus the rate over "
     "the 12 months before those; positive means attendance is getting worse.",
     "fraction of sessions", 1, _N, "Absence rising", ""),
    ("attendance_missing", "attendance", "No attendance with possible sessions is recorded in "
     "the last 12 months (the absence rates are then blank, not zero).", "yes/no", 0, _B,
     "No attendance record", _MISS),
    ("attendance_unrecorded_share", "attendance", "Share of school months (August excluded) "
     "on roll in the last 12 months with no attendance record covering them; months after "
     "the last term recorded for most pupils (e.g. the term running at the census) are "
     "not counted unless the pupil has a record in them.",
     "fraction of months", 0, _N, "Gaps in attendance records", _MISS),
    ("marks_illness_share", "attendance", "Share of possible sessions in the last 12 months "
     "marked illness (I) or medical appointment (M); blank without register marks.",
     "fraction of sessions", 0, _N, "Absence for illness", _ATT),
    ("marks_unauthorised_share", "attendance", "Share of possible sessions in the last 12 "
     "months with an unauthorised mark (G, N, O, U); blank without register marks.",
     "fraction of sessions", 1, _N, "Unauthorised absence marks", ""),
    ("marks_late_share", "attendance", "Share of possible sessions in the last 12 months "
     "marked late (L before, U after the register closed); blank without register marks.",
     "fraction of sessions", 1, _N, "Late arrivals", ""),
    ("marks_excluded_share", "attendance", "Share of possible sessions in the last 12 months "
     "marked E (excluded, no alternative provision); blank without register marks.",
     "fraction of sessions", 1, _N, "Sessions excluded", _SUSP),
    ("marks_part_time_share", "attendance", "Share of possible sessions in the last 12 months "
     "marked C2 (part-time timetable); blank without register marks.",
     "fraction of sessions", 1, _N, "Part-time timetable", ""),
    ("marks_missing", "attendance", "No session-level register marks in the last 12 months "
     "(the mark shares are then blank).", "yes/no", 0, _B, "No register marks", _MISS),
    # suspensions
    ("suspensions_12m", "suspensions", "Number of suspensions starting in the 12 months "
     "before the census (any school).", "count", 1, _N, "Suspensions, last 12 months", _SUSP),
    ("suspensions_ever", "suspensions", "Number of suspensions ever recorded before the "
     "census.", "count", 1, _N, "Suspensions, ever", _SUSP),
    ("suspension_sessions_12m", "suspensions", "Sessions (half days) lost to suspensions in "
     "the last 12 months, where the length is recorded.", "sessions", 1, _N,
     "Sessions lost to suspension", _SUSP),
    ("has_any_exclusion", "suspensions", "Any suspension or permanent exclusion ever "
     "recorded before the census.", "yes/no", 1, _B, "Ever suspended or excluded", _SUSP),
    ("days_since_last_exclusion", "suspensions", "Days since the most recent suspension or "
     "permanent exclusion (blank when there has been none).", "days", -1, _N,
     "Recent suspension", _SUSP),
    ("repeat_suspensions_12m", "suspensions", "Two or more suspensions in the last 12 "
     "months.", "yes/no", 1, _B, "Repeated suspensions", _SUSP),
    ("exclusions_violence_ever", "suspensions", "Suspensions or exclusions ever with a "
     "violence-related reason (assault, verbal abuse or threats, weapons, racist or other "
     "abuse).", "count", 1, _N, "Exclusions for violence or abuse", _SUSP),
    ("exclusions_disruption_ever", "suspensions", "Suspensions or exclusions ever for "
     "persistent disruptive behaviour.", "count", 1, _N, "Exclusions for disruption", _SUSP),
    ("exclusions_other_ever", "suspensions", "Suspensions or exclusions ever for any other "
     "recorded reason.", "count", 1, _N, "Exclusions for other reasons", _SUSP),
    ("permanent_exclusion_ever", "suspensions", "Permanently excluded at some point before "
     "the census.", "yes/no", 1, _B, "Previously permanently excluded", _SUSP),
    # SEN
    ("sen_provision", "sen", "SEN provision at the census: none, SEN support or EHC plan.",
     "category", 0, _C, "SEN provision", _SEN),
    ("sen_ever", "sen", "Any SEN spell recorded before the census.", "yes/no", 1, _B,
     "Ever had SEN", _SEN),
    ("sen_primary_need", "sen", "Primary need group of the current SEN spell: SEMH, SLCN, "
     "ASD, other, or none.", "category", 0, _C, "Primary SEN need", _SEN),
    ("months_since_sen_identified", "sen", "Months since SEN was first recorded (blank when "
     "never).", "months", 0, _N, "Time since SEN identified", _SEN),
    ("sen_escalated", "sen", "Moved from SEN support to an EHC plan (a plan started after "
     "the first support spell).", "yes/no", 1, _B, "SEN support escalated to a plan", _SEN),
    # transition
    ("months_since_secondary_start", "transition", "Months since the move to secondary "
     "school, to the nearest whole month (1 for a September starter at the October "
     "census; blank while still in primary or middle school).", "whole months", 0, _N,
     "Time since starting secondary", ""),
    ("schools_ever", "transition", "Number of different schools (including AP) the pupil "
     "has been registered at.", "count", 1, _N, "Number of schools", _MISS),
    ("in_year_moves_12m", "transition", "School entries outside the August-September "
     "admission window in the last 12 months (AP placements not counted).", "count", 1, _N,
     "In-year school moves, last 12 months", _MISS),
    ("in_year_moves_24m", "transition", "School entries outside the August-September "
     "admission window in the last 24 months (AP placements not counted).", "count", 1, _N,
     "In-year school moves, last 24 months", _MISS),
    ("ever_in_ap", "transition", "Ever registered in alternative provision or a PRU.",
     "yes/no", 1, _B, "Ever in alternative provision", _SUSP),
    ("in_ap_now", "transition", "Registered in alternative provision or a PRU at the census.",
     "yes/no", 1, _B, "In alternative provision now", _SUSP),
    ("dual_registered", "transition", "Registered at two or more schools at the census.",
     "yes/no", 1, _B, "Dual registered", ""),
    ("months_at_current_school", "transition", "Months since entry to the current main "
     "school, to the nearest whole month.", "whole months", -1, _N,
     "New to the school", ""),
    # school context
    ("school_suspension_rate_12m", "school", "The current school's suspensions and permanent "
     "exclusions in the 12 months before the census per 100 pupils on roll there at any "
     "time in those 12 months (from these records), shrunk towards the LA-wide rate as if "
     "the school had 30 more pupils at that rate: 100 x (events + 30 x LA rate) / "
     "(pupils + 30), so one suspension at a very small school does not dominate.",
     "per 100 pupils", 1, _N, "School's suspension rate", _SCHOOL),
]

_COLUMNS = ["feature", "domain", "meaning", "unit", "direction", "kind", "label",
            "fairness_note"]

#: Fixed categories of the categorical features (the same at every census).
CATEGORIES = {
    "sen_provision": _sen.PROVISION_CATEGORIES,
    "sen_primary_need": _sen.NEED_CATEGORIES,
}

#: Model feature names, in ``build`` column order.
FEATURE_NAMES = tuple(r[0] for r in _ROWS)


def describe() -> pd.DataFrame:
    """Return the feature dictionary.

    Returns
    -------
    pandas.DataFrame
        One row per model feature of :func:`features.build` (its columns except
        ``school``, same order), with columns ``feature``, ``domain``, ``meaning``,
        ``unit``, ``direction`` (+1 higher = more risk, -1 lower = more risk, 0 none
        or categorical), ``kind`` (``'numeric'``, ``'bool'`` or ``'categorical'``),
        ``label`` (short plain-English name for reasons) and ``fairness_note``.

    Examples
    --------
    >>> d = describe()
    >>> d.loc[d.feature == "absence_rate_12m", "label"].item()
    'Absence, last 12 months'
    >>> bool(d.set_index("feature").loc["school_suspension_rate_12m", "fairness_note"])
    True
    """
    frame = pd.DataFrame(_ROWS, columns=_COLUMNS)
    frame["direction"] = frame["direction"].astype("int64")
    return frame
