"""School context: the current school's recent suspension rate, from the records.

``school_suspension_rate_12m`` = 100 x (suspensions and permanent exclusions of any
pupil in the records with ``start_date`` in ``[T - 12m, T)`` at the school) /
(pupils of any year group on roll at the school at ``T``). An exclusion belongs to
the school in its own ``school`` column when that is filled, otherwise to the
pupil's main registration on roll on its start date (non-AP first, then latest
entry, as in :mod:`features._cohort`). The pupil's own exclusions are included.

Fairness: this feature encodes the *school's* practice. A pupil at a school that
excludes a lot gets a higher score for the school's behaviour, not their own; see
the feature dictionary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._cohort import column
from ._dates import days, months_before

FEATURES = ("school_suspension_rate_12m",)


def _school_at(upn, when, enrolments, t):
    """Main school of each (upn, date) pair, from all enrolments known at ``t``."""
    ask = pd.DataFrame({"row": np.arange(len(upn)), "upn": upn, "when": when})
    enr = enrolments[enrolments["upn"].isin(pd.unique(upn))]
    entry = days(enr["entry_date"])
    leave = days(enr["leaving_date"])
    leave = np.where(leave >= t, np.inf, np.nan_to_num(leave, nan=np.inf))
    phase = column(enr, "phase").astype("string").str.lower()
    e = pd.DataFrame({"upn": enr["upn"].to_numpy(), "school": enr["school"].to_numpy(),
                      "entry": entry, "leave": leave,
                      "is_ap": (phase == "ap").fillna(False).to_numpy(dtype=bool)})
    m = ask.merge(e, on="upn", how="inner")
    m = m[(m["entry"] < m["when"]) & (m["leave"] >= m["when"])]
    m = m.sort_values(["row", "is_ap", "entry", "school"],
                      ascending=[True, True, False, True], kind="stable")
    m = m.drop_duplicates("row")
    out = np.full(len(upn), None, dtype=object)
    out[m["row"].to_numpy()] = m["school"].to_numpy()
    return out


def school_features(census, suspensions, enrolments) -> pd.DataFrame:
    """Return the school-context features of every pupil in ``census``.

    Parameters
    ----------
    census : Census
        From :func:`features._cohort.build_census`.
    suspensions, enrolments : pandas.DataFrame
        The normalised tables (all pupils, not just the cohort).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FEATURES`, indexed like ``census.upns``.
    """
    t = census.t
    start = days(suspensions["start_date"])
    recent = (start < t) & (start >= months_before(census.as_of, 12))
    s = suspensions[recent]
    school = column(s, "school").astype("string").str.strip()
    school = school.mask(school == "").to_numpy(dtype=object)
    gap = pd.isna(school)
    if gap.any():
        school[gap] = _school_at(s["upn"].to_numpy()[gap], start[recent][gap],
                                 enrolments, t)
    counts = pd.Series(school).dropna().astype("string").value_counts()
    roll = census.on_roll_all.drop_duplicates().groupby("school")["pupil"].size()
    roll.index = roll.index.astype("string")
    counts = counts.reindex(roll.index, fill_value=0)
    rate = 100.0 * counts / roll
    mine = rate.reindex(pd.Index(census.frame["school"].astype("string")))
    return pd.DataFrame({"school_suspension_rate_12m": mine.to_numpy(dtype="float64")},
                        index=census.upns)
