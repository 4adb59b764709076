"""One audit table: every group of one attribute, optionally within control values.

:func:`block` computes point estimates, bootstrap intervals and suppression for
strata coded ``k * G + g`` (``k`` a control value, ``g`` a group) and returns
arrays of shape ``(K, G)``. The main table is the case ``K = 1``.
"""

from __future__ import annotations

import numpy as np

from . import _messages as msg
from ._stats import (
    auc,
    bootstrap_counts,
    cell_counts,
    interval,
    rank_sums,
    rates,
    ratio_to,
)
from ._suppress import masks

RATIOS = ("flag_ratio", "flag_ratio_overall", "base_ratio", "amplification")
COUNTS = ("n", "n_flagged", "n_outcome")


def _clean(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return np.where(np.isfinite(x), x, np.nan)


def _boot_ratios(bc: np.ndarray, ref: np.ndarray, outcome: bool) -> dict[str, np.ndarray]:
    br = rates(bc)
    tot = bc.sum(-2)  # (B, k, nc): stratum totals (n fixed by design)
    tr = rates(tot)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {
            "flag_ratio": ratio_to(br["flag_rate"], ref),
            "flag_ratio_overall": br["flag_rate"] / tr["flag_rate"][..., None],
        }
        if outcome:
            out["base_ratio"] = ratio_to(br["base_rate"], ref)
            out["amplification"] = out["flag_ratio"] / out["base_ratio"]
    return out


def block(codes, K, G, flag, outcome, score, ref, *, n_boot, ci, rng, min_cell, subsets=None,
          across=False, forced=None):
    """Columns of shape ``(K, G)`` plus overall columns of shape ``(K,)``.

    Returns ``(cols, overall, notes, hide)`` where ``notes`` is a ``(K, G)``
    object array of strings and ``hide`` the suppression masks. ``subsets``,
    ``across`` and ``forced`` are passed to :func:`audits._suppress.masks`.
    """
    has_out = outcome is not None
    nc = 4 if has_out else 2
    c = cell_counts(codes, K * G, flag, outcome).reshape(K, G, nc)
    r = rates(c)
    t = rates(c.sum(1))
    ref = np.asarray(ref, dtype=np.int64)
    kk = np.arange(K)
    ref_ok = (ref >= 0) & (r["n"][kk, np.maximum(ref, 0)] > 0)
    ref = np.where(ref_ok, ref, -1)

    cols: dict[str, np.ndarray] = {k: r[k] for k in r}
    cols["flag_ratio"] = ratio_to(r["flag_rate"], ref)
    with np.errstate(divide="ignore", invalid="ignore"):
        cols["flag_ratio_overall"] = r["flag_rate"] / t["flag_rate"][:, None]
    if has_out:
        cols["base_ratio"] = ratio_to(r["base_rate"], ref)
        with np.errstate(divide="ignore", invalid="ignore"):
            cols["amplification"] = cols["flag_ratio"] / cols["base_ratio"]
    nan = np.full((K, G), np.nan)
    if score is not None:
        ssum = np.bincount(codes, weights=score, minlength=K * G).reshape(K, G)
        with np.errstate(divide="ignore", invalid="ignore"):
            cols["mean_score"] = ssum / r["n"]
        tsum = ssum.sum(1)
    else:
        cols["mean_score"], tsum = nan.copy(), np.full(K, np.nan)
    nneg = r["n"] - r["n_outcome"] if has_out else None
    if has_out and score is not None:
        rs = rank_sums(codes, K * G, score, outcome).reshape(K, G)
        cols["auc"] = auc(rs, r["n_outcome"], nneg)
        cols["calibration_gap"] = cols["mean_score"] - r["base_rate"]
    else:
        cols["auc"], cols["calibration_gap"] = nan.copy(), nan.copy()
    for k in ("base_rate", "tpr", "fpr", "fnr", "ppv"):
        cols.setdefault(k, nan.copy())
    cols.setdefault("n_outcome", nan.copy())

    # bootstrap intervals -------------------------------------------------------
    names = [n for n in RATIOS if n in cols]
    for name in names:
        for suffix in ("_low", "_high", "_p", "_m"):
            cols[name + suffix] = nan.copy()
    if n_boot > 0:
        for sl, bc in bootstrap_counts(c, n_boot, rng):
            boots = _boot_ratios(bc, ref[sl], has_out)
            for name in names:
                lo, hi, p, m = interval(boots[name], ci)
                cols[name + "_low"][sl], cols[name + "_high"][sl] = lo, hi
                cols[name + "_p"][sl], cols[name + "_m"][sl] = p, m

    # degenerate cases: NaN with a reason, never a silent zero ------------------
    is_ref = np.zeros((K, G), dtype=bool)
    is_ref[kk[ref >= 0], ref[ref >= 0]] = True
    n = r["n"]
    present = n > 0
    nf = r["n_flagged"]
    ref_nf = np.where(ref >= 0, nf[kk, np.maximum(ref, 0)], 0)
    reason = {}  # category -> mask of strata it applies to
    reason["ref_absent"] = present & (ref < 0)[:, None]
    reason["ref_no_flags"] = present & ((ref >= 0) & (ref_nf == 0))[:, None]
    reason["no_flags"] = present & (nf == 0)
    no_flag_interval = reason["no_flags"] | reason["ref_no_flags"] | is_ref
    for suffix in ("_low", "_high", "_p"):
        cols["flag_ratio" + suffix][no_flag_interval] = np.nan
        cols["flag_ratio_overall" + suffix][reason["no_flags"]] = np.nan
    cols["flag_ratio"][reason["ref_no_flags"] | reason["ref_absent"]] = np.nan
    if has_out:
        npos = r["n_outcome"]
        ref_pos = np.where(ref >= 0, npos[kk, np.maximum(ref, 0)], 0)
        reason["no_pos"] = present & (npos == 0)
        reason["no_neg"] = present & (nneg == 0)
        reason["ref_no_pos"] = present & ((ref >= 0) & (ref_pos == 0))[:, None]
        cols["base_ratio"][reason["ref_no_pos"] | reason["ref_absent"]] = np.nan
        bad_base = reason["no_pos"] | reason["ref_no_pos"] | is_ref
        for suffix in ("_low", "_high", "_p"):
            cols["base_ratio" + suffix][bad_base] = np.nan
            cols["amplification" + suffix][bad_base | no_flag_interval] = np.nan
        reason["zero_base"] = present & (r["base_rate"] == 0) & ~reason["ref_no_pos"]
        cols["amplification"][reason["zero_base"] | reason["ref_no_pos"]] = np.nan
    for name in names:
        cols[name] = _clean(cols[name])

    # suppression ----------------------------------------------------------------
    hide = masks(r, min_cell, subsets=subsets, across=across, forced=forced)
    tot_hide = masks({k: v[:, None] for k, v in t.items()}, min_cell)
    ref_idx = np.maximum(ref, 0)
    ref_flag_h = (hide["flag"][kk, ref_idx] | (ref < 0))[:, None]
    ref_out_h = (hide["outcome"][kk, ref_idx] | (ref < 0))[:, None]
    groups_of = {
        "row": ["n", "mean_score"],
        "flag": ["n_flagged", "flag_rate"],
        "outcome": ["n_outcome", "base_rate", "calibration_gap", "auc"],
        "errors": ["tpr", "fpr", "fnr", "ppv", "tp", "fp", "fn", "tn"],
    }
    for key, names_ in groups_of.items():
        for name in names_:
            if name in cols:
                cols[name] = np.where(hide[key], np.nan, cols[name].astype(float))
    ratio_hide = {
        "flag_ratio": hide["flag"] | ref_flag_h,
        "flag_ratio_overall": hide["flag"] | tot_hide["flag"],
        "base_ratio": hide["outcome"] | ref_out_h,
    }
    ratio_hide["amplification"] = ratio_hide["flag_ratio"] | ratio_hide.get(
        "base_ratio", ratio_hide["flag_ratio"])
    for name in names:
        for suffix in ("", "_low", "_high", "_p", "_m"):
            cols[name + suffix] = np.where(ratio_hide[name], np.nan, cols[name + suffix])
    cols["suppressed"] = hide["row"]
    cols["reference"] = is_ref

    # notes (only ones that reveal nothing hidden) -------------------------------
    notes = np.empty((K, G), dtype=object)
    for k in range(K):
        for g in range(G):
            notes[k, g] = []
    def add(mask, text):
        for k, g in zip(*np.nonzero(mask)):
            notes[k, g].append(text)
    vis_flag = ~hide["flag"]
    vis_out = ~hide["outcome"]
    add(~present, msg.NOTE_EMPTY)
    add(is_ref & present, msg.NOTE_REFERENCE)
    add(hide["row"], msg.NOTE_SUPPRESSED.format(min_cell))
    add(hide["flag"] & ~hide["row"], msg.NOTE_FLAG_HIDDEN.format(min_cell - 1))
    if has_out:
        add(hide["outcome"] & ~hide["row"], msg.NOTE_OUTCOME_HIDDEN.format(min_cell - 1))
    ref_gone = reason["ref_absent"] | (present & ref_flag_h & ~is_ref & ~hide["flag"])
    add(ref_gone & ~hide["row"], msg.NOTE_REF_ABSENT)
    add(reason["ref_no_flags"] & vis_flag & ~ref_flag_h & ~is_ref, msg.NOTE_REF_NO_FLAGS)
    add(reason["no_flags"] & vis_flag, msg.NOTE_NO_FLAGS)
    if has_out:
        add(reason["no_pos"] & vis_out, msg.NOTE_NO_POSITIVES)
        add(reason["no_neg"] & vis_out, msg.NOTE_NO_NEGATIVES)
        add(reason["ref_no_pos"] & vis_out & ~ref_out_h & ~is_ref, msg.NOTE_REF_NO_POSITIVES)
        add(reason["zero_base"] & vis_out & ~reason["no_pos"], msg.NOTE_ZERO_BASE)
    if n_boot > 0:
        m = cols["flag_ratio_m"]
        partial = np.isfinite(m) & (m < n_boot) & (m > 0)
        for k, g in zip(*np.nonzero(partial)):
            notes[k, g].append(msg.NOTE_PARTIAL_BOOT.format(int(m[k, g]), n_boot))
    note_str = np.empty((K, G), dtype=object)
    for k in range(K):
        for g in range(G):
            note_str[k, g] = "; ".join(notes[k, g])

    # overall (per control value) -----------------------------------------------
    overall = {
        "n": np.where(tot_hide["row"][:, 0], np.nan, t["n"]),
        "n_flagged": np.where(tot_hide["flag"][:, 0], np.nan, t["n_flagged"]),
        "flag_rate": np.where(tot_hide["flag"][:, 0], np.nan, t["flag_rate"]),
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        overall["mean_score"] = np.where(tot_hide["row"][:, 0], np.nan, tsum / t["n"])
    if has_out:
        for name in ("n_outcome", "base_rate"):
            overall[name] = np.where(tot_hide["outcome"][:, 0], np.nan, t[name])
        for name in ("tpr", "fpr", "fnr", "ppv"):
            overall[name] = np.where(tot_hide["errors"][:, 0], np.nan, t[name])
        if score is not None:
            kcodes = codes // G
            rs = rank_sums(kcodes, K, score, outcome)
            a = auc(rs, t["n_outcome"], t["n"] - t["n_outcome"])
            overall["auc"] = np.where(tot_hide["outcome"][:, 0], np.nan, a)
            gap = tsum / t["n"] - t["base_rate"]
            overall["calibration_gap"] = np.where(tot_hide["outcome"][:, 0], np.nan, gap)
    return cols, overall, note_str, hide
