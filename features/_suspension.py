"""Suspension and permanent-exclusion history as of a census date.

Only exclusions with ``start_date < T`` are used, from any school in the records.
Counts of suspensions exclude permanent exclusions (those have their own flag);
reason-group counts cover both. An exclusion is counted once in a reason group
however many of its reasons fall in that group; reason codes are mapped with
``features._codes.REASON_GROUPS`` (``PD`` counts as ``DB``), and an unrecognised
code counts as ``other``. Exclusions with no reason recorded count in no group.
History beyond the last 12 months is counted in a fixed window of the
:data:`LOOKBACK_MONTHS` (24) months before the census, never "ever": an "ever" count
grows with the length of the extract (two years of records at one census, four at a
later one), so the same pupil would score higher at a later census for no reason.
``suspension_sessions_12m`` adds the recorded lengths; a suspension with no
recorded length adds nothing to it (it still counts in ``suspensions_12m``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._codes import REASON_ALIASES, REASON_GROUPS
from ._cohort import column
from ._dates import days, months_before
from ._known import known, known_since
from ._spec import BOOL, NOTE_EXCLUSIONS, NUMERIC, FeatureSpec

if TYPE_CHECKING:
    from ._cohort import Census

REASON_GROUP_NAMES = ("violence", "disruption", "other")

#: The fixed look-back window of the longer-history features, in months before the census.
LOOKBACK_MONTHS = 24

DOMAIN = "suspensions"

#: The features this domain computes, in the order it returns them.
FEATURES = (
    FeatureSpec(
        "suspensions_12m", DOMAIN,
        "Number of suspensions starting in the 12 months before the census (any school).",
        unit="count", direction=1, kind=NUMERIC, label="Suspensions, last 12 months",
        fairness_note=NOTE_EXCLUSIONS),
    FeatureSpec(
        "suspensions_24m", DOMAIN,
        "Number of suspensions starting in the 24 months before the census (any school).",
        unit="count", direction=1, kind=NUMERIC, label="Suspensions, last 24 months",
        fairness_note=NOTE_EXCLUSIONS),
    FeatureSpec(
        "suspension_sessions_12m", DOMAIN,
        "Sessions (half days) lost to suspensions in the last 12 months, where the length is "
        "recorded.",
        unit="sessions", direction=1, kind=NUMERIC, label="Sessions lost to suspension",
        fairness_note=NOTE_EXCLUSIONS),
    FeatureSpec(
        "any_exclusion_24m", DOMAIN,
        "Any suspension or permanent exclusion starting in the 24 months before the census.",
        unit="yes/no", direction=1, kind=BOOL,
        label="Suspended or excluded, last 24 months", fairness_note=NOTE_EXCLUSIONS),
    FeatureSpec(
        "days_since_last_exclusion_24m", DOMAIN,
        "Days since the most recent suspension or permanent exclusion in the 24 months "
        "before the census (blank when there has been none in those 24 months, however "
        "long the extract).",
        unit="days", direction=-1, kind=NUMERIC, label="Recent suspension",
        fairness_note=NOTE_EXCLUSIONS),
    FeatureSpec(
        "repeat_suspensions_12m", DOMAIN,
        "Two or more suspensions in the last 12 months.",
        unit="yes/no", direction=1, kind=BOOL, label="Repeated suspensions",
        fairness_note=NOTE_EXCLUSIONS),
    FeatureSpec(
        "exclusions_violence_24m", DOMAIN,
        "Suspensions or exclusions in the 24 months before the census with a "
        "violence-related reason (assault, verbal abuse or threats, weapons, racist or other "
        "abuse).",
        unit="count", direction=1, kind=NUMERIC,
        label="Exclusions for violence or abuse, last 24 months",
        fairness_note=NOTE_EXCLUSIONS),
    FeatureSpec(
        "exclusions_disruption_24m", DOMAIN,
        "Suspensions or exclusions in the 24 months before the census for persistent "
        "disruptive behaviour.",
        unit="count", direction=1, kind=NUMERIC,
        label="Exclusions for disruption, last 24 months",
        fairness_note=NOTE_EXCLUSIONS),
    FeatureSpec(
        "exclusions_other_24m", DOMAIN,
        "Suspensions or exclusions in the 24 months before the census for any other "
        "recorded reason.",
        unit="count", direction=1, kind=NUMERIC,
        label="Exclusions for other reasons, last 24 months",
        fairness_note=NOTE_EXCLUSIONS),
    FeatureSpec(
        "permanent_exclusion_24m", DOMAIN,
        "Permanently excluded in the 24 months before the census.",
        unit="yes/no", direction=1, kind=BOOL,
        label="Permanently excluded, last 24 months",
        fairness_note=NOTE_EXCLUSIONS),
)


def _reason_groups(reason: pd.Series) -> pd.DataFrame:
    """One row per exclusion and reason group it has (column ``row``, ``group``)."""
    r = reason.astype("string").reset_index(drop=True)
    long = r.str.split(";").explode()
    long = long.str.strip().str.upper()
    long = long[long.notna() & (long != "")]
    code = long.replace(REASON_ALIASES)
    group = code.map(REASON_GROUPS).fillna("other")
    return pd.DataFrame({"row": long.index.to_numpy(), "group": group.to_numpy()}
                        ).drop_duplicates()


def suspension_features(census: Census, suspensions: pd.DataFrame) -> pd.DataFrame:
    """Return the suspension features of every pupil in ``census``.

    Parameters
    ----------
    census : Census
        From :func:`features._cohort.build_census`.
    suspensions : pandas.DataFrame
        The normalised suspensions table.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FEATURES`, indexed like ``census.upns``.
    """
    n, t = census.n, census.t
    pos = census.positions(suspensions)
    start = days(suspensions["start_date"])
    keep = (pos >= 0) & known(start, t)
    s = suspensions[keep]
    pos, start = pos[keep], start[keep]
    category = column(s, "category").astype("string")
    perm = (category == "permanent").fillna(False).to_numpy(dtype=bool)
    susp = ~perm
    recent = known_since(start, months_before(census.as_of, 12), t)
    window = known_since(start, months_before(census.as_of, LOOKBACK_MONTHS), t)
    sessions = np.nan_to_num(column(s, "sessions", "float64").to_numpy(dtype="float64"))

    count = lambda mask: np.bincount(pos[mask], minlength=n)  # noqa: E731
    last = np.full(n, -np.inf)
    np.maximum.at(last, pos[window], start[window])
    n_12m = count(susp & recent)

    out = {
        "suspensions_12m": n_12m.astype("float64"),
        "suspensions_24m": count(susp & window).astype("float64"),
        "suspension_sessions_12m": np.bincount(pos[susp & recent],
                                               weights=sessions[susp & recent],
                                               minlength=n),
        "any_exclusion_24m": count(window) > 0,
        "days_since_last_exclusion_24m": np.where(np.isfinite(last), t - last, np.nan),
        "repeat_suspensions_12m": n_12m >= 2,
    }
    groups = _reason_groups(column(s, "reason"))
    rows = groups["row"].to_numpy()
    gpos, gwin = pos[rows], window[rows]
    for g in REASON_GROUP_NAMES:
        hit = (groups["group"] == g).to_numpy() & gwin
        out[f"exclusions_{g}_24m"] = np.bincount(gpos[hit], minlength=n).astype("float64")
    out["permanent_exclusion_24m"] = count(perm & window) > 0
    return pd.DataFrame(out, index=census.upns)
