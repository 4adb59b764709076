"""Pupils, schools, SEN histories and school timelines of the synthetic local authority.

Everything here is drawn once, up front, with vectorised numpy (no loop over pupils).
Suspensions are drawn later (``_events``) because they feed back into the timelines
(a permanent exclusion moves the pupil to alternative provision).

Dates are integer day indexes from the calendar's day 0 (see ``_calendar``); ``NEVER``
marks "no such date".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._calendar import SchoolCalendar, _weekday_on_or_before, terms

NEVER = np.int32(10_000_000)

# Census main ethnicity codes: national-like share (%, state-funded schools), probability of
# FSM in the last 6 years, of EAL, a direct log-rate effect on suspensions and a log-odds
# effect on absence.  Direct effects are the part not carried by FSM, SEN and absence.
ETHNICITY = {
    #        share  fsm   eal   susp   absence
    "WBRI": (66.0, 0.24, 0.01, 0.09, 0.00),
    "WIRI": (0.30, 0.20, 0.10, 0.01, 0.00),
    "WIRT": (0.10, 0.60, 0.05, 0.79, 1.30),
    "WROM": (0.35, 0.60, 0.80, 1.20, 1.10),
    "WOTH": (6.60, 0.20, 0.75, 0.03, 0.00),
    "MWBC": (1.60, 0.45, 0.10, 0.48, 0.10),
    "MWBA": (0.70, 0.35, 0.15, 0.16, 0.00),
    "MWAS": (1.40, 0.22, 0.15, 0.03, -0.10),
    "MOTH": (2.00, 0.30, 0.20, 0.16, 0.00),
    "AIND": (2.70, 0.10, 0.75, -0.25, -0.30),
    "APKN": (4.00, 0.35, 0.85, -0.14, 0.15),
    "ABAN": (1.70, 0.40, 0.90, -0.46, 0.00),
    "AOTH": (1.90, 0.22, 0.80, -0.23, -0.20),
    "BCRB": (1.20, 0.45, 0.03, 0.71, -0.05),
    "BAFR": (3.60, 0.35, 0.60, 0.42, -0.35),
    "BOTH": (0.90, 0.40, 0.45, 0.38, -0.10),
    "CHNE": (0.45, 0.10, 0.75, -1.22, -0.60),
    "OOTH": (1.80, 0.35, 0.80, 0.08, 0.00),
    "REFU": (0.60, 0.25, 0.15, 0.00, 0.00),
    "NOBT": (0.60, 0.25, 0.20, 0.00, 0.00),
}
ETH_CODES = np.array(list(ETHNICITY))
_ETH = np.array(list(ETHNICITY.values()))

K_NEEDS = np.array(["SLCN", "MLD", "SPLD", "ASD", "OTH", "NSA", "PD", "HI", "VI"])
_K_NEED_P = np.array([0.27, 0.25, 0.17, 0.09, 0.07, 0.08, 0.04, 0.02, 0.01])
E_NEEDS = np.array(["ASD", "SLD", "SLCN", "PMLD", "PD", "SEMH", "MLD", "HI", "VI", "OTH"])
_E_NEED_P = np.array([0.33, 0.15, 0.14, 0.05, 0.06, 0.10, 0.10, 0.03, 0.02, 0.02])
NEED_CODES = np.array(sorted(set(K_NEEDS) | set(E_NEEDS) | {"SEMH"}))

LATENT_SHIFT = dict(male=0.6, fsm=0.85, lac=0.3, eth_absence=0.2, centre=0.53)

PHASES = np.array(["primary", "secondary", "special", "ap"])
PRIMARY, SECONDARY, SPECIAL, AP = 0, 1, 2, 3


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _uniform_int(rng, lo, hi):
    """Uniform integers in [lo, hi] elementwise (hi >= lo assumed where used)."""
    span = np.maximum(hi - lo + 1, 1)
    return (lo + np.floor(rng.random(np.shape(lo)) * span)).astype(np.int32)


def _pick(rng, weights, size):
    cdf = np.cumsum(weights) / np.sum(weights)
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"),
                      len(weights) - 1).astype(np.int32)


def make_schools(rng, n_pupils):
    """Return a dict of school arrays: ``urn``, ``phase``, ``weight`` and ``effect``.

    Sizes follow the brief: about one primary per 250 primary-age pupils, one secondary
    per 1,000 secondary-age pupils, one special school per 50,000 pupils and at least one
    alternative-provision academy or pupil referral unit. ``effect`` is the school's
    suspension practice, a heavy-tailed log-rate random effect.
    """
    n_prim = max(2, round(n_pupils * 7 / 16 / 250))
    n_sec = max(1, round(n_pupils * 5 / 16 / 1000))
    n_spe = max(1, round(n_pupils / 50_000))
    n_ap = max(1, round(n_pupils / 40_000))
    phase = np.repeat(np.arange(4, dtype=np.int8), [n_prim, n_sec, n_spe, n_ap])
    base = np.array([100_001, 130_001, 150_001, 160_001])
    urn = np.concatenate([base[p] + np.arange(k) for p, k in
                          enumerate([n_prim, n_sec, n_spe, n_ap])])
    weight = rng.gamma(4.0, 1.0, phase.size)
    # practice: primaries vary most (a handful make most primary suspensions)
    sd = np.select([phase == PRIMARY, phase == SECONDARY], [1.15, 0.55], 0.0)
    effect = sd * rng.standard_normal(phase.size)
    for ph in (PRIMARY, SECONDARY):  # size-weighted mean of exp(effect) = 1 in each phase
        m = phase == ph
        effect[m] -= np.log(np.average(np.exp(effect[m]), weights=weight[m]))
    effect = effect + np.where(phase == SPECIAL, 0.5, 0.0) + np.where(phase == AP, 1.2, 0.0)
    feeder = np.full(phase.size, -1, dtype=np.int32)
    sec_idx = np.flatnonzero(phase == SECONDARY)
    feeder[phase == PRIMARY] = rng.choice(sec_idx, n_prim)
    return {"urn": urn.astype(str), "phase": phase, "weight": weight,
            "effect": effect.astype(np.float32), "feeder": feeder}


def _choose_school(rng, schools, phase, size):
    idx = np.flatnonzero(schools["phase"] == phase)
    return idx[_pick(rng, schools["weight"][idx], size)].astype(np.int32)


def make_pupils(rng: np.random.Generator, n: int, cal: SchoolCalendar,
                census_years: Sequence[int], n_terms: int) -> dict[str, Any]:
    """Draw pupils' characteristics, latent propensity, SEN history and timelines.

    Returns a dict of arrays, one entry per pupil.
    """
    first, last = census_years[0], census_years[-1]
    p = {}
    # birth cohort c: born 1 Sep c .. 31 Aug c+1, in Year (A - c - 5) in academic year A
    c = (first - 16 + _pick(rng, np.ones(last - first + 11), n)).astype(np.int32)
    start = np.array([f"{y}-09-01" for y in range(first - 16, last - 5)], dtype="datetime64[D]")
    year_len = (np.array([f"{y}-09-01" for y in range(first - 15, last - 4)],
                         dtype="datetime64[D]") - start).astype(np.int64)
    off = c - (first - 16)
    p["cohort"] = c
    p["dob"] = cal.index(start[off]) + np.floor(rng.random(n) * year_len[off]).astype(np.int32)
    p["male"] = rng.random(n) < 0.51
    eth = _pick(rng, _ETH[:, 0], n)
    p["eth"] = eth
    p["fsm"] = rng.random(n) < _ETH[eth, 1]
    p["eal"] = rng.random(n) < _ETH[eth, 2]

    # latent behaviour propensity by term: stationary AR(1), N(0, 1)
    rho = 0.96
    z = np.empty((n, n_terms), dtype=np.float32)
    z[:, 0] = rng.standard_normal(n)
    for j in range(1, n_terms):
        z[:, j] = rho * z[:, j - 1] + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    p["lac"] = rng.random(n) < _sigmoid(-5.3 + 0.6 * z[:, 0] + 0.9 * p["fsm"])
    # protected traits shift the latent propensity, so they act through attendance, SEN
    # and suspension history as well as directly
    z += (LATENT_SHIFT["male"] * p["male"] + LATENT_SHIFT["fsm"] * p["fsm"]
          + LATENT_SHIFT["lac"] * p["lac"] + _ETH[eth, 4] * LATENT_SHIFT["eth_absence"]
          - LATENT_SHIFT["centre"]).astype(np.float32)[:, None]
    p["z"] = z
    z0 = z[:, 0]
    p["absence_re"] = (0.3 * rng.standard_normal(n)).astype(np.float32)
    p["unauth_re"] = (0.6 * rng.standard_normal(n)).astype(np.float32)

    # key dates of the school career (day indexes)
    sep1 = np.vectorize(cal.sept1, otypes=[np.int32])
    years = np.arange(first - 16, last + 13)
    sep1_of = sep1(years)
    term_start = np.array([cal.index(terms(int(y))[0][1]) for y in years], dtype=np.int32)
    summer_end = np.array([cal.index(terms(int(y) - 1)[2][2]) for y in years], dtype=np.int32)
    june_end = np.array([cal.index(_weekday_on_or_before(f"{y}-06-27")) for y in years],
                        dtype=np.int32)

    def at(table, y):
        return table[y - years[0]]

    rec_entry = np.where(rng.random(n) < 0.5, at(sep1_of, c + 5), at(term_start, c + 5))
    sep7 = at(sep1_of, c + 12)
    prim_end = np.where(rng.random(n) < 0.65, sep7 - 1, at(summer_end, c + 12))
    sec_entry = np.where(rng.random(n) < 0.6, sep7, at(term_start, c + 12))
    y11_end = np.where(rng.random(n) < 0.7, at(sep1_of, c + 17) - 1, at(june_end, c + 17))
    p.update(rec_entry=rec_entry, sep7=sep7, prim_end=prim_end, sec_entry=sec_entry,
             y11_end=y11_end)

    # arrival into / departure from the LA around an anchor census the pupil is on roll at
    census_idx = np.array([cal.index(f"{y}-10-01") for y in census_years])  # approx anchor
    lo_y = np.maximum(first, c + 6)
    hi_y = np.minimum(last, c + 16)
    anchor_y = _uniform_int(rng, lo_y, hi_y)
    anchor = census_idx[anchor_y - first]
    arrives = rng.random(n) < 0.14
    a_lo = np.maximum(rec_entry, anchor - 3 * 365)
    arrive = np.where(arrives, _uniform_int(rng, a_lo, anchor - 5), rec_entry)
    leaves = rng.random(n) < np.clip(0.10 * np.exp(0.25 * z0), 0, 0.5)
    d_hi = np.minimum(anchor + 3 * 365, y11_end)
    depart = np.where(leaves, _uniform_int(rng, anchor + 10, d_hi), y11_end)
    p["on_start"] = arrive.astype(np.int32)
    p["on_end"] = np.minimum(depart, y11_end).astype(np.int32)
    p["left_la"] = leaves & (depart < y11_end)

    _sen(rng, p, cal, z0)
    return p


def _sen(rng, p, cal, z0):
    """SEN history: support (K) spells, some escalating to an EHC plan (E), some ending."""
    n = z0.size
    male, fsm = p["male"], p["fsm"]
    liab = 0.45 * z0 + 0.22 * male + 0.1 * fsm + 0.4 * p["lac"] + 0.75 * rng.standard_normal(n)
    q = np.quantile(liab, [1 - 0.33, 1 - 0.062, 1 - 0.02])
    k_ever, e_ever, e_direct = liab > q[0], liab > q[1], liab > q[2]
    rec, y11 = p["rec_entry"], p["y11_end"]
    onset_yg = _pick(rng, [0.17, 0.15, 0.13, 0.12, 0.1, 0.09, 0.08, 0.06, 0.05, 0.03, 0.02], n)
    k_start = rec + (onset_yg * 365.25).astype(np.int32) + _uniform_int(
        rng, np.zeros(n, np.int32), np.full(n, 300, np.int32))
    e_start = np.where(e_direct, rec + _uniform_int(rng, np.zeros(n, np.int32),
                                                    np.full(n, 200, np.int32)),
                       k_start + _uniform_int(rng, np.full(n, 300, np.int32),
                                              np.full(n, 1100, np.int32)))
    e_start = np.where(e_ever & (e_start < y11), e_start, NEVER)
    k_start = np.where(k_ever & ~e_direct & (k_start < y11), k_start, NEVER)
    k_stop = rng.random(n) < 0.35
    k_end = np.where(e_start < NEVER, e_start - 1,
                     np.where(k_stop, k_start + _uniform_int(rng, np.full(n, 300, np.int32),
                                                             np.full(n, 1400, np.int32)), NEVER))
    k_end = np.where(k_start < NEVER, k_end, NEVER)
    semh = rng.random(n) < _sigmoid(-1.9 + 1.5 * z0 + 0.4 * male)
    k_need = _pick(rng, _K_NEED_P, n)
    k_need_code = np.where(semh, "SEMH", K_NEEDS[k_need])
    boys_asd = male & (rng.random(n) < 0.08)
    k_need_code = np.where(boys_asd & ~semh, "ASD", k_need_code)
    e_need_code = np.where(e_direct, E_NEEDS[_pick(rng, _E_NEED_P, n)],
                           np.where(k_need_code == "NSA", "MLD", k_need_code))
    p["k_start"], p["k_end"], p["e_start"] = (k_start.astype(np.int32), k_end.astype(np.int32),
                                              e_start.astype(np.int32))
    p["k_need"] = np.searchsorted(NEED_CODES, k_need_code).astype(np.int8)
    p["e_need"] = np.searchsorted(NEED_CODES, e_need_code).astype(np.int8)
    heavy = np.isin(e_need_code, ["SLD", "PMLD", "ASD"])
    p["special"] = e_direct & (rng.random(n) < np.where(heavy, 0.8, 0.3))


def assign_schools(rng, p, schools):
    """Primary and secondary schools, in-year moves and the pre-drawn post-exclusion places."""
    n = p["cohort"].size
    z0, fsm = p["z"][:, 0], p["fsm"]
    P1 = _choose_school(rng, schools, PRIMARY, n)
    feeder = schools["feeder"][P1]
    S1 = np.where(rng.random(n) < 0.65, feeder, _choose_school(rng, schools, SECONDARY, n))
    risk = np.exp(0.5 * z0 + 0.3 * fsm)
    # in-year (non-standard) moves, more likely for pupils at risk
    lo = np.maximum(p["on_start"], p["rec_entry"]) + 30
    hi = np.minimum(p["on_end"], p["prim_end"]) - 30
    mp = np.where((rng.random(n) < np.clip(0.05 * risk, 0, 0.5)) & (hi > lo),
                  _uniform_int(rng, lo, hi), NEVER)
    lo = np.maximum(p["on_start"], p["sec_entry"]) + 30
    hi = np.minimum(p["on_end"], p["y11_end"]) - 30
    ms = np.where((rng.random(n) < np.clip(0.06 * risk, 0, 0.5)) & (hi > lo),
                  _uniform_int(rng, lo, hi), NEVER)
    special = p["special"]
    spe = _choose_school(rng, schools, SPECIAL, n)
    p["P1"], p["P2"] = P1, _choose_school(rng, schools, PRIMARY, n)
    p["S1"], p["S2"] = S1.astype(np.int32), _choose_school(rng, schools, SECONDARY, n)
    p["SP"] = spe
    p["mp"] = np.where(special, NEVER, mp).astype(np.int32)
    p["ms"] = np.where(special, NEVER, ms).astype(np.int32)
    # pre-drawn consequences of a permanent exclusion, used only if one happens
    p["AP"] = _choose_school(rng, schools, AP, n)
    p["N_prim"] = _choose_school(rng, schools, PRIMARY, n)
    p["N_sec"] = _choose_school(rng, schools, SECONDARY, n)
    p["ap_gap"] = _uniform_int(rng, np.full(n, 1, np.int32), np.full(n, 15, np.int32))
    p["pdate"] = np.full(n, NEVER, dtype=np.int32)
    p["ap_end"] = np.full(n, NEVER, dtype=np.int32)


def school_at(p, t, known_before=None, idx=None):
    """School index of pupils on day ``t`` (scalar, or one day per pupil in ``idx``).

    Permanent exclusions dated on or after ``known_before`` are ignored, so this gives the
    school *as planned* at that date. During the gap between a permanent exclusion and the
    alternative-provision place the AP school is returned.
    """
    def g(key):
        return p[key] if idx is None else p[key][idx]

    t = np.asarray(t)
    pdate = g("pdate")
    if known_before is not None:
        pdate = np.where(pdate < known_before, pdate, NEVER)
    primary_phase = t < g("sep7")
    base = np.where(primary_phase, np.where(t >= g("mp"), g("P2"), g("P1")),
                    np.where(t >= g("ms"), g("S2"), g("S1")))
    base = np.where(g("special"), g("SP"), base)
    has = pdate < NEVER
    in_ap = has & (t > pdate) & (t <= g("ap_end"))
    same_phase = (pdate < g("sep7")) == primary_phase
    post = has & (t > g("ap_end")) & same_phase & ~g("special")
    new = np.where(primary_phase, g("N_prim"), g("N_sec"))
    return np.where(in_ap, g("AP"), np.where(post, new, base)).astype(np.int32)


def sen_status_at(p, t):
    """Return (status, need) at day ``t``: status 0 none, 1 SEN support, 2 EHC plan."""
    e = (p["e_start"] < t)
    k = (p["k_start"] < t) & (p["k_end"] >= t) & ~e
    status = np.where(e, 2, np.where(k, 1, 0)).astype(np.int8)
    need = np.where(e, p["e_need"], np.where(k, p["k_need"], -1)).astype(np.int8)
    return status, need
