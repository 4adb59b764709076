"""Small-cell suppression: no count between 1 and ``min_cell - 1`` can be read or derived.

The policy, applied within each attribute (and within each control value in
breakdowns), on the unrounded counts:

1. **Primary row suppression.** A group with ``1 <= n < min_cell`` pupils is
   ``suppressed``: every count and every rate, ratio, interval, mean score and
   AUC of the row is NaN.
2. **Flag counts.** If ``n_flagged`` or ``n - n_flagged`` is between 1 and
   ``min_cell - 1``, ``n_flagged``, ``flag_rate`` (``flag_rate * n`` would
   reveal it) and every flag ratio and amplification of the row are NaN.
3. **Outcome counts.** Likewise for ``n_outcome`` / ``n - n_outcome``:
   ``n_outcome``, ``base_rate``, ``base_ratio``, ``amplification`` and
   ``calibration_gap`` are NaN.
4. **Error rates.** ``tpr``, ``fnr``, ``fpr``, ``ppv`` and the
   ``tp/fp/fn/tn`` counts behind them are shown only if all four confusion
   counts are 0 or >= ``min_cell`` and the flag and outcome counts are shown
   (any one of them plus the shown totals would reveal the others).
   ``auc`` is shown when the outcome counts are shown.
5. **Secondary (complementary) suppression.** The attribute totals are
   shown, so if exactly one non-empty group has a quantity hidden by rules
   1-4, ``total - others`` would recover it. The next-smallest non-empty
   group (smallest count of that quantity, preferring non-zero counts, then
   smallest ``n``) is hidden for that quantity too; for rule 1 the whole row
   is suppressed.
6. **Ratios** are shown only if both rates they divide are shown.

7. **Linked tables.** Totals shown elsewhere are protected the same way:
   in an intersection ``sex × fsm`` every slice that sums to a marginal
   group (all ``F × ...`` cells sum to the ``sex = F`` row; all
   ``... × True`` cells to ``fsm = True``) is complemented like an
   attribute; in breakdowns by a control (school), each group's cells across
   control values sum to the main table, so they are complemented across
   control values too, and a group hidden in the main table is hidden in
   every control value. Complementing repeats until no total can recover a
   hidden cell.

Zero counts are never suppressed (0 discloses no pupil), and groups with no
pupils at all (unused categories) are reported with ``n = 0``. Limitation:
the protection is against single-cell differencing along displayed totals
(the standard complementary-suppression check), not a full linear-programming
audit of every combination of tables; rates in the calibration table and
concentration shares are protected by their own rules (see those modules).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _unsafe(c: np.ndarray, min_cell: int) -> np.ndarray:
    return (c > 0) & (c < min_cell)


def complement(hidden: np.ndarray, value: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Hide one more group in each row (stratum) of ``hidden`` that has exactly one.

    Arrays have shape ``(K, G)``; only non-empty groups (``n > 0``) count.

    >>> complement(np.array([[True, False, False]]), np.array([[3, 50, 20]]),
    ...            np.array([[3, 50, 20]]))
    array([[ True, False,  True]])
    """
    present = n > 0
    hidden = hidden & present
    one = hidden.sum(-1) == 1
    cand = present & ~hidden
    # prefer non-zero counts, then the smallest count, then the smallest n
    key = np.where(value > 0, 0.0, 1e30) + value.astype(float) * 1e12 + n.astype(float)
    key = np.where(cand, key, np.inf)
    pick = np.argmin(key, axis=-1)
    ok = one & np.isfinite(key.min(axis=-1))
    out = hidden.copy()
    out[np.nonzero(ok)[0], pick[ok]] = True
    return out


def protect(hidden, value, n, subsets=None, across=False):
    """Repeat :func:`complement` until no displayed total can recover a hidden cell.

    ``subsets`` lists index arrays of groups whose sum is a displayed total
    (default: all groups, the attribute total; intersections add one subset
    per slice of each margin). With ``across=True`` (breakdowns), the totals
    over control values, i.e. the main table's cells, are protected too.
    """
    hidden = hidden.copy()
    subsets = subsets if subsets is not None else [np.arange(hidden.shape[-1])]
    changed = True
    while changed:
        changed = False
        for idx in subsets:
            h = complement(hidden[:, idx], value[:, idx], n[:, idx])
            if (h != hidden[:, idx]).any():
                hidden[:, idx] = h
                changed = True
        if across and hidden.shape[0] > 1:
            h = complement(hidden.T, value.T, n.T).T
            if (h != hidden).any():
                hidden = h
                changed = True
    return hidden


def masks(r: dict[str, np.ndarray], min_cell: int,
          subsets: Sequence[np.ndarray] | None = None, across: bool = False,
          forced: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Hidden-masks of shape ``(K, G)``: ``row``, ``flag``, ``outcome``, ``errors``.

    ``r`` holds integer counts ``n``, ``n_flagged`` and, with an outcome,
    ``n_outcome``, ``tp``, ``fp``, ``fn``, ``tn``. ``forced`` (same keys, masks
    broadcastable to ``(K, G)``) hides cells up front: in breakdowns, a
    group hidden in the main table is hidden in every control value, so the
    breakdown cannot be summed to recover it.
    """
    n = r["n"]
    forced = forced or {}
    if min_cell <= 1:
        none = np.zeros(n.shape, dtype=bool)
        return {"row": none, "flag": none, "outcome": none, "errors": none}

    def f(key):
        return np.broadcast_to(forced.get(key, False), n.shape)

    def prot(h, v):
        return protect(h, v, n, subsets, across)

    row = prot(_unsafe(n, min_cell) | f("row"), n)
    nf = r["n_flagged"]
    flag = prot(row | _unsafe(nf, min_cell) | _unsafe(n - nf, min_cell) | f("flag"), nf)
    out = {"row": row, "flag": flag}
    if "n_outcome" in r:
        npos = r["n_outcome"]
        outcome = prot(row | _unsafe(npos, min_cell) | _unsafe(n - npos, min_cell)
                       | f("outcome"), npos)
        err = row | flag | outcome | f("errors")
        for key in ("tp", "fp", "fn", "tn"):
            err = err | _unsafe(r[key], min_cell)
        out["outcome"] = outcome
        out["errors"] = prot(err, n)
    else:
        out["outcome"] = row
        out["errors"] = row
    return out
