"""Plain-English findings from the ratio table, with a Holm correction.

A *comparison* is one shown, non-reference ratio with a bootstrap interval:
each group's ``flag_ratio`` (vs its attribute's reference group) and, when
an outcome is given, its ``amplification`` (flag ratio / outcome ratio).
A comparison is a *finding* when its percentile interval excludes 1 **and**
the point ratio lies outside ``[0.8, 1.25]`` (the four-fifths rule, both
ways). Each finding also reports a Holm-adjusted bootstrap p-value, computed
over all comparisons made; significance after Holm (at 5%) is stated, not
used as the criterion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LOW, HIGH = 0.8, 1.25
ALPHA = 0.05


def holm(p: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values.

    >>> holm(np.array([0.01, 0.04, 0.03])).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adj
    return out


def comparisons(by_group: pd.DataFrame, references: dict[str, str]) -> pd.DataFrame:
    """One row per comparison made, with ``p_holm`` and a ``finding`` flag."""
    cols = ["attribute", "group", "reference_group", "measure", "ratio", "low", "high", "p"]
    parts = []
    not_ref = ~by_group["reference"].to_numpy(dtype=bool)
    attr = by_group["attribute"].to_numpy(dtype=object)
    group = by_group["group"].to_numpy(dtype=object)
    for measure in ("flag_ratio", "amplification"):
        if measure + "_p" not in by_group:
            continue
        vals = [by_group[measure + s].to_numpy(dtype=float) for s in ("", "_low", "_high", "_p")]
        keep = not_ref & np.all([~np.isnan(v) for v in vals], axis=0)
        parts.append(pd.DataFrame({
            "attribute": attr[keep], "group": group[keep],
            "reference_group": [references.get(a) for a in attr[keep]],
            "measure": measure, "ratio": vals[0][keep], "low": vals[1][keep],
            "high": vals[2][keep], "p": vals[3][keep],
        }, columns=cols))
    parts = [p for p in parts if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {c: pd.Series(dtype=float if c in ("ratio", "low", "high", "p") else object)
         for c in cols})
    out["p_holm"] = holm(out["p"].to_numpy(dtype=float))
    lo, hi, r = (out[c].to_numpy(dtype=float) for c in ("low", "high", "ratio"))
    out["finding"] = ((lo > 1) | (hi < 1)) & ((r < LOW) | (r > HIGH))
    return out


def with_sentences(comp: pd.DataFrame, ci: float) -> pd.DataFrame:
    """``comp`` with a ``sentence`` column: the plain-English finding, or ``""``.

    Callers pick findings by ``measure`` and ``finding`` and print ``sentence``;
    nobody needs to search the text.
    """
    out = comp.copy()
    out["sentence"] = [sentence(r, ci) if r.finding else ""
                       for r in out.itertuples(index=False)]
    return out


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def sentence(row, ci: float) -> str:
    """One finding in plain English."""
    pct = f"{ci:.0%}"
    sig = "significant" if row.p_holm < ALPHA else "not significant"
    tail = (f"{pct} interval {row.low:.2f} to {row.high:.2f}; Holm-adjusted {_p(row.p_holm)}, "
            f"{sig} at 5%")
    who = f"{row.attribute} = {row.group}"
    ref = f"{row.attribute} = {row.reference_group}"
    if row.measure == "flag_ratio":
        word = "more" if row.ratio > 1 else "less"
        times = row.ratio if row.ratio > 1 else 1 / row.ratio if row.ratio > 0 else float("inf")
        return (f"Pupils with {who} were flagged {times:.2f} times {word} often than {ref} "
                f"(the reference group): flag ratio {row.ratio:.2f} ({tail}).")
    word = "more" if row.ratio > 1 else "less"
    return (f"For {who}, the flag ratio is {row.ratio:.2f} times the outcome ratio: flags are "
            f"{word} concentrated on this group than its outcome rate explains "
            f"(amplification {row.ratio:.2f}; {tail}).")


def findings(comp: pd.DataFrame, ci: float) -> tuple[str, ...]:
    """A summary line, then one sentence per finding (largest departure first)."""
    m = len(comp)
    hits = comp[comp["finding"]]
    n_sig = int((hits["p_holm"] < ALPHA).sum())
    if m == 0:
        return ("No comparisons could be made (no shown ratio has a bootstrap interval).",)
    head = (f"{m} comparison{'s' if m != 1 else ''} made (flag ratios vs each attribute's "
            f"reference group, and amplification where outcomes are known); {len(hits)} "
            f"ha{'ve' if len(hits) != 1 else 's'} a {ci:.0%} interval excluding 1 and a ratio "
            f"outside {LOW}-{HIGH}; {n_sig} of these remain significant after Holm adjustment "
            f"for {m} comparisons.")
    if hits.empty:
        return (head,)
    key = np.abs(np.log(hits["ratio"].astype(float).clip(lower=1e-12)))
    hits = hits.assign(_k=key).sort_values("_k", ascending=False, kind="stable")
    return (head,) + tuple(sentence(r, ci) for r in hits.itertuples(index=False))
