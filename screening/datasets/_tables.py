"""Turn the simulated population and events into the input-contract tables.

Each table is built with numpy and handed to pandas once. ``upn`` and ``school`` in the
long tables are pandas categoricals (compact at a million pupils); every other column is
a plain date, number, boolean or string.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._calendar import SchoolCalendar
from ._population import (
    ETH_CODES,
    ETHNICITY,
    NEED_CODES,
    NEVER,
    PHASES,
    _pick,
    _sigmoid,
    school_at,
    sen_status_at,
)

_UPN_LETTERS = np.frombuffer(b"ABCDEFGHJKLMNPQRTUVWXYZ", dtype=np.uint8)
_OTHER_LAS = np.array([886, 888, 208, 210, 330, 350, 373, 800, 881, 936])
_ETH_ABS = np.array([v[4] for v in ETHNICITY.values()], dtype=np.float32)
ABSENCE = dict(intercept=-3.72, z=1.0, fsm=0.4, sen_k=0.3, sen_e=0.45, secondary=0.25,
               term_sd=0.3, unauth_intercept=-1.4, unauth_z=0.6, unauth_fsm=0.5)
MISSING_TERM_ROWS = 0.01

_PRE2020 = {"PD": 30, "VA": 18, "PP": 14, "PA": 9, "VP": 8, "DM": 4, "DA": 3, "BU": 2,
            "RA": 2, "SM": 1, "TH": 2, "OT": 7}
_POST2020 = {"DB": 32, "VA": 17, "PP": 13, "PA": 8, "VP": 8, "OW": 4, "DM": 4, "DA": 4,
             "BU": 2, "RA": 2, "SM": 2, "TH": 1, "MT": 2, "LG": 0.5, "DS": 0.5}
_PERM = {"PD": 25, "PA": 18, "PP": 17, "VA": 12, "DA": 10, "OW": 8, "SM": 3, "DM": 3,
         "OT": 4}


def make_upns(rng, p, la_code):
    """Valid 13-character UPNs (check letter per the DfE algorithm), unique per pupil.

    Examples
    --------
    >>> import numpy as np
    >>> p = {"cohort": np.array([2014, 2015]), "on_start": np.array([0, 5]),
    ...      "rec_entry": np.array([0, 0])}
    >>> u = make_upns(np.random.default_rng(0), p, 801)
    >>> [len(x) for x in u], len(set(u))
    ([13, 13], 2)
    """
    n = p["cohort"].size
    i = np.arange(n)
    arrived = p["on_start"] > p["rec_entry"]
    la = np.where(arrived, _OTHER_LAS[rng.integers(0, _OTHER_LAS.size, n)], int(la_code))
    estab = 2000 + i // 1000
    yy = (p["cohort"] + 5) % 100
    serial = i % 1000
    body = np.empty((n, 12), dtype=np.int64)
    for k, (val, width) in enumerate([(la, 3), (estab, 4), (yy, 2), (serial, 3)]):
        start = [0, 3, 7, 9][k]
        for w in range(width):
            body[:, start + w] = (val // 10 ** (width - 1 - w)) % 10
    check = (body * np.arange(2, 14)).sum(axis=1) % 23
    chars = np.empty((n, 13), dtype=np.uint8)
    chars[:, 0] = _UPN_LETTERS[check]
    chars[:, 1:] = body + ord("0")
    return chars.view("S13").ravel().astype(str)


def _dates(cal, idx, extract_idx=None):
    """Day indexes to datetime64[s]; ``NEVER`` (and days after the extract) become NaT."""
    idx = np.asarray(idx)
    out = cal.date(np.where(idx >= NEVER, 0, idx)).astype("datetime64[s]")
    bad = idx >= NEVER if extract_idx is None else idx > extract_idx
    out[bad] = np.datetime64("NaT")
    return out


def _cat(codes, categories):
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int32), categories=categories)


def pupils_table(p, upn, cal):
    return pd.DataFrame({
        "upn": pd.array(upn, dtype="str"),
        "date_of_birth": _dates(cal, p["dob"]),
        "sex": np.where(p["male"], "M", "F"),
        "ethnicity": ETH_CODES[p["eth"]],
        "fsm": p["fsm"], "eal": p["eal"], "looked_after": p["lac"],
    })


def segments(rng, p, events, cal, extract_idx):
    """Registrations as arrays: pupil, school, start, end (inclusive), reason code.

    Returns a dict of arrays plus ``dual`` (bool) for dual registrations at AP, which are
    kept out of attendance.
    """
    n = p["cohort"].size
    i = np.arange(n, dtype=np.int32)
    special = p["special"]
    pdate, ap_end = p["pdate"], p["ap_end"]
    has_perm = pdate < NEVER
    perm_primary = has_perm & (pdate < p["sep7"])
    # reason codes: 0 phase/career end, 1 in-year transfer, 2 permanent exclusion,
    # 3 left the local authority, 4 end of AP placement, 5 end of dual registration
    # (pupil, school, start, end, phase_of_slot[0 prim,1 sec,2 spe], end_reason)
    slots: list[tuple[Any, ...]] = []
    P_end1 = np.minimum(p["mp"] - 1, p["prim_end"])
    S_end1 = np.minimum(p["ms"] - 1, p["y11_end"])
    off = NEVER
    slots.append((i, p["P1"], np.where(special, off, p["rec_entry"]), P_end1, 0,
                  np.where(p["mp"] < NEVER, 1, 0)))
    slots.append((i, p["P2"], np.where(special, off, p["mp"]), p["prim_end"], 0, 0))
    slots.append((i, p["S1"], np.where(special, off, p["sec_entry"]), S_end1, 1,
                  np.where(p["ms"] < NEVER, 1, 0)))
    slots.append((i, p["S2"], np.where(special, off, p["ms"]), p["y11_end"], 1, 0))
    slots.append((i, p["SP"], np.where(special, p["rec_entry"], off), p["y11_end"], 2, 0))
    out: dict[str, list[Any]] = {k: [] for k in ("pupil", "school", "start", "end", "reason",
                                                 "dual")}

    def add(pupil, school, start, end, reason, dual=False):
        ok = (start <= end) & (start <= extract_idx)
        for k, v in (("pupil", pupil), ("school", school), ("start", start), ("end", end),
                     ("reason", reason)):
            out[k].append(np.broadcast_to(v, ok.shape)[ok].astype(np.int32))
        out["dual"].append(np.full(int(ok.sum()), dual))

    for pupil, school, start, end, ph, reason in slots:
        start = np.maximum(start, p["on_start"])
        end0 = end
        end = np.minimum(end, p["on_end"])
        reason = np.where(end < end0, 3, reason)
        # before a permanent exclusion
        pre_end = np.where(has_perm, np.minimum(end, pdate), end)
        pre_reason = np.where(has_perm & (pdate <= end), 2, reason)
        add(pupil, school, start, pre_end, pre_reason)
        # after the AP placement: same school unless in the excluded phase
        in_perm_phase = has_perm & ~special & (perm_primary == (ph == 0))
        post_ok = has_perm & ~in_perm_phase
        add(pupil, school, np.where(post_ok, np.maximum(start, ap_end + 1), NEVER), end, reason)
    # new mainstream school after the AP placement, for the rest of the excluded phase
    phase_end = np.where(perm_primary, p["prim_end"], p["y11_end"])
    n_end = np.minimum(phase_end, p["on_end"])
    add(i, np.where(perm_primary, p["N_prim"], p["N_sec"]),
        np.where(has_perm & ~special, ap_end + 1, NEVER), n_end,
        np.where(n_end < phase_end, 3, 0))
    # the AP placement itself
    ap_stop = np.minimum(ap_end, p["on_end"])
    add(i, p["AP"], np.where(has_perm, pdate + p["ap_gap"], NEVER), ap_stop,
        np.where(ap_stop < ap_end, 3, 4))
    # dual registration at AP for some pupils with repeated suspensions in secondary
    ev_p, ev_d = events["pupil"], events["day"]
    if ev_p.size:
        rank = np.arange(ev_p.size) - np.searchsorted(ev_p, ev_p)
        third = (rank == 2) & (ev_d >= p["sep7"][ev_p]) & ~special[ev_p]
        third &= rng.random(ev_p.size) < 0.3
        who, day = ev_p[third], ev_d[third]
        start = day + rng.integers(7, 22, who.size)
        end = np.minimum(start + rng.integers(30, 91, who.size), p["on_end"][who])
        # not at the AP on the day the pupil's placement there after a permanent
        # exclusion starts (the two rows could coincide, an exact duplicate)
        ap_from = np.where(has_perm[who], pdate[who] + p["ap_gap"][who], NEVER)
        clash = start == ap_from
        add(who, p["AP"][who], np.where(clash, NEVER, start), end, np.full(who.size, 5),
            dual=True)
    return {k: np.concatenate(v) for k, v in out.items()}


_REASONS = np.array(["end of phase", "in-year transfer", "permanent exclusion",
                     "left the local authority", "end of AP placement",
                     "end of dual registration"])


def enrolments_table(seg, upn_cat, schools, cal, extract_idx):
    phase = schools["phase"][seg["school"]]
    leaving = _dates(cal, seg["end"], extract_idx)
    reason = np.where(seg["end"] > extract_idx, "", _REASONS[seg["reason"]])
    df = pd.DataFrame({
        "upn": _cat(seg["pupil"], upn_cat),
        "school": _cat(seg["school"], schools["urn"]),
        "entry_date": _dates(cal, seg["start"]),
        "leaving_date": leaving,
        "phase": PHASES[phase],
        # numpy's stubs do not take None as a value of where()
        "leaving_reason": pd.array(np.where(reason == "", None, reason),  # type: ignore[call-overload]
                                   dtype="str"),
    })
    return df.sort_values(["upn", "entry_date"], kind="stable").reset_index(drop=True)


def attendance_table(rng: np.random.Generator, p: dict[str, np.ndarray],
                     seg: dict[str, np.ndarray], upn_cat: pd.Index,
                     schools: dict[str, np.ndarray], cal: SchoolCalendar,
                     extract_idx: int) -> pd.DataFrame:
    keep = ~seg["dual"]
    pupil, school = seg["pupil"][keep], seg["school"][keep]
    start, end = seg["start"][keep], seg["end"][keep]
    a = ABSENCE
    parts = []
    for j, (year, _name, s, e) in enumerate(cal.term_table):
        s_i, e_i = cal.index(s), cal.index(e)
        if s_i > extract_idx:
            break
        lo = np.maximum(start, s_i)
        hi = np.minimum(np.minimum(end, e_i), extract_idx)
        days = cal.count(lo, hi)
        rows = np.flatnonzero(days > 0)
        rows = rows[rng.random(rows.size) >= MISSING_TERM_ROWS]
        who = pupil[rows]
        status, _ = sen_status_at(p, s_i)
        status = status[who]
        yg = year - p["cohort"][who] - 5
        zt = p["z"][who, j]
        fsm = p["fsm"][who]
        logit = (a["intercept"] + a["z"] * zt + a["fsm"] * fsm + _ETH_ABS[p["eth"][who]]
                 + np.where(status == 1, a["sen_k"], 0) + np.where(status == 2, a["sen_e"], 0)
                 + a["secondary"] * (yg >= 7) + p["absence_re"][who]
                 + a["term_sd"] * rng.standard_normal(who.size))
        possible = 2 * days[rows]
        absent = rng.binomial(possible, _sigmoid(logit))
        share = _sigmoid(a["unauth_intercept"] + a["unauth_z"] * zt + a["unauth_fsm"] * fsm
                         + p["unauth_re"][who])
        unauth = rng.binomial(absent, share)
        i32 = np.int32
        parts.append((who.astype(i32), school[rows].astype(i32), lo[rows].astype(i32),
                      hi[rows].astype(i32), possible.astype(i32), (absent - unauth).astype(i32),
                      unauth.astype(i32)))
        del lo, hi, days, rows, who, status, yg, zt, fsm, logit, possible, absent, share
    out = {}
    for k, name in enumerate(["upn", "school", "period_start", "period_end",
                              "sessions_possible", "sessions_authorised",
                              "sessions_unauthorised"]):
        col = np.concatenate([pt[k] for pt in parts])
        for pt in parts:  # free as we go: this is the biggest table
            pt[k].resize(0, refcheck=False)
        if name == "upn":
            col = _cat(col, upn_cat)
        elif name == "school":
            col = _cat(col, schools["urn"])
        elif name.startswith("period"):
            col = _dates(cal, col)
        out[name] = col
    return pd.DataFrame(out, copy=False)


def _reason_codes(rng, table, size):
    codes = np.array(list(table))
    return codes[_pick(rng, np.array(list(table.values()), dtype=float), size)]


def suspensions_table(rng, p, events, upn_cat, schools, cal, extract_idx):
    pupil, day, perm = events["pupil"], events["day"], events["perm"]
    keep = day <= extract_idx
    pupil, day, perm = pupil[keep], day[keep], perm[keep]
    m = pupil.size
    school = school_at(p, day, idx=pupil)
    lunch = ~perm & (rng.random(m) < 0.02)
    n_days = np.array([1, 2, 3, 4, 5, 6, 7, 8, 10])[
        _pick(rng, [0.5, 0.2, 0.13, 0.05, 0.07, 0.02, 0.01, 0.01, 0.01], m)]
    sessions = np.where(rng.random(m) < 0.05, 1, 2 * n_days).astype(float)
    sessions = np.where(lunch, 1, np.where(perm, np.nan, sessions))
    new_codes = day >= cal.sept1(2020)
    r1 = np.where(new_codes, _reason_codes(rng, _POST2020, m), _reason_codes(rng, _PRE2020, m))
    r1 = np.where(perm, _reason_codes(rng, _PERM, m), r1)
    r1 = np.where(perm & new_codes & (r1 == "PD"), "DB", r1)
    r1 = np.where(perm & ~new_codes & (r1 == "OW"), "OT", r1)
    r2 = np.where(new_codes, _reason_codes(rng, _POST2020, m), _reason_codes(rng, _PRE2020, m))
    two = new_codes & (rng.random(m) < 0.12) & (r2 != r1)
    reason = np.where(two, np.char.add(np.char.add(r1.astype("U2"), ";"), r2.astype("U2")), r1)
    df = pd.DataFrame({
        "upn": _cat(pupil, upn_cat),
        "start_date": _dates(cal, day),
        "category": np.where(perm, "PERM", np.where(lunch, "LNCH", "FIXD")),
        "sessions": sessions,
        "reason": reason,
        "school": _cat(school, schools["urn"]),
    })
    return df


def sen_table(p, upn_cat, cal, extract_idx):
    parts = []
    for prov, start, end, need in (("K", p["k_start"], p["k_end"], p["k_need"]),
                                   ("E", p["e_start"], np.full_like(p["e_start"], NEVER),
                                    p["e_need"])):
        rows = np.flatnonzero(start <= extract_idx)
        parts.append(pd.DataFrame({
            "upn": _cat(rows, upn_cat),
            "start_date": _dates(cal, start[rows]),
            "end_date": _dates(cal, end[rows], extract_idx),
            "provision": prov,
            "primary_need": NEED_CODES[need[rows]],
        }))
    return (pd.concat(parts, ignore_index=True)
            .sort_values(["upn", "start_date"], kind="stable").reset_index(drop=True))
