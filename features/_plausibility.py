"""Warnings: values that are usable but suspicious (UPN check letters, overlaps, ...)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _messages as M
from ._codes import UPN_UNKNOWN, ethnicity_major, upn_valid_mask
from ._date_columns import day_numbers, weekdays_before
from ._schema import PHASES
from ._text_columns import rows_in

#: Tables with warnings of their own, in the order their warnings are listed.
WARNED_TABLES = ("pupils", "enrolments", "attendance")


def plausibility_warnings(clean, raw_tables, n_set_aside, W, factors=None, done=None):
    """Add warnings about the valid ``clean`` tables to ``W``.

    ``factors`` (``(table, column) -> (codes, distinct values)`` of the normalised
    columns, as the parsers left them) saves hashing those columns again. ``done``
    maps a table to the :class:`~._problems.Problems` its :func:`table_warnings`
    already filled (while later tables were parsed); they are listed in their place.
    """
    factors = {} if factors is None else factors
    done = {} if done is None else done
    for name in WARNED_TABLES:
        if name in done:
            W.extend(done[name])
        elif name in raw_tables:
            table_warnings(name, clean[name], raw_tables[name], W, factors)
    if n_set_aside:
        W.add("sen", "provision", M.PROVISION_N_SET_ASIDE.format(n=n_set_aside),
              M.PROVISION_N_SET_ASIDE_FIX, rows=[None], values=["N"])


def table_warnings(name, table, raw, W, factors=None):
    """Add the warnings about one valid normalised table ``name`` (of raw rows ``raw``)
    to ``W``; tables other than :data:`WARNED_TABLES` have none."""
    factors = {} if factors is None else factors
    if name == "pupils":
        _pupils(table, raw, W, factors)
    elif name == "enrolments":
        W.add_mask("enrolments", "phase", raw,
                   (table["phase"].notna() & ~table["phase"].isin(PHASES)).to_numpy(),
                   M.UNKNOWN_PHASE, M.UNKNOWN_PHASE_FIX)
        _overlaps(table, raw, W, factors)
    elif name == "attendance" and len(table):
        _sessions(table.iloc[: len(raw)], raw, W)  # the rows given (marks come later)


def _pupils(p, praw, W, factors):
    upn = p["upn"]
    usable = upn.notna() & ~upn.str.upper().isin(UPN_UNKNOWN).fillna(False)
    if usable.any() and (upn[usable].str.len() == 13).all():
        bad = usable.to_numpy() & ~upn_valid_mask(upn)
        W.add_mask("pupils", "upn", praw, bad, M.BAD_UPN_CHECK, M.BAD_UPN_CHECK_FIX)
    eth = p["ethnicity"]
    coded = _codes(factors, "pupils", "ethnicity", eth)
    if coded is not None:  # each distinct code once
        codes, uniq = coded
        unknown = ethnicity_major(pd.Series(uniq, dtype="string")).isna().to_numpy()
        bad = rows_in(codes, np.flatnonzero(unknown))
    else:
        bad = (eth.notna() & ethnicity_major(eth).isna()).to_numpy()
    W.add_mask("pupils", "ethnicity", praw, bad, M.UNKNOWN_ETHNICITY, M.UNKNOWN_ETHNICITY_FIX)


def _sessions(a, araw, W):
    """Warn about more sessions possible than the period's weekdays allow."""
    start, nat_s = day_numbers(a["period_start"])
    end, nat_e = day_numbers(a["period_end"])
    ok = ~(nat_s | nat_e) & (end >= start)
    weekdays = weekdays_before(end + 1) - weekdays_before(start)
    possible = a["sessions_possible"].to_numpy()
    bad = ok & ((possible > 2 * weekdays) | ((possible > 400) & (end - start < 365)))
    W.add_mask("attendance", "sessions_possible", araw, bad, M.IMPLAUSIBLE_SESSIONS,
               M.IMPLAUSIBLE_SESSIONS_FIX)


def _codes(factors, table, col, s):
    """The parse's ``(codes, distinct values)`` of column ``s``, or ``None`` if it has
    none that fit (codes as ``pandas.factorize`` numbers them: by first appearance)."""
    coded = factors.get((table, col))
    if coded is None or len(coded[0]) != len(s):
        return None
    return coded


def _overlaps(e, eraw, W, factors=None):
    """Warn about enrolments starting before an earlier one at another school ends."""
    if len(e) < 2:
        return
    factors = {} if factors is None else factors
    pupil, school = ((_codes(factors, "enrolments", c, e[c]) or pd.factorize(e[c]))[0]
                     for c in ("upn", "school"))
    entry = e["entry_date"].to_numpy().astype(np.int64)
    leave = e["leaving_date"].to_numpy()
    leave = np.where(np.isnat(leave), np.iinfo(np.int64).max, leave.astype(np.int64))
    order = np.lexsort((entry, pupil))
    p, sc, en, lv = pupil[order], school[order], entry[order], leave[order]
    # running latest leaving date within each pupil, up to the previous row
    run = pd.Series(lv).groupby(p).cummax().to_numpy()
    prev = np.r_[np.iinfo(np.int64).min, run[:-1]]
    same = np.r_[False, p[1:] == p[:-1]]
    other = np.r_[False, sc[1:] != sc[:-1]]
    bad = same & other & (en < prev)
    mask = np.zeros(len(e), dtype=bool)
    mask[order] = bad
    W.add_mask("enrolments", "entry_date", eraw, mask, M.OVERLAPPING_ENROLMENT,
               M.OVERLAPPING_ENROLMENT_FIX)
