"""One audit table: every group of one attribute, optionally within control values.

:func:`block` turns cell counts of shape ``(K, G, cells)`` (``K`` control values,
``G`` groups; the main table is ``K = 1``) into rates, ratios against a reference,
differences, bootstrap intervals and count-based p-values, and blanks what the linked
suppression (:mod:`audits._layout`) hides. Everything is computed from the counts,
so the same function serves one local authority or the sum of many.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _messages as msg
from ._pvalues import log_amp_var, log_ratio_var, rate_ratio_p, wald_p
from ._stats import auc, bootstrap_counts, interval

#: Error rates (with an outcome) and the cells behind each: (numerator, denominator).
#: Cells: 0 tp (flagged, outcome), 1 fp, 2 fn, 3 tn.
ERROR_RATES = {
    "tpr": ((0,), (0, 2)), "fnr": ((2,), (0, 2)), "fpr": ((1,), (1, 3)),
    "tnr": ((3,), (1, 3)), "ppv": ((0,), (0, 1)), "fdr": ((1,), (0, 1)),
    "npv": ((3,), (2, 3)), "for": ((2,), (2, 3)),
}
RATE_CELLS = {"flag_rate": ((0, 1), (0, 1, 2, 3)), "base_rate": ((0, 2), (0, 1, 2, 3)),
              **ERROR_RATES}
#: Ratios with intervals, in the order they appear in the table.
RATIOS = ("flag_ratio", "flag_ratio_overall", "base_ratio", "amplification",
          *(f"{e}_ratio" for e in ERROR_RATES), "recent_base_ratio", "recent_amplification")
#: Differences (group rate minus reference rate) beside the ratios.
DIFFS = ("flag_rate_diff", "base_rate_diff", *(f"{e}_diff" for e in ERROR_RATES))
COUNTS = ("n", "n_flagged", "n_outcome")
REF_ABSENT, REF_COHORT = -1, -2


def _div(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(a, b)


def _numden(c, name, nc):
    if nc == 2:  # no outcome: cells are flagged / not flagged
        if name != "flag_rate":
            raise KeyError(name)
        return c[..., 0], c.sum(-1)
    num, den = RATE_CELLS[name]
    return c[..., list(num)].sum(-1), c[..., list(den)].sum(-1)


def _rate(c, name, nc):
    x, d = _numden(c, name, nc)
    return _div(x, d)


def ref_counts(c: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Counts of each stratum's reference: a group, the whole stratum, or zeros.

    ``c`` has shape ``(..., K, G, nc)``; returns ``(..., K, nc)``.
    """
    K = c.shape[-3]
    kk = np.arange(K)
    picked = c[..., kk, np.maximum(ref, 0), :]
    total = c.sum(-2)
    out = np.where((ref == REF_COHORT)[:, None], total, picked)
    return np.where((ref == REF_ABSENT)[:, None], 0, out)


def _rate_names(nc):
    return ["flag_rate"] if nc == 2 else list(RATE_CELLS)


def _ratios(c, cref, nc, recent=None):
    """Point ratios from counts ``(..., K, G, nc)`` and reference counts ``(..., K, nc)``."""
    out = {}
    tot = c.sum(-2)
    for name in _rate_names(nc):
        key = {"flag_rate": "flag_ratio", "base_rate": "base_ratio"}.get(name, name + "_ratio")
        out[key] = _div(_rate(c, name, nc), _rate(cref, name, nc)[..., None])
    out["flag_ratio_overall"] = _div(_rate(c, "flag_rate", nc),
                                     _rate(tot, "flag_rate", nc)[..., None])
    if nc == 4:
        out["amplification"] = _div(out["flag_ratio"], out["base_ratio"])
    if recent is not None:
        rc, rref = recent
        rr = _div(_div(rc[..., 0], rc.sum(-1)), _div(rref[..., 0], rref.sum(-1))[..., None])
        out["recent_base_ratio"] = rr
        out["recent_amplification"] = _div(out["flag_ratio"], rr)
    return out


