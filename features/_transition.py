"""School moves, transition to secondary and alternative provision, as of a census date.

Only enrolments with ``entry_date < T`` are used, and leaving dates on or after ``T``
are treated as unknown (see :mod:`features._cohort`).

* ``months_since_secondary_start``: when the main school's phase is ``secondary``,
  whole months since the pupil's first entry to a secondary school. When the phase is
  ``all-through``, ``special``, ``ap`` or blank and the pupil is in Year 7 or above,
  whole months since that first secondary entry if there is one, else since
  1 September of the pupil's Year 7. ``NaN`` otherwise (``primary``/``middle``:
  not yet moved).
* ``months_at_current_school``: whole months since entry to the main school at ``T``.

Both are whole months to the nearest (:func:`features._dates.whole_months`), not
fractional ``days / 30.44`` nor floored: a pupil who started on 1-6 September is 1
month in at every early-October census (1.03 one year, 1.16 another as fractions;
0 or 1 when floored), so these near-constant features keep the same deciles from
one census to the next.
* In-year moves: entries to a non-AP school outside the normal August-September
  admission window, counted over ``[T - 12m, T)`` and ``[T - 24m, T)``. AP
  placements are counted by ``ever_in_ap`` / ``in_ap_now`` instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._dates import academic_year_start, days, months_before, whole_months
from ._spec import BOOL, NOTE_EXCLUSIONS, NOTE_MISSING, NUMERIC, FeatureSpec

if TYPE_CHECKING:
    from ._cohort import Census

DOMAIN = "transition"

#: The features this domain computes, in the order it returns them.
FEATURES = (
    FeatureSpec(
        "year_group", DOMAIN,
        "National-curriculum year group at the census (from date of birth: age on the 31 "
        "August before the academic year, minus 4).",
        unit="year", direction=1, kind=NUMERIC, label="Year group"),
    FeatureSpec(
        "months_since_secondary_start", DOMAIN,
        "Months since the move to secondary school, to the nearest whole month (1 for a "
        "September starter at the October census; blank while still in primary or middle "
        "school).",
        unit="whole months", direction=0, kind=NUMERIC, label="Time since starting secondary"),
    FeatureSpec(
        "schools_24m", DOMAIN,
        "Number of different schools (including AP) the pupil was registered at in the 24 "
        "months before the census (entered before the census, not left before the window; "
        "a fixed window, not 'ever', so it means the same whatever the length of the "
        "extract).",
        unit="count", direction=1, kind=NUMERIC, label="Number of schools, last 24 months",
        fairness_note=NOTE_MISSING),
    FeatureSpec(
        "in_year_moves_12m", DOMAIN,
        "School entries outside the August-September admission window in the last 12 months "
        "(AP placements not counted).",
        unit="count", direction=1, kind=NUMERIC, label="In-year school moves, last 12 months",
        fairness_note=NOTE_MISSING),
    FeatureSpec(
        "in_year_moves_24m", DOMAIN,
        "School entries outside the August-September admission window in the last 24 months "
        "(AP placements not counted).",
        unit="count", direction=1, kind=NUMERIC, label="In-year school moves, last 24 months",
        fairness_note=NOTE_MISSING),
    FeatureSpec(
        "ever_in_ap", DOMAIN,
        "Ever registered in alternative provision or a PRU.",
        unit="yes/no", direction=1, kind=BOOL, label="Ever in alternative provision",
        fairness_note=NOTE_EXCLUSIONS),
    FeatureSpec(
        "in_ap_now", DOMAIN,
        "Registered in alternative provision or a PRU at the census.",
        unit="yes/no", direction=1, kind=BOOL, label="In alternative provision now",
        fairness_note=NOTE_EXCLUSIONS),
    FeatureSpec(
        "dual_registered", DOMAIN,
        "Registered at two or more schools at the census.",
        unit="yes/no", direction=1, kind=BOOL, label="Dual registered"),
    FeatureSpec(
        "months_at_current_school", DOMAIN,
        "Months since entry to the current main school, to the nearest whole month.",
        unit="whole months", direction=-1, kind=NUMERIC, label="New to the school"),
)


def transition_features(census: Census) -> pd.DataFrame:
    """Return the transition features of every pupil in ``census``.

    Parameters
    ----------
    census : Census
        From :func:`features._cohort.build_census`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FEATURES`, indexed like ``census.upns``.
    """
    n, t = census.n, census.t
    f = census.frame
    e = census.enrolments
    pos = e["pos"].to_numpy()
    entry = e["entry"].to_numpy()
    phase = e["phase"].fillna("").to_numpy(dtype=object)
    is_ap = e["is_ap"].to_numpy(dtype=bool)

    with np.errstate(invalid="ignore"):
        left_before = e["leave"].to_numpy(dtype="float64") < months_before(census.as_of, 24)
    schools = e.loc[~left_before, ["pos", "school"]].drop_duplicates()
    schools_24m = np.bincount(schools["pos"].to_numpy(), minlength=n)

    month = pd.to_datetime(entry.astype("int64"), unit="D").month.to_numpy()
    in_year = ~np.isin(month, (8, 9)) & ~is_ap
    moves = {k: np.bincount(pos[in_year & (entry >= months_before(census.as_of, k))],
                            minlength=n).astype("float64") for k in (12, 24)}

    first_sec = np.full(n, np.inf)
    sec = phase == "secondary"
    np.minimum.at(first_sec, pos[sec], entry[sec])
    yg = f["year_group"].to_numpy(dtype="int64")
    y7_year = academic_year_start(census.as_of).year - (yg - 7)
    since_y7 = days(pd.to_datetime(pd.DataFrame({"year": y7_year, "month": 9, "day": 1})))
    main_phase = f["main_phase"].fillna("").to_numpy(dtype=object)
    has_sec = np.isfinite(first_sec)
    other = ~np.isin(main_phase, ("secondary", "primary", "middle")) & (yg >= 7)
    start_sec = np.where(main_phase == "secondary", first_sec,
                         np.where(other, np.where(has_sec, first_sec, since_y7), np.nan))
    start_sec = np.where(np.isfinite(start_sec), start_sec, np.nan)

    out = pd.DataFrame({
        "year_group": yg,
        "months_since_secondary_start": whole_months(start_sec, t),
        "schools_24m": schools_24m.astype("float64"),
        "in_year_moves_12m": moves[12],
        "in_year_moves_24m": moves[24],
        "ever_in_ap": np.bincount(pos[is_ap], minlength=n) > 0,
        "in_ap_now": f["in_ap"].to_numpy(dtype=bool),
        "dual_registered": f["n_on_roll"].to_numpy() >= 2,
        "months_at_current_school": whole_months(f["main_entry"].to_numpy(), t),
    }, index=census.upns)
    return out
