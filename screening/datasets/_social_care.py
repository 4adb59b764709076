"""Children-in-need and child-protection episodes, and their effect on exclusions.

Drawn from their own random stream (seeded by the LA's seed and a fixed tag), so a
local authority made with ``social_care=False`` is exactly the one made before this
existed, and ``social_care=True`` changes only what the episodes themselves change.

Effects (Timpson review of school exclusion, 2019, adjusted odds of permanent
exclusion): a child in need about 4 x, on a child protection plan about 3.5 x. The
generator applies each effect to the *permanent* exclusion hazard in full, and half of
it on the log scale to suspensions (the review's figures for suspensions are smaller;
half the log is this generator's assumption). A pupil on a plan gets the plan's effect
(the categories do not add up). The status that counts is the one at the regime's
state day (the census), already decided then, so :meth:`SyntheticLA.true_risk` stays
exact (see :mod:`._events`). Episodes are more likely for pupils with a high latent
propensity, on FSM, or looked after, so the raw ratios exceed the adjusted ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._population import NEVER, _sigmoid

KINDS = ("child_in_need", "child_protection")
#: Tag of the episodes' own random stream.
STREAM = 18
#: Start of a new episode per pupil and school year: logit intercept, and the shifts
#: by latent propensity, FSM and looked-after status (point prevalence about 4% and 0.7%).
START = {"child_in_need": (-3.5, 0.55, 0.8, 1.2), "child_protection": (-5.2, 0.55, 0.8, 1.0)}
#: Mean length of an episode in days (exponential, at least 28 days).
MEAN_DAYS = {"child_in_need": 300.0, "child_protection": 270.0}
#: Multiplier of the permanent exclusion hazard while an episode is current.
PERMANENT_RATIO = {"child_in_need": 4.0, "child_protection": 3.5}
#: Share of the log ratio applied to suspensions (an assumption, see the module notes).
SUSPENSION_SHARE = 0.5


def draw_episodes(seed: int, p: dict[str, np.ndarray], cal: Any,
                  extract_idx: int) -> dict[str, np.ndarray]:
    """Draw every episode of every pupil; arrays ``pupil, kind, start, end`` (day indexes).

    ``end`` is the last day of the episode; episodes start on roll, in Reception to
    Year 11, from two school years before the records start up to ``extract_idx``.
    """
    rng = np.random.default_rng([STREAM, int(seed)])
    n = p["cohort"].size
    z0 = p["z"][:, 0].astype(np.float64)
    out: dict[str, list[Any]] = {k: [] for k in ("pupil", "kind", "start", "end")}
    for year in range(cal.first_year - 2, cal.years[-1] + 1):
        lo, hi = cal.sept1(year), cal.sept1(year + 1) - 1
        yg = year - p["cohort"] - 5
        for code, kind in enumerate(KINDS):
            a, bz, bf, bl = START[kind]
            q = _sigmoid(a + bz * z0 + bf * p["fsm"] + bl * p["lac"])
            start = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)
            length = 28 + np.floor(rng.exponential(MEAN_DAYS[kind], n)).astype(np.int64)
            hit = ((rng.random(n) < q) & (yg >= 0) & (yg <= 11) & (start >= p["on_start"])
                   & (start <= p["on_end"]) & (start <= extract_idx))
            who = np.flatnonzero(hit)
            out["pupil"].append(who)
            out["kind"].append(np.full(who.size, code, np.int8))
            out["start"].append(start[who])
            out["end"].append(start[who] + length[who])
    return {k: np.concatenate(v) for k, v in out.items()}


def effects_at(episodes, state, n):
    """Log effects on the suspension and the permanent-exclusion hazard at day ``state``.

    An episode counts when it started before ``state`` and had not ended by it (the
    contract's "current"), so the effect is known at the regime's state day.
    """
    cur = (episodes["start"] < state) & (episodes["end"] >= state)
    log_perm = np.zeros(n)
    for code, kind in enumerate(KINDS):  # child protection last: its effect wins
        who = episodes["pupil"][cur & (episodes["kind"] == code)]
        log_perm[who] = np.log(PERMANENT_RATIO[kind])
    return (SUSPENSION_SHARE * log_perm).astype(np.float32), (1 - SUSPENSION_SHARE) * log_perm


def episodes_table(episodes: dict[str, np.ndarray], upn_cat: pd.Index, cal: Any,
                   extract_idx: int) -> pd.DataFrame:
    """The ``episodes`` table as an LA would export it at ``extract_idx``.

    An episode still open on the extract date has a blank end date.
    """
    from ._tables import _cat, _dates

    end = np.where(episodes["end"] > extract_idx, NEVER, episodes["end"])
    frame = pd.DataFrame({
        "upn": _cat(episodes["pupil"], upn_cat),
        "kind": np.array(KINDS, dtype=object)[episodes["kind"]],
        "start_date": _dates(cal, episodes["start"]),
        "end_date": _dates(cal, end),
    })
    return frame.sort_values(["upn", "start_date"], kind="stable").reset_index(drop=True)