def _pvalues(c, cref, ref, nc, recent=None):
    """Count-based p-values for every ratio (see :mod:`audits._pvalues`)."""
    cohort = (ref == REF_COHORT)[:, None, None]
    cmp = np.where(cohort, cref[:, None, :] - c, np.broadcast_to(cref[:, None, :], c.shape))
    p = {}
    for name in _rate_names(nc):
        key = {"flag_rate": "flag_ratio", "base_rate": "base_ratio"}.get(name, name + "_ratio")
        x1, d1 = _numden(c, name, nc)
        x0, d0 = _numden(cmp, name, nc)
        p[key] = rate_ratio_p(x1, d1, x0, d0)
    tot = c.sum(-2)[:, None, :]
    x1, d1 = _numden(c, "flag_rate", nc)
    x0, d0 = _numden(tot - c, "flag_rate", nc)
    p["flag_ratio_overall"] = rate_ratio_p(x1, d1, x0, d0)
    lfr_var = log_ratio_var(*_numden(c, "flag_rate", nc)) + \
        log_ratio_var(*_numden(cmp, "flag_rate", nc))
    with np.errstate(divide="ignore", invalid="ignore"):
        lfr = np.log(_rate(c, "flag_rate", nc)) - np.log(_rate(cmp, "flag_rate", nc))
    if nc == 4:
        with np.errstate(divide="ignore", invalid="ignore"):
            f1, o1 = c[..., 0] + c[..., 1], c[..., 0] + c[..., 2]
            f0, o0 = cmp[..., 0] + cmp[..., 1], cmp[..., 0] + cmp[..., 2]
            la = np.log(f1 / o1) - np.log(f0 / o0)
        p["amplification"] = wald_p(la, log_amp_var(c) + log_amp_var(cmp))
    if recent is not None:
        rc, rref = recent
        rcmp = np.where(cohort, rref[:, None, :] - rc,
                        np.broadcast_to(rref[:, None, :], rc.shape))
        p["recent_base_ratio"] = rate_ratio_p(rc[..., 0], rc.sum(-1), rcmp[..., 0],
                                              rcmp.sum(-1))
        with np.errstate(divide="ignore", invalid="ignore"):
            lrr = np.log(_div(rc[..., 0], rc.sum(-1))) - np.log(_div(rcmp[..., 0],
                                                                    rcmp.sum(-1)))
            var = lfr_var + log_ratio_var(rc[..., 0], rc.sum(-1)) + \
                log_ratio_var(rcmp[..., 0], rcmp.sum(-1))
            # a group with no flags or no recent outcomes gives inf - inf: no test (NaN)
            diff = lfr - lrr
        p["recent_amplification"] = wald_p(diff, var)
    return p


def _unit_hidden(h):
    """A stratum's own total is hidden when any of its cells is (breakdown rows)."""
    return h.any(-1)


