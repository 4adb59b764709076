"""School context: the current school's recent suspension rate, from the records.

``school_suspension_rate_12m`` is the number of suspensions and permanent exclusions
per 100 pupils at the pupil's main school over the 12 months before ``T``, shrunk
towards the LA-wide rate so that small schools do not get extreme values::

    rate = 100 * (events + K * la_rate) / (pupils + K),   K = SHRINK_PUPILS = 30

* ``events``: suspensions and permanent exclusions of any pupil in the records with
  ``start_date`` in ``[T - 12m, T)`` at the school. An exclusion belongs to the
  school in its own ``school`` column when that is filled, otherwise to the pupil's
  main registration on roll on its start date (non-AP first, then latest entry, as
  in :mod:`features._cohort`). The pupil's own exclusions are included.
* ``pupils``: distinct pupils of any year group on roll at the school at some time
  in ``[T - 12m, T)`` (the population the events come from), not only at ``T``.
* ``la_rate``: all such events at schools with pupils, divided by the sum of those
  schools' ``pupils`` (events per pupil across the LA).

This is the posterior mean of a Poisson rate with a gamma prior worth ``K`` pupils
at the LA rate (empirical Bayes): a school with thousands of pupils keeps its own
rate, one with 12 pupils and one suspension gets ``100 (1 + 30 la_rate) / 42``
(about 5 per 100 when the LA rate is 5) instead of 8.3, and a school with no events
gets a little more than zero. With no events anywhere every rate is 0.

Fairness: this feature encodes the *school's* practice. A pupil at a school that
excludes a lot gets a higher score for the school's behaviour, not their own; see
the feature dictionary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._cohort import column
from ._dates import days, months_before
from ._known import end_as_known, known_since
from ._spec import NOTE_SCHOOL, NUMERIC, FeatureSpec

if TYPE_CHECKING:
    from ._cohort import Census

DOMAIN = "school"

#: The features this domain computes, in the order it returns them.
FEATURES = (
    FeatureSpec(
        "school_suspension_rate_12m", DOMAIN,
        "The current school's suspensions and permanent exclusions in the 12 months before "
        "the census per 100 pupils on roll there at any time in those 12 months (from these "
        "records), shrunk towards the LA-wide rate as if the school had 30 more pupils at "
        "that rate: 100 x (events + 30 x LA rate) / (pupils + 30), so one suspension at a "
        "very small school does not dominate.",
        unit="per 100 pupils", direction=1, kind=NUMERIC, label="School's suspension rate",
        fairness_note=NOTE_SCHOOL),
)

#: Prior weight, in pupils, of the LA-wide rate in ``school_suspension_rate_12m``.
SHRINK_PUPILS = 30.0


def _school_at(upn, when, enrolments, t):
    """Main school of each (upn, date) pair, from all enrolments known at ``t``."""
    ask = pd.DataFrame({"row": np.arange(len(upn)), "upn": upn, "when": when})
    enr = enrolments[enrolments["upn"].isin(pd.unique(upn))]
    entry = days(enr["entry_date"])
    leave = days(enr["leaving_date"])
    leave = np.nan_to_num(end_as_known(leave, t), nan=np.inf)  # on roll until a known end
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


def school_features(census: Census, suspensions: pd.DataFrame,
                    enrolments: pd.DataFrame) -> pd.DataFrame:
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
    recent = known_since(start, months_before(census.as_of, 12), t)
    s = suspensions[recent]
    text = column(s, "school").astype("string").str.strip()
    school = text.mask(text == "").to_numpy(dtype=object)
    gap = pd.isna(school)
    if gap.any():
        school[gap] = _school_at(s["upn"].to_numpy()[gap], start[recent][gap],
                                 enrolments, t)
    counts: pd.Series = pd.Series(school).dropna().astype("string").value_counts()
    assert census.roll_12m is not None  # build_census sets it
    roll = _roll(census.roll_12m)
    counts = counts.reindex(roll.index, fill_value=0).astype("float64")
    total = float(roll.sum())
    la_rate = float(counts.sum()) / total if total > 0 else 0.0
    k = SHRINK_PUPILS
    rate = 100.0 * (counts + k * la_rate) / (roll + k)
    mine = rate.reindex(pd.Index(census.frame["school"].astype("string")))
    mine = mine.fillna(100.0 * la_rate)  # no pupils in the window: the LA rate
    return pd.DataFrame({"school_suspension_rate_12m": mine.to_numpy(dtype="float64")},
                        index=census.upns)


def _roll(registrations: pd.DataFrame) -> pd.Series:
    """Distinct pupils per school (``string`` index) in ``registrations``."""
    codes, schools = pd.factorize(registrations["school"].astype("string"),
                                  use_na_sentinel=True)
    ok = codes >= 0
    key = registrations["pupil"].to_numpy(dtype=np.int64)[ok] * max(len(schools), 1) + codes[ok]
    key = np.sort(key)  # distinct (pupil, school) pairs: sorted, then first of each run
    distinct = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    per = np.bincount(distinct % max(len(schools), 1), minlength=len(schools))
    return pd.Series(per.astype("float64"), index=pd.Index(schools, dtype="string"))
