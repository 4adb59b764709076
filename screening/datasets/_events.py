"""Suspensions and permanent exclusions: a piecewise-constant hazard, known in advance.

How the oracle stays exact
--------------------------
Time is cut into *regimes*. Regime ``r`` has a state day ``t_r`` (day 0 for the first
regime, then each autumn census ``T_k``) and covers days ``[B_r, B_{r+1})`` with
``B_k = max(T_k, T_{k-1} + 12 months)``. Its hazard is fixed from what the generator
knows before ``t_r`` (characteristics, latent propensity this term, SEN status, school,
suspensions before ``t_r``); it may change on 1 September (next year group, planned
school) but only in a way already decided at ``t_r``. Within a regime suspensions and
permanent exclusions are independent Poisson processes over the pupil's school days,
except for *repeats* (below).

So the 12-month window after census ``T_k`` sees regime ``k-1`` on ``[T_k, B_k)`` and
regime ``k`` on ``[B_k, T_k + 12 months)``, both decided before ``T_k``; the probability
of at least one event is ``1 - exp(-integrated hazard)`` exactly, and the records are
drawn from that very process. Only the first permanent exclusion of a pupil is recorded as
permanent (later ones are recorded as suspensions at the AP), which keeps the
``target="permanent"`` probability exact too (zero after a first exclusion). Events that
fall between a permanent exclusion and the start of the AP place are dropped: that never
changes the outcome of a pupil in a census cohort (an exclusion already happened in
their window, or they are off roll at the census).

Repeat suspensions (self-exciting, oracle-neutral)
--------------------------------------------------
Nationally a suspended pupil has about two suspensions a year (2016/17: 381,865
suspensions of 183,475 pupils). So after a pupil's *first* event in a regime, extra
suspensions arrive at ``(REPEAT["multiplier"] - 1) x`` the pupil's rate plus
``REPEAT["per_year"][year group]`` per school year, until the day before the next
census (or the regime's end). ``P(at least one event in a window)`` depends only on the hazard up to
the first event in the window, which is still the one fixed in advance: a window's
part in regime ``k - 1`` (``[T_k, B_k)``) lies after the excitation of that regime
stopped, and in regime ``k`` nothing excites before the window's first event. The
extra events are never permanent, so the ``target="permanent"`` oracle is untouched.
Across censuses the repeats act through the recorded history (suspensions in the last
12 months and ever enter the next regime's hazard), as in real records. The
Monte-Carlo test ``test_true_risk_is_exact_by_monte_carlo`` checks all this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._calendar import SchoolCalendar
from ._population import AP, ETHNICITY, NEED_CODES, NEVER, SPECIAL, school_at, sen_status_at
from ._social_care import effects_at

_ETH_SUSP = np.array([v[3] for v in ETHNICITY.values()], dtype=np.float32)
_SEMH = int(np.searchsorted(NEED_CODES, "SEMH"))

# log-rate (suspensions per school year) by year group R, 1..11; calibrated so that the
# share of pupils with >= 1 suspension in 12 months is near the national 2016/17 figures.
BASE = np.array([-7.05, -6.58, -6.42, -6.26, -6.07, -5.8, -5.93, -4.59, -4.2, -4.01, -3.89, -4.19])
COEF = dict(male=0.47, fsm=0.62, lac=0.4, eal=-0.35, z=0.7, sen_k=0.45, sen_e=-0.3,
            semh=0.4, past_year=0.9, ever=0.35, moved=0.35)
# permanent exclusions per suspension, by year group
PERM_SHARE = 1.3 * np.array([0.01, 0.015, 0.015, 0.018, 0.02, 0.02, 0.018, 0.015, 0.018, 0.021,
                             0.024, 0.018])
SCHOOL_YEAR_DAYS = 190.0
# repeat suspensions: after a pupil's first event in a regime, extra suspensions arrive at
# (multiplier - 1) x the pupil's rate + per_year per school year, to the next census;
# calibrated to ~2.0 suspensions per suspended pupil per academic year (national 2.08)
# (per_year, by year group R..11, is lower in Years 9-11, where pupils suspended once
# already have high base rates)
REPEAT: dict[str, Any] = dict(multiplier=1.0,
              per_year=np.array([1.9, 1.9, 1.9, 1.9, 1.9, 1.9, 1.9, 1.9, 1.5, 1.2, 0.9, 0.9]))


class Regime:
    """One regime: pieces ``(lo, hi, rate_susp, rate_perm)`` of inclusive day indexes."""

    def __init__(self, state_day, lo, hi):
        self.state_day, self.lo, self.hi = state_day, lo, hi
        self.pieces = []


def regime_bounds(census_idx, plus12_idx, first_day, end_day):
    """Return ``[(state_day, lo, hi), ...]`` for every regime (``hi`` inclusive)."""
    starts = [first_day, census_idx[0]]
    for k in range(1, len(census_idx)):
        starts.append(max(census_idx[k], plus12_idx[k - 1]))
    ends = starts[1:] + [max(end_day, plus12_idx[-1]) + 1]
    states = [first_day] + list(census_idx)
    return [(s, lo, hi - 1) for s, lo, hi in zip(states, starts, ends)]


def _log_rate_fixed(p):
    c = COEF
    return (c["male"] * p["male"] + c["fsm"] * p["fsm"] + c["lac"] * p["lac"]
            + c["eal"] * p["eal"] + _ETH_SUSP[p["eth"]]).astype(np.float32)


def simulate(rng: np.random.Generator, p: dict[str, np.ndarray], schools: dict[str, np.ndarray],
             cal: SchoolCalendar, bounds: list[tuple[int, int, int]], extract_idx: int,
             term_of: Callable[[int], int]
             ) -> tuple[dict[str, np.ndarray], list[Regime]]:
    """Draw every suspension up to ``extract_idx``; return ``(events, regimes)``.

    ``events`` is a dict of arrays ``pupil``, ``day``, ``perm`` (bool) sorted by pupil and
    day; ``regimes`` the list of :class:`Regime` used by the oracle.
    """
    n = p["cohort"].size
    fixed = _log_rate_fixed(p)
    eff = schools["effect"]
    phase = schools["phase"]
    ev_pupil, ev_day, ev_perm = [], [], []
    regimes = []
    past_pupil = np.empty(0, np.int32)
    past_day = np.empty(0, np.int32)
    for r_idx, (state, lo_r, hi_r) in enumerate(bounds):
        reg = Regime(state, lo_r, hi_r)
        regimes.append(reg)
        # ---- state known before the state day
        known = past_day < state
        ever = np.bincount(past_pupil[known], minlength=n) > 0
        recent = known & (past_day >= state - 365)
        n_recent = np.bincount(past_pupil[recent], minlength=n)
        status, need = sen_status_at(p, state)
        moved = (((p["mp"] < state) & (p["mp"] >= state - 365))
                 | ((p["ms"] < state) & (p["ms"] >= state - 365)))
        c = COEF
        common = (fixed + c["z"] * p["z"][:, term_of(state)]
                  + np.where(status == 1, c["sen_k"], 0) + np.where(status == 2, c["sen_e"], 0)
                  + np.where(need == _SEMH, c["semh"], 0)
                  + c["past_year"] * np.log1p(n_recent) + c["ever"] * ever
                  + c["moved"] * moved).astype(np.float32)
        perm_extra = None  # social-care episodes current at the state day (if drawn)
        if "episodes" in p:
            susp_log, perm_log = effects_at(p["episodes"], state, n)
            common = (common + susp_log).astype(np.float32)
            perm_extra = np.exp(perm_log)
        # ---- pieces split on 1 September
        cuts = [lo_r] + [cal.sept1(y) for y in cal.years + [cal.years[-1] + 1]
                         if lo_r < cal.sept1(y) <= hi_r] + [hi_r + 1]
        spans = []
        first = np.full(n, NEVER, dtype=np.int64)  # first event of the pupil in the regime
        for lo, nxt in zip(cuts[:-1], cuts[1:]):
            hi = nxt - 1
            year = int(str(cal.date(lo))[:4]) - (1 if int(str(cal.date(lo))[5:7]) < 9 else 0)
            yg = year - p["cohort"] - 5
            in_school = (yg >= 0) & (yg <= 11)
            ygc = np.clip(yg, 0, 11)
            sch = school_at(p, max(lo, state), known_before=state)
            log_rate = BASE[ygc] + common + eff[sch]
            rate = np.where(in_school, np.exp(log_rate) / SCHOOL_YEAR_DAYS, 0).astype(np.float32)
            perm_factor = np.where(phase[sch] == AP, 0.0,
                                   np.where(phase[sch] == SPECIAL, 0.3, 1.0))
            rate_p = rate * PERM_SHARE[ygc] * perm_factor
            if perm_extra is not None:
                rate_p = rate_p * perm_extra
            rate_p = rate_p.astype(np.float32)
            reg.pieces.append((lo, hi, rate, rate_p))
            # ---- draw the events of this piece up to the extract date
            a = np.maximum(lo, p["on_start"])
            b = np.minimum(min(hi, extract_idx), p["on_end"])
            spans.append((a, b, rate, ygc))
            for is_perm, r in ((False, rate), (True, rate_p)):
                who, day = _draw(rng, cal, r, a, b)
                if who.size == 0:
                    continue
                np.minimum.at(first, who, day)
                ev_pupil.append(who)
                ev_day.append(day)
                ev_perm.append(np.full(who.size, is_perm))
        # ---- repeats: after its first event in the regime a pupil's suspension hazard
        # rises (to the day before the next census, so every census's window starts from
        # the hazard fixed in advance and the oracle stays exact)
        ex_hi = hi_r if r_idx + 1 == len(bounds) else min(hi_r, bounds[r_idx + 1][0] - 1)
        for a, b, rate, ygc in spans:
            per_year = REPEAT["per_year"][ygc]
            rate_x = np.where(rate > 0, (REPEAT["multiplier"] - 1) * rate
                              + per_year / SCHOOL_YEAR_DAYS, 0).astype(np.float32)
            who, day = _draw(rng, cal, rate_x, np.maximum(a, first + 1), np.minimum(b, ex_hi))
            if who.size:
                ev_pupil.append(who)
                ev_day.append(day)
                ev_perm.append(np.zeros(who.size, bool))
        # ---- the first permanent exclusion moves the pupil to AP
        if ev_pupil:
            past_pupil = np.concatenate(ev_pupil)
            past_day = np.concatenate(ev_day)
            perm = np.concatenate(ev_perm)
            reg_days = (past_day >= lo_r) & (past_day <= hi_r) & perm
            _first_permanent(p, past_pupil[reg_days], past_day[reg_days], cal)
    if not ev_pupil:
        empty = np.empty(0, np.int32)
        return {"pupil": empty, "day": empty, "perm": np.empty(0, bool)}, regimes
    pupil, day = np.concatenate(ev_pupil), np.concatenate(ev_day)
    perm = np.concatenate(ev_perm)
    order = np.lexsort((~perm, day, pupil))
    pupil, day, perm = pupil[order], day[order], perm[order]
    # one event per pupil and day (a permanent one wins)
    keep = np.ones(pupil.size, bool)
    keep[1:] = (pupil[1:] != pupil[:-1]) | (day[1:] != day[:-1])
    pupil, day, perm = pupil[keep], day[keep], perm[keep]
    # only the first permanent exclusion is permanent
    perm = perm & (day == p["pdate"][pupil])
    # drop events between an exclusion and the AP place
    gap = (day > p["pdate"][pupil]) & (day < p["pdate"][pupil] + p["ap_gap"][pupil])
    keep = ~gap
    return {"pupil": pupil[keep], "day": day[keep], "perm": perm[keep]}, regimes


def _draw(rng, cal, rate, a, b):
    """Poisson events at ``rate`` per school day on each pupil's school days in ``[a, b]``."""
    days = cal.count(a, np.minimum(b, cal.n_days - 1))
    k = rng.poisson(rate * days)
    who = np.repeat(np.arange(rate.size, dtype=np.int32), k)
    if who.size == 0:
        return who, np.empty(0, np.int32)
    ordinal = cal.cum[np.clip(a[who], 0, cal.n_days)] + np.floor(rng.random(who.size) * days[who])
    return who, cal.school_days[ordinal.astype(np.int64)].astype(np.int32)


def _first_permanent(p, who, day, cal):
    """Record the first permanent exclusion of pupils not excluded before."""
    if who.size == 0:
        return
    order = np.lexsort((day, who))
    who, day = who[order], day[order]
    first = np.ones(who.size, bool)
    first[1:] = who[1:] != who[:-1]
    who, day = who[first], day[first]
    new = p["pdate"][who] == NEVER
    who, day = who[new], day[new]
    p["pdate"][who] = day
    entry = day + p["ap_gap"][who]
    # the AP place lasts to the end of the academic year (to the end of the next one when
    # the exclusion comes in the summer term)
    dates = cal.date(entry).astype("datetime64[M]").astype(np.int64)
    month = dates % 12 + 1
    year = dates // 12 + 1970
    acad = year - (month < 9)
    acad = acad + (month >= 6) * (month < 9)
    sep1 = (np.array(acad + 1 - 1970, dtype="datetime64[Y]").astype("datetime64[M]")
            + np.timedelta64(8, "M")).astype("datetime64[D]")
    p["ap_end"][who] = cal.index(sep1) - 1