def _join_notes(marks: list[np.ndarray], texts: list[str],
                shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's notes joined by ``"; "``: the ``texts`` whose ``marks`` hold it, in order.

    Cells share few combinations of notes, so each combination is joined once. Returns
    the (object) array of joined notes and whether a cell has any note.
    """
    n_cells = shape[0] * shape[1]
    if not marks:
        return np.full(shape, "", dtype=object), np.zeros(shape, dtype=bool)
    stack = np.stack([m.reshape(n_cells) for m in marks], axis=1)
    packed = np.packbits(stack, axis=1)  # each cell's combination as bytes: one key
    key = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    joined = np.empty(len(first), dtype=object)
    for i, row in enumerate(first):
        joined[i] = "; ".join(texts[j] for j in np.flatnonzero(stack[row]))
    return joined[inverse.reshape(n_cells)].reshape(shape), stack.any(axis=1).reshape(shape)


def block(c, ref, hide, *, n_boot, ci, rng, min_cell, score_sum=None, rank_sum=None,
          recent=None, recent_hide=None, total_hide=None, cohort_rows=False):
    """Columns of shape ``(K, G)`` from cell counts ``c`` of shape ``(K, G, nc)``.

    Parameters
    ----------
    ref : int array (K,)
        Reference group per stratum, ``REF_COHORT`` for the whole stratum, or
        ``REF_ABSENT``.
    hide : dict
        Masks ``row``, ``flag``, ``outcome``, ``errors`` of shape ``(K, G)``.
    score_sum, rank_sum : (K, G) arrays, optional
        Sum of scores, and sum of within-stratum ranks of the positives (for the AUC).
    recent : (rc, rref)
        Recent cohort's ``(K, G, 2)`` outcome / no-outcome counts and the reference's.
    total_hide : dict of bool, optional
        Whether the stratum totals (the cohort row) are hidden, per kind; default: a
        stratum total is hidden when any of its cells is.
    cohort_rows : bool
        The strata are control values (school): their totals are never printed.

    Returns ``(cols, notes)``.
    """
    c = np.asarray(c, dtype=np.int64)
    K, G, nc = c.shape
    has_out = nc == 4
    ref = np.asarray(ref, dtype=np.int64)
    kk = np.arange(K)
    n = c.sum(-1)
    present = n > 0
    ref_ok = (ref == REF_COHORT) | ((ref >= 0) & (n[kk, np.maximum(ref, 0)] > 0))
    ref = np.where(ref_ok, ref, REF_ABSENT)
    cref = ref_counts(c, ref)
    is_ref = np.zeros((K, G), dtype=bool)
    is_ref[kk[ref >= 0], ref[ref >= 0]] = True
    nan = np.full((K, G), np.nan)

    cols: dict[str, Any] = {"n": n.astype(float)}
    cols["n_flagged"] = (c[..., 0] + (c[..., 1] if has_out else 0)).astype(float)
    cols["n_outcome"] = (c[..., 0] + c[..., 2]).astype(float) if has_out else nan.copy()
    for name in RATE_CELLS:
        cols[name] = _rate(c, name, nc) if name in _rate_names(nc) else nan.copy()
    rec = None
    if recent is not None:
        rc = np.asarray(recent[0], dtype=np.int64)
        rec = (rc, ref_counts(rc, ref))
        cols["recent_base_rate"] = _div(rc[..., 0], rc.sum(-1))
    else:
        cols["recent_base_rate"] = nan.copy()
    point = _ratios(c, cref, nc, rec)
    pv = _pvalues(c, cref, ref, nc, rec)
    for name in RATIOS:
        cols[name] = point.get(name, nan.copy())
        for suffix in ("_low", "_high", "_m", "_pboot"):
            cols[name + suffix] = nan.copy()
        cols[name + "_p"] = pv.get(name, nan.copy())
    for name in DIFFS:
        rate = name[:-5]
        if rate in _rate_names(nc):
            cols[name] = cols[rate] - _rate(cref, rate, nc)[:, None]
        else:
            cols[name] = nan.copy()
    if score_sum is not None:
        cols["mean_score"] = _div(score_sum, n)
        tsum = score_sum.sum(1)
    else:
        cols["mean_score"], tsum = nan.copy(), np.full(K, np.nan)
    if has_out and rank_sum is not None:
        cols["auc"] = auc(rank_sum, cols["n_outcome"], n - cols["n_outcome"])
        cols["calibration_gap"] = cols["mean_score"] - cols["base_rate"]
    else:
        cols["auc"], cols["calibration_gap"] = nan.copy(), nan.copy()

    # bootstrap intervals (percentile, stratified within groups) -------------------
    names = [k for k in RATIOS if k in point]
    if n_boot > 0:
        rb = None
        if rec is not None:
            rb = rng.multinomial(rec[0].sum(-1), _div(rec[0], np.maximum(rec[0].sum(-1), 1)
                                                      [..., None]), size=(n_boot, K, G))
        for sl, bc in bootstrap_counts(c, n_boot, rng):
            bref = ref_counts(bc, ref[sl])
            brec = None
            if rb is not None:
                rbs = rb[:, sl]
                brec = (rbs, ref_counts(rbs, ref[sl]))
            boots = _ratios(bc, bref, nc, brec)
            for name in names:
                lo, hi, p, m = interval(boots[name], ci)
                cols[name + "_low"][sl], cols[name + "_high"][sl] = lo, hi
                cols[name + "_pboot"][sl], cols[name + "_m"][sl] = p, m

    # degenerate cases: NaN with a reason, never a silent zero -----------------------
    nf = cols["n_flagged"]
    reason = {
        "ref_absent": present & (ref == REF_ABSENT)[:, None],
        "ref_no_flags": present & ((ref != REF_ABSENT) & (_rate(cref, "flag_rate", nc) == 0)
                                   )[:, None],
        "no_flags": present & (nf == 0),
    }
    for name in names:
        bad = ~np.isfinite(cols[name])
        for suffix in ("", "_low", "_high", "_p", "_pboot"):
            own = is_ref if suffix and name != "flag_ratio_overall" else False
            cols[name + suffix] = np.where(bad | own, np.nan, cols[name + suffix])
    # an interval of a ratio whose group has none of the numerator ([0, 0]) or whose
    # reference has none (undefined) is degenerate: blank it (the test's p stays valid)
    zero_num = {}
    for rate in _rate_names(nc):
        key = {"flag_rate": "flag_ratio", "base_rate": "base_ratio"}.get(rate, rate + "_ratio")
        x1 = _numden(c, rate, nc)[0]
        x0 = _numden(cref, rate, nc)[0][:, None]
        zero_num[key] = (x1 == 0) | (x0 == 0)
    zero_num["flag_ratio_overall"] = zero_num["flag_ratio"] & (cols["n_flagged"] == 0)
    if has_out:
        zero_num["amplification"] = zero_num["flag_ratio"] | zero_num["base_ratio"]
    if rec is not None:
        r1, r0 = rec[0][..., 0], rec[1][..., 0][:, None]
        zero_num["recent_base_ratio"] = (r1 == 0) | (r0 == 0)
        zero_num["recent_amplification"] = zero_num["recent_base_ratio"] | zero_num[
            "flag_ratio"]
    for name, z in zero_num.items():
        for suffix in ("_low", "_high", "_pboot"):
            cols[name + suffix] = np.where(z, np.nan, cols[name + suffix])
    for name in names:  # an interval with an infinite end stays; a NaN end blanks both
        lo, hi = cols[name + "_low"], cols[name + "_high"]
        gone = np.isnan(lo) | np.isnan(hi)
        cols[name + "_low"], cols[name + "_high"] = np.where(gone, np.nan, lo), np.where(
            gone, np.nan, hi)
    if has_out:
        npos = cols["n_outcome"]
        nneg = n - npos
        reason["no_pos"] = present & (npos == 0)
        reason["no_neg"] = present & (nneg == 0)
        reason["ref_no_pos"] = present & ((ref != REF_ABSENT) & (
            _rate(cref, "base_rate", nc) == 0))[:, None]
        reason["zero_base"] = present & (npos == 0) & ~reason["ref_no_pos"]

    # suppression (masks from the linked protection of every table) -----------------
    h = {k: np.asarray(v, dtype=bool) for k, v in hide.items()}
    if total_hide is None or cohort_rows:
        tot_h = {k: _unit_hidden(v) for k, v in h.items()}
    else:
        tot_h = {k: np.full(K, bool(total_hide[k])) for k in h}

    def ref_h(kind):
        on_group = h[kind][kk, np.maximum(ref, 0)]
        out = np.where(ref == REF_COHORT, tot_h[kind], on_group) | (ref == REF_ABSENT)
        return out[:, None]

    blank = {
        "row": ["n", "mean_score"],
        "flag": ["n_flagged", "flag_rate"],
        "outcome": ["n_outcome", "base_rate", "calibration_gap", "auc"],
        "errors": list(ERROR_RATES),
    }
    for kind, cnames in blank.items():
        for name in cnames:
            cols[name] = np.where(h[kind], np.nan, cols[name])
    hide_of = {
        "flag_ratio": h["flag"] | ref_h("flag"),
        "flag_ratio_overall": h["flag"] | tot_h["flag"][:, None],
        "base_ratio": h["outcome"] | ref_h("outcome"),
        "flag_rate_diff": h["flag"] | ref_h("flag"),
        "base_rate_diff": h["outcome"] | ref_h("outcome"),
    }
    hide_of["amplification"] = hide_of["flag_ratio"] | hide_of["base_ratio"]
    for e in ERROR_RATES:
        hide_of[f"{e}_ratio"] = hide_of[f"{e}_diff"] = h["errors"] | ref_h("errors")
    rh = np.zeros((K, G), dtype=bool)
    if rec is not None:
        rh = np.asarray(recent_hide, dtype=bool)
        rref_h = np.where(ref == REF_COHORT, rh.any(-1), rh[kk, np.maximum(ref, 0)])
        rh = rh | rref_h[:, None] | (ref == REF_ABSENT)[:, None]
        cols["recent_base_rate"] = np.where(np.asarray(recent_hide, bool),
                                            np.nan, cols["recent_base_rate"])
    hide_of["recent_base_ratio"] = rh
    hide_of["recent_amplification"] = rh | hide_of["flag_ratio"]
    for name in RATIOS:
        for suffix in ("", "_low", "_high", "_p", "_pboot", "_m"):
            cols[name + suffix] = np.where(hide_of[name], np.nan, cols[name + suffix])
    for name in DIFFS:
        cols[name] = np.where(hide_of[name], np.nan, cols[name])
    # which shown columns each row lost to suppression (for the 'c' symbol in CSVs)
    gone = {name: h[kind] for kind, cnames in blank.items() for name in cnames}
    for name in (*RATIOS, *DIFFS):
        gone[name] = hide_of[name]
        if name in RATIOS:
            gone[name + "_low"] = gone[name + "_high"] = hide_of[name]
    if rec is not None:
        gone["recent_base_rate"] = np.asarray(recent_hide, bool)
    cols["_suppressed_columns"] = gone
    cols["suppressed"] = h["row"].copy()
    cols["reference"] = is_ref

    # notes: plain sentences that reveal nothing hidden ------------------------------
    # (each cell's notes are the texts of the masks holding it, in the order added)
    marks: list[np.ndarray] = []
    texts: list[str] = []

    def add(mask, text):
        at = np.zeros((K, G), dtype=bool)
        at[np.nonzero(mask)] = True
        marks.append(at)
        texts.append(text)

    vis_f, vis_o = ~h["flag"], ~h["outcome"]
    add(~present, msg.NOTE_EMPTY)
    add(is_ref & present, msg.NOTE_REFERENCE)
    add(h["row"], msg.NOTE_SUPPRESSED.format(min_cell))
    add(h["flag"] & ~h["row"], msg.NOTE_FLAG_HIDDEN.format(min_cell - 1))
    if has_out:
        add(h["outcome"] & ~h["row"], msg.NOTE_OUTCOME_HIDDEN.format(min_cell - 1))
        add(h["errors"] & ~h["flag"] & ~h["outcome"],
            msg.NOTE_ERRORS_HIDDEN.format(min_cell - 1))
    gone = reason["ref_absent"] | (present & ref_h("flag") & ~is_ref & ~h["flag"])
    add(gone & ~h["row"], msg.NOTE_REF_ABSENT)
    add(reason["ref_no_flags"] & vis_f & ~ref_h("flag") & ~is_ref, msg.NOTE_REF_NO_FLAGS)
    add(reason["no_flags"] & vis_f, msg.NOTE_NO_FLAGS)
    add(present & vis_f & tot_h["flag"][:, None] & ~h["row"], msg.NOTE_OVERALL_HIDDEN)
    if has_out:
        add(reason["no_pos"] & vis_o, msg.NOTE_NO_POSITIVES)
        add(reason["no_neg"] & vis_o, msg.NOTE_NO_NEGATIVES)
        add(reason["ref_no_pos"] & vis_o & ~ref_h("outcome") & ~is_ref,
            msg.NOTE_REF_NO_POSITIVES)
        add(reason["zero_base"] & vis_o & ~reason["no_pos"], msg.NOTE_ZERO_BASE)
        few = present & vis_o & (cols["n_outcome"] < min_cell) & (cols["n_outcome"] > 0)
        add(few, msg.NOTE_LOW.format(min_cell))
    if rec is not None:
        rn = rec[0].sum(-1)
        add(present & (rn == 0), msg.NOTE_RECENT_ABSENT)
        add(present & (rn > 0) & rh & ~h["row"],
            msg.NOTE_RECENT_HIDDEN.format(min_cell - 1))
    note_str, noted = _join_notes(marks, texts, (K, G))
    if n_boot > 0:
        m = cols["flag_ratio_m"]
        partial = np.isfinite(m) & (m < n_boot) & (m > 0)
        for k, g in zip(*np.nonzero(partial)):
            text = msg.NOTE_PARTIAL_BOOT.format(int(m[k, g]), n_boot)
            note_str[k, g] = f"{note_str[k, g]}; {text}" if noted[k, g] else text

    # the stratum totals (the cohort row of the main table) --------------------------
    tot = c.sum(1)
    overall = {"n": np.where(tot_h["row"], np.nan, tot.sum(-1))}
    overall["n_flagged"] = np.where(tot_h["flag"], np.nan, _numden(tot, "flag_rate", nc)[0])
    overall["flag_rate"] = np.where(tot_h["flag"], np.nan, _rate(tot, "flag_rate", nc))
    overall["mean_score"] = np.where(tot_h["row"], np.nan, _div(tsum, tot.sum(-1)))
    if has_out:
        overall["n_outcome"] = np.where(tot_h["outcome"], np.nan, tot[:, 0] + tot[:, 2])
        overall["base_rate"] = np.where(tot_h["outcome"], np.nan,
                                        _rate(tot, "base_rate", nc))
        for e in ERROR_RATES:
            overall[e] = np.where(tot_h["errors"], np.nan, _rate(tot, e, nc))
    return cols, overall, note_str
