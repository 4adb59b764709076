"""Plain English for people: groups as the DfE code tables describe them, findings as
sentences, numbers in words. Nothing here computes a statistic; it only phrases them."""

from __future__ import annotations

import math
from typing import Any, cast

import pandas as pd

from .features import describe_attribute, describe_group

_SUBJECT = {
    ("fsm", "True"): "Pupils eligible for free school meals",
    ("fsm", "False"): "Pupils not eligible for free school meals",
    ("eal", "True"): "Pupils with English as an additional language",
    ("eal", "False"): "Pupils with English as their first language",
    ("looked_after", "True"): "Looked-after pupils",
    ("looked_after", "False"): "Pupils who are not looked after",
    ("sen", "none"): "Pupils with no special educational needs",
    ("sen", "SEN support"): "Pupils on SEN support",
    ("sen", "EHC plan"): "Pupils with an EHC plan",
    ("sex", "M"): "Boys",
    ("sex", "F"): "Girls",
}

#: What each audit measure means, in words.
MEASURES = {
    "flag_ratio": "flag ratio",
    "amplification": "amplification",
    "recent_amplification": "amplification against recent outcomes",
    "base_ratio": "outcome ratio",
    "recent_base_ratio": "recent outcome ratio",
    "flag_ratio_overall": "flag ratio against the whole cohort",
}


def blank(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _key(value: object) -> str:
    text = str(value)
    return {"1": "True", "0": "False", "true": "True", "false": "False"}.get(text, text)


def group(attribute: str, value: object) -> str:
    """A group as a table shows it: the DfE description."""
    return describe_group(attribute, value)


def attribute(name: str) -> str:
    return describe_attribute(name)


def subject(attribute: str, value: object, *, start: bool = True) -> str:
    """The pupils of a group as the subject of a sentence ("Girls", "Pupils on SEN
    support", "Pupils recorded as Bangladeshi")."""
    s = _SUBJECT.get((str(attribute), _key(value)))
    if s is None:
        desc = describe_group(attribute, value)
        if attribute == "year_group":
            s = f"Pupils in {desc}"
        elif desc == "Not recorded":
            s = f"Pupils whose {describe_attribute(attribute).lower()} is not recorded"
        else:
            s = f"Pupils recorded as {desc}"
    return s if start else s[0].lower() + s[1:]


def pct(x: Any, digits: int = 1) -> str:
    return "–" if blank(x) else f"{100 * float(x):.{digits}f}%"


def ratio(x: Any) -> str:
    if blank(x):
        return "–"
    x = float(x)
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def p_text(p: Any) -> str:
    if blank(p):
        return "p not computed"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def times(r: float) -> str:
    """'2.3 times as often' / '1.8 times less often' for a ratio."""
    if r >= 1:
        return f"{r:.1f} times as often as"
    return f"{1 / r:.1f} times less often than"


def finding(row: dict[str, Any], by_group: pd.DataFrame, n_tests: int,
            recent_label: str | None = None) -> str:
    """One comparison of the audit as plain sentences, with what its interval and
    adjusted p-value mean."""
    a, g, ref, m = row["attribute"], row["group"], row["reference_group"], row["measure"]
    who, them = subject(a, g), subject(a, ref, start=False)
    r, lo, hi = float(row["ratio"]), float(row["low"]), float(row["high"])
    rec = by_group[(by_group["attribute"] == a) & (by_group["group"].astype(str) == str(g))]
    fr = float(rec["flag_ratio"].iloc[0]) if len(rec) else math.nan
    if m == "flag_ratio":
        text = f"{who} are flagged {times(r)} {them} (flag ratio {ratio(r)})."
    elif m in ("amplification", "recent_amplification"):
        base = "base_ratio" if m == "amplification" else "recent_base_ratio"
        br = float(rec[base].iloc[0]) if len(rec) else math.nan
        when = ("their outcomes" if m == "amplification" else
                f"their outcomes in {recent_label or 'the recent cohort'}")
        more = "more" if r > 1 else "less"
        text = (f"Against {when}, {who[0].lower() + who[1:]} are flagged {more} than "
                f"warranted: amplification {ratio(r)} (their flag ratio {ratio(fr)} divided "
                f"by their outcome ratio {ratio(br)}, both against {them}).")
        if not math.isnan(fr) and ((fr < 0.8 and r > 1) or (fr > 1.25 and r < 1)):
            text += (" Both hold at once: " + (
                f"they are flagged less often than {them}, but their outcomes are rarer "
                "still, so the flags that do fall on them outweigh their outcomes."
                if fr < 1 else
                f"they are flagged more often than {them}, but their outcomes are more "
                "common still, so they are flagged less than their outcomes warrant."))
    else:
        text = f"{who}: {MEASURES.get(m, m)} {ratio(r)} against {them}."
    ci = f" The 95% interval runs from {ratio(lo)} to {ratio(hi)}, so it excludes 1."
    p = row.get("p_holm")
    if not blank(p) and float(cast(float, p)) < 0.05:
        tail = (f" That is unlikely to be chance even allowing for the {n_tests} comparisons "
                f"made (Holm-adjusted {p_text(p)}).")
    else:
        tail = (f" But allowing for the {n_tests} comparisons made, it could be chance "
                f"(Holm-adjusted {p_text(p)}): a signal to watch, not a result.")
    return text + ci + tail


def findings(audit: Any, recent_label: str | None = None, *,
             measure: str | None = None) -> list[str]:
    """Every finding of an audit as plain sentences (optionally of one measure only).

    The report, the packs' pages and the command line all print these, so a finding reads
    the same wherever it is shown.
    """
    comp = audit.comparisons
    if not len(comp):
        return []
    found = comp[comp["finding"].astype(bool)]
    if measure is not None:
        found = found[found["measure"] == measure]
    return [finding(cast(dict[str, Any], r), audit.by_group, len(comp), recent_label)
            for r in found.to_dict("records")]
