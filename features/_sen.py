"""Special educational needs (SEN) features as of a census date.

Only spells with ``start_date < T`` are known; an ``end_date`` on or after ``T`` is
not yet known, so such a spell is current. A spell is current at ``T`` when
``start_date < T`` and (``end_date`` blank or ``end_date >= T``). The current
provision is the highest current one (EHC plan over SEN support); the primary need
is that of the current spell with the highest provision, latest start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._codes import SEN_NEED_GROUPS
from ._cohort import column
from ._dates import DAYS_PER_MONTH, days, months_before
from ._known import end_as_known, known
from ._spec import BOOL, CATEGORICAL, NOTE_SEN, NUMERIC, FeatureSpec

if TYPE_CHECKING:
    from ._cohort import Census

#: Fixed categories, identical at every census.
PROVISION_CATEGORIES = ("none", "support", "ehcp")
NEED_CATEGORIES = ("none", "SEMH", "SLCN", "ASD", "other")

DOMAIN = "sen"

#: The fixed look-back window of ``sen_24m``, in months before the census.
LOOKBACK_MONTHS = 24

#: The features this domain computes, in the order it returns them.
FEATURES = (
    FeatureSpec(
        "sen_provision", DOMAIN,
        "SEN provision at the census: none, SEN support or EHC plan.",
        unit="category", direction=0, kind=CATEGORICAL, label="SEN provision",
        fairness_note=NOTE_SEN, categories=PROVISION_CATEGORIES),
    FeatureSpec(
        "sen_24m", DOMAIN,
        "A SEN spell open at some time in the 24 months before the census (started before "
        "the census, no end before the window; a fixed window, not 'ever', so it means the "
        "same whatever the length of the extract).",
        unit="yes/no", direction=1, kind=BOOL, label="SEN, last 24 months",
        fairness_note=NOTE_SEN),
    FeatureSpec(
        "sen_primary_need", DOMAIN,
        "Primary need group of the current SEN spell: SEMH, SLCN, ASD, other, or none.",
        unit="category", direction=0, kind=CATEGORICAL, label="Primary SEN need",
        fairness_note=NOTE_SEN, categories=NEED_CATEGORIES),
    FeatureSpec(
        "months_since_sen_identified", DOMAIN,
        "Months since SEN was first recorded (blank when never).",
        unit="months", direction=0, kind=NUMERIC, label="Time since SEN identified",
        fairness_note=NOTE_SEN),
    FeatureSpec(
        "sen_escalated", DOMAIN,
        "Moved from SEN support to an EHC plan (a plan started after the first support "
        "spell).",
        unit="yes/no", direction=1, kind=BOOL, label="SEN support escalated to a plan",
        fairness_note=NOTE_SEN),
)


def current_provision(census: Census, sen: pd.DataFrame) -> np.ndarray:
    """Return 'none', 'support' or 'ehcp' per cohort pupil (object array)."""
    return _current(census, sen)[0]


def _current(census, sen):
    n, t = census.n, census.t
    pos = census.positions(sen)
    start = days(sen["start_date"])
    end = days(sen["end_date"])
    keep = (pos >= 0) & known(start, t)
    s = sen[keep]
    pos, start, end = pos[keep], start[keep], end[keep]
    is_e = (column(s, "provision").astype("string") == "E").fillna(False).to_numpy(dtype=bool)
    current = np.isnan(end_as_known(end, t))
    cur = pd.DataFrame({"pos": pos[current], "level": is_e[current].astype(int) + 1,
                        "start": start[current],
                        "need": column(s, "primary_need").astype("string").to_numpy()[current]})
    cur = cur.sort_values(["pos", "level", "start"], ascending=[True, False, False],
                          kind="stable").drop_duplicates("pos")
    level = np.zeros(n, dtype=int)
    level[cur["pos"].to_numpy()] = cur["level"].to_numpy()
    provision = np.array(PROVISION_CATEGORIES, dtype=object)[level]
    need = np.full(n, "none", dtype=object)
    grp = pd.Series(cur["need"].to_numpy(), dtype="string").str.strip().str.upper()
    need[cur["pos"].to_numpy()] = grp.map(SEN_NEED_GROUPS).fillna("other").to_numpy()
    return provision, need, pos, start, is_e, end_as_known(end, t)


def sen_features(census: Census, sen: pd.DataFrame) -> pd.DataFrame:
    """Return the SEN features of every pupil in ``census``.

    Parameters
    ----------
    census : Census
        From :func:`features._cohort.build_census`.
    sen : pandas.DataFrame
        The normalised SEN spells.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FEATURES`, indexed like ``census.upns``.
    """
    n, t = census.n, census.t
    provision, need, pos, start, is_e, end = _current(census, sen)
    first = np.full(n, np.inf)
    np.minimum.at(first, pos, start)
    first_k = np.full(n, np.inf)
    np.minimum.at(first_k, pos[~is_e], start[~is_e])
    last_e = np.full(n, -np.inf)
    np.maximum.at(last_e, pos[is_e], start[is_e])
    ever = np.isfinite(first)
    with np.errstate(invalid="ignore"):
        open_in_window = ~(end < months_before(census.as_of, LOOKBACK_MONTHS))
    in_window = np.bincount(pos[open_in_window], minlength=n) > 0
    out = pd.DataFrame({
        "sen_provision": pd.Categorical(provision, categories=PROVISION_CATEGORIES),
        "sen_24m": in_window,
        "sen_primary_need": pd.Categorical(need, categories=NEED_CATEGORIES),
        "months_since_sen_identified": np.where(ever, (t - first) / DAYS_PER_MONTH, np.nan),
        "sen_escalated": np.isfinite(first_k) & (last_e > first_k),
    }, index=census.upns)
    return out
