"""Plain-English findings from the ratio table, with a Holm correction.

A *comparison* is one shown, non-reference ratio that is tested: by default each
group's ``flag_ratio`` (against its attribute's reference) and, when outcomes are
known, its ``amplification`` (flag ratio over outcome ratio) and
``recent_amplification`` (flag ratio over the outcome ratio of a recent cohort); the
``tests`` argument of :func:`audit` adds any other ratio (``fpr_ratio`` ...).
Each has a p-value from a test on the counts (:mod:`audits._pvalues`), and Holm's
step-down correction runs over every comparison of the report.

A comparison is a *finding* when its ratio lies outside ``band`` (default
``[0.8, 1.25]``, the four-fifths rule both ways) **and** its interval excludes 1
(the bootstrap interval; without a bootstrap, the unadjusted p-value is below
``1 - ci``). Whether it stays significant after Holm is stated in its sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _messages as msg

LOW, HIGH = 0.8, 1.25
BAND = (LOW, HIGH)
ALPHA = 0.05
DEFAULT_TESTS = ("flag_ratio", "amplification", "recent_amplification")
TESTABLE = ("flag_ratio", "flag_ratio_overall", "base_ratio", "amplification",
            "tpr_ratio", "fpr_ratio", "fnr_ratio", "tnr_ratio", "ppv_ratio", "fdr_ratio",
            "npv_ratio", "for_ratio", "recent_base_ratio", "recent_amplification")
_NEEDS_OUTCOME = set(TESTABLE) - {"flag_ratio", "flag_ratio_overall", "recent_base_ratio",
                                  "recent_amplification"}
_WORDS = {
    "flag_ratio": "flag rate", "flag_ratio_overall": "flag rate (vs the whole cohort)",
    "base_ratio": "outcome rate", "tpr_ratio": "true positive rate",
    "fpr_ratio": "false positive rate", "fnr_ratio": "false negative rate",
    "tnr_ratio": "true negative rate", "ppv_ratio": "precision (PPV)",
    "fdr_ratio": "false discovery rate", "npv_ratio": "negative predictive value",
    "for_ratio": "false omission rate", "recent_base_ratio": "recent outcome rate",
}


def test_names(tests: Sequence[str] | None, has_outcome: bool,
               has_recent: bool) -> tuple[str, ...]:
    """The ratios tested in this report (checked)."""
    if tests is None:
        out = ["flag_ratio"]
        if has_outcome:
            out.append("amplification")
        if has_recent:
            out.append("recent_amplification")
        return tuple(out)
    if isinstance(tests, str):
        tests = [tests]
    out = []
    for t in tests:
        if t not in TESTABLE:
            raise ValueError(msg._TESTS.format(t, list(TESTABLE)))
        if t in _NEEDS_OUTCOME and not has_outcome:
            continue
        if t.startswith("recent") and not has_recent:
            continue
        out.append(t)
    return tuple(dict.fromkeys(out))


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


_COLUMNS = ["attribute", "group", "reference_group", "measure", "ratio", "low", "high", "p",
            "p_bootstrap", "difference"]


def comparisons(by_group: pd.DataFrame, references: dict[str, str],
                tests: Sequence[str] = DEFAULT_TESTS, *, band: tuple[float, float] = BAND,
                ci: float = 0.95) -> pd.DataFrame:
    """One row per comparison made, with ``p_holm`` and a ``finding`` flag."""
    parts = []
    not_ref = ~by_group["reference"].to_numpy(dtype=bool)
    attr = by_group["attribute"].to_numpy(dtype=object)
    group = by_group["group"].to_numpy(dtype=object)
    for measure in tests:
        if measure + "_p" not in by_group:
            continue
        r, lo, hi, p = (by_group[measure + s].to_numpy(dtype=float)
                        for s in ("", "_low", "_high", "_p"))
        pb = by_group[measure + "_pboot"].to_numpy(dtype=float)
        diff_col = {"flag_ratio": "flag_rate_diff", "base_ratio": "base_rate_diff"}.get(
            measure, measure.replace("_ratio", "_diff"))
        diff = (by_group[diff_col].to_numpy(dtype=float) if diff_col in by_group
                else np.full(len(r), np.nan))
        keep = not_ref & np.isfinite(r) & ~np.isnan(p)
        parts.append(pd.DataFrame({
            "attribute": attr[keep], "group": group[keep],
            "reference_group": [references.get(a) for a in attr[keep]],
            "measure": measure, "ratio": r[keep], "low": lo[keep], "high": hi[keep],
            "p": p[keep], "p_bootstrap": pb[keep], "difference": diff[keep],
        }, columns=_COLUMNS))
    parts = [p for p in parts if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {c: pd.Series(dtype=object if c in ("attribute", "group", "reference_group",
                                             "measure") else float) for c in _COLUMNS})
    out["p_holm"] = holm(out["p"].to_numpy(dtype=float))
    lo, hi, r, p = (out[c].to_numpy(dtype=float) for c in ("low", "high", "ratio", "p"))
    has_ci = np.isfinite(lo) & np.isfinite(hi) | (np.isfinite(lo) & np.isinf(hi))
    excludes = np.where(has_ci, (lo > 1) | (hi < 1), p < 1 - ci)
    out["finding"] = excludes & ((r < band[0]) | (r > band[1]))
    return out


def with_sentences(comp: pd.DataFrame, ci: float, unit: str = "pupils") -> pd.DataFrame:
    """``comp`` with a ``sentence`` column: the plain-English finding, or ``""``.

    Callers pick findings by ``measure`` and ``finding`` and print ``sentence``;
    nobody needs to search the text.
    """
    out = comp.copy()
    out["sentence"] = [sentence(r, ci, unit) if r.finding else ""
                       for r in out.itertuples(index=False)]
    return out


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _times(r: float) -> tuple[float, str]:
    if r > 1:
        return r, "more"
    return (1 / r if r > 0 else float("inf")), "less"


def sentence(row: Any, ci: float, unit: str = "pupils") -> str:
    """One finding in plain English."""
    pct = f"{ci:.0%}"
    sig = "significant" if row.p_holm < ALPHA else "not significant"
    if np.isfinite(row.low):
        span = f"{pct} interval {row.low:.2f} to {row.high:.2f}; "
    else:
        span = ""
    tail = f"{span}Holm-adjusted {_p(row.p_holm)}, {sig} at 5%"
    who = f"{row.attribute} = {row.group}"
    ref = (f"{row.attribute} = {row.reference_group} (the reference group)"
           if row.reference_group != "whole cohort" else "the whole cohort")
    times, word = _times(row.ratio)
    if row.measure == "flag_ratio":
        return (f"{unit.capitalize()} with {who} were flagged {times:.2f} times {word} often "
                f"than {ref}: flag ratio {row.ratio:.2f} ({tail}).")
    if row.measure == "amplification":
        return (f"For {who}, the flag ratio is {row.ratio:.2f} times the outcome ratio: flags "
                f"are {word} concentrated on these {unit} than their outcome rate explains "
                f"(amplification {row.ratio:.2f}; {tail}).")
    if row.measure == "recent_amplification":
        return (f"For {who}, the flag ratio is {row.ratio:.2f} times their outcome ratio in "
                f"the recent cohort: flags are {word} concentrated on these {unit} than "
                f"recent outcomes explain (recent amplification {row.ratio:.2f}; {tail}).")
    what = _WORDS.get(row.measure, row.measure)
    return (f"{unit.capitalize()} with {who} have a {what} {times:.2f} times {word} than "
            f"{ref}: ratio {row.ratio:.2f}, difference {100 * row.difference:+.1f} "
            f"percentage points ({tail}).")


def findings(comp: pd.DataFrame, ci: float, unit: str = "pupils",
             band: tuple[float, float] = BAND) -> tuple[str, ...]:
    """A summary line, then one sentence per finding (largest departure first)."""
    m = len(comp)
    hits = comp[comp["finding"]]
    n_sig = int((hits["p_holm"] < ALPHA).sum())
    if m == 0:
        return ("No comparisons could be made (no ratio could be shown and tested).",)
    measures = ", ".join(dict.fromkeys(comp["measure"]))
    head = (f"{m} comparison{'s' if m != 1 else ''} made ({measures}, each against its "
            f"attribute's reference); {len(hits)} "
            f"ha{'ve' if len(hits) != 1 else 's'} a {ci:.0%} interval excluding 1 and a ratio "
            f"outside {band[0]:g}-{band[1]:g}; {n_sig} of these remain significant after "
            f"Holm adjustment for {m} comparisons (p-values from the counts, not the "
            "bootstrap).")
    if hits.empty:
        return (head,)
    key = np.abs(np.log(hits["ratio"].astype(float).clip(lower=1e-12)))
    hits = hits.assign(_k=key).sort_values("_k", ascending=False, kind="stable")
    return (head,) + tuple(sentence(r, ci, unit) for r in hits.itertuples(index=False))
