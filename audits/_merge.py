"""Merge audits of several frames (local authorities) into one exact audit.

:func:`merge_audits` adds the reports' joint input counts (:mod:`audits._tally`) and
builds the audit of the sum with :func:`audit` itself: every count, rate, ratio,
interval and p-value is recomputed from the merged counts, Unknown groups are pooled
by their merged size, and the linked suppression (:mod:`audits._linked`) is applied to
the merged tables as they are published. So the merged audit equals the audit of the
concatenated frames (``tests/audits/test_merge.py`` checks it, by property).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import _tally as tally
from ._report import AuditReport
from ._typing import Seed

_EMPTY = "merge_audits needs at least one AuditReport; got none."
_TYPE = (
    "merge_audits takes AuditReport objects (from audits.audit or a screen's result.audit); "
    "{0} is a {1}. Pass the reports themselves, e.g. [result.audit for result in results]."
)
_NO_TALLY = (
    "{0} has no counted inputs (it was not made by audits.audit of this version), so it "
    "cannot be merged exactly. Re-run audits.audit on its frame and merge the new report."
)
_DIFFERENT = (
    "Cannot merge these audits: they were made with different {0} ({1}). An exact merge "
    "needs every report made the same way; {2}"
)
_LOCAL = (
    "local={0!r} is not a group or control column of these audits (they have {1}). Name "
    "a control whose values are local to each report, e.g. local=['school']."
)
_CONTROLS = (
    "controls={0!r} is not a control of these audits (they have {1}). Choose the merged "
    "audit's breakdowns among the reports' controls, or add it with by=."
)
_BY = (
    "by={0!r} must be a new column name for the report names (the counted columns are "
    "{1}). Pass e.g. by='la'."
)
#: setting -> (what it is called in errors, how to fix a difference)
_SAME = {
    "groups": ("groups", "re-run audits.audit on every frame with the same groups=."),
    "intersections": ("intersections", "pass the same intersections= to every audit."),
    "controls": ("controls (breakdowns)", "pass the same controls= to every audit."),
    "adjust": ("adjusted-ratio covariates", "pass the same adjust= to every audit."),
    "has_outcome": ("metrics: an outcome in some and not others",
                    "give every audit an outcome=, or none."),
    "has_score": ("metrics: a score in some and not others",
                  "give every audit a score=, or none."),
    "has_recent": ("metrics: a recent cohort in some and not others",
                   "give every audit a recent= cohort, or none."),
    "recent_label": ("recent cohorts", "compare flags with the same census in every audit."),
    "flag_rule": ("capacity rules (how flags were set)",
                  "flag every frame by the same rule (the same capacity= or threshold=, or "
                  "flags from the same screener)."),
    "min_cell": ("suppression thresholds (min_cell)", "pass the same min_cell= to every audit."),
    "reference": ("reference rules", "pass the same reference= to every audit."),
    "tests": ("tests", "pass the same tests= to every audit."),
    "band": ("bands", "pass the same band= to every audit."),
    "unit": ("units", "pass the same unit= to every audit."),
    "nested": ("declared nesting", "pass the same nested= to every audit."),
    "pool_unknown": ("pool_unknown settings", "pass the same pool_unknown= to every audit."),
    "ci": ("interval coverages (ci)", "pass the same ci= to every audit."),
}
#: settings a caller may choose for the merged report instead
_CHOOSE = ("n_boot", "random_state", "control_n_boot")
_CHOOSE_HOW = "or choose one for the merged report: merge_audits(..., {0}=...)."


def _named(reports):
    if isinstance(reports, AuditReport):
        reports = [reports]
    if isinstance(reports, Mapping):
        items = [(str(k), v) for k, v in reports.items()]
    else:
        items = [(f"report {i}", v) for i, v in enumerate(reports)]
    if not items:
        raise ValueError(_EMPTY)
    for name, rep in items:
        if not isinstance(rep, AuditReport):
            raise TypeError(_TYPE.format(name, type(rep).__name__))
        if not isinstance(getattr(rep, "tally", None), tally.Tally):
            raise ValueError(_NO_TALLY.format(name))
    return items


def _show(items, key):
    seen: dict = {}
    for name, rep in items:
        seen.setdefault(repr(rep.tally.settings.get(key)), []).append(name)
    parts = []
    for value, names in seen.items():
        who = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        parts.append(f"{value} in {who}")
    return "; ".join(parts)


def _check(items, chosen):
    first = items[0][1].tally.settings
    for key, (what, fix) in _SAME.items():
        if any(rep.tally.settings.get(key) != first.get(key) for _, rep in items[1:]):
            raise ValueError(_DIFFERENT.format(what, _show(items, key), fix))
    for key in _CHOOSE:
        if chosen[key] is not None:
            continue
        if any(rep.tally.settings.get(key) != first.get(key) for _, rep in items[1:]):
            raise ValueError(_DIFFERENT.format(
                key, _show(items, key),
                f"re-run with the same {key}= " + _CHOOSE_HOW.format(key)))


def _localise(items, local):
    """Tables with each ``local`` column's values prefixed by their report's name."""
    s = items[0][1].tally.settings
    known = set(s["controls"]) | set(s["groups"])
    for c in local:
        if c not in known:
            raise ValueError(_LOCAL.format(c, sorted(known)))
    out = []
    for name, rep in items:
        t = rep.tally.table.copy()
        for c in local:
            t[c] = (name + "/" + t[c].astype(str)).where(t[c].notna(), None)
        out.append(t)
    return out


def _breakdowns(tables, s, names, controls, by):
    """Tables and settings with only the chosen controls (summed over the others), and a
    column naming each report when ``by`` is given."""
    have = list(s["controls"])
    keep = have if controls is None else ([controls] if isinstance(controls, str)
                                          else list(controls))
    for c in keep:
        if c not in have:
            raise ValueError(_CONTROLS.format(c, have))
    used = set(s["groups"]) | {p for spec in s["intersections"] for p in spec} | set(
        s["adjust"] or ())
    drop = [c for c in have if c not in keep and c not in used]
    if by is not None:
        if not isinstance(by, str) or by in tables[0].columns:
            raise ValueError(_BY.format(by, list(tables[0].columns)))
    out = []
    for name, t in zip(names, tables):
        if drop:
            t = tally.add([t.drop(columns=drop)])
        if by is not None:
            t = t.assign(**{by: name})
        out.append(t)
    s = dict(s, controls=([by] if by is not None else []) + keep)
    return out, s


def merge_audits(reports: Sequence[AuditReport] | Mapping[str, AuditReport], *,
                 local: Sequence[str] = (), controls: Sequence[str] | None = None,
                 by: str | None = None, n_boot: int | None = None, random_state: Seed = None,
                 control_n_boot: int | None = None) -> AuditReport:
    """One exact audit of several frames (e.g. local authorities) from their audits.

    Parameters
    ----------
    reports : sequence or mapping of AuditReport
        Audits made the same way (groups, controls, flag rule, outcome, score,
        recent cohort, ``min_cell`` ...) of frames holding different rows, e.g. one
        per local authority. A mapping's keys name the reports in errors and in
        ``params["merged_from"]``.
    local : sequence of str, default=()
        Columns (usually a control such as ``"school"``) whose values mean something
        only within their report: a school numbered 100001 in one local authority is
        not the school numbered 100001 in another. Their values are labelled
        ``"<report name>/<value>"`` in the merged audit, as if each frame's column had
        been prefixed before concatenating. School URNs are unique nationally, so real
        extracts do not need it; synthetic local authorities reuse numbers.
    controls : sequence of str, optional
        Breakdowns of the merged audit: a subset of the reports' controls (default
        all). The others are summed over, so the result equals the audit of the
        concatenated frames with these controls. A national breakdown by school has
        tens of thousands of units; each report already has its own.
    by : str, optional
        Add a breakdown by report: a control column of this name holding each
        report's name (e.g. ``by="la"``), listed first.
    n_boot, random_state, control_n_boot : optional
        Bootstrap settings of the merged report; by default those the reports share.

    Returns
    -------
    AuditReport
        Equal to ``audit`` of the concatenated frames with the same settings (and
        the flags each report had): counts and rates are sums, intervals and p-values
        are recomputed from the merged counts, and suppression is applied to the
        merged tables as published, so a group too small to show in every local
        authority may be shown nationally, and one shown locally may be hidden.
        ``params["merged_from"]`` names the reports; a capacity (``flag_source``
        ``"capacity"``) was applied within each report, as ``params["capacity_within"]``
        says. Can itself be merged again (regions into a nation).

    Raises
    ------
    ValueError
        When the reports were not made the same way: the message says which setting
        differs, in which reports, and how to fix it.

    See Also
    --------
    audit : the audit of one frame.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.audits import audit, merge_audits
    >>> a = pd.DataFrame({"fsm": [True, False] * 20, "flagged": [1, 0, 0, 0] * 10})
    >>> b = pd.DataFrame({"fsm": [True, False] * 30, "flagged": [1, 1, 0, 0] * 15})
    >>> kw = dict(groups="fsm", flag="flagged", n_boot=0)
    >>> merged = merge_audits({"north": audit(a, **kw), "south": audit(b, **kw)})
    >>> merged.to_frame()[["group", "n", "n_flagged"]]
       group   n  n_flagged
    0  False  50         15
    1   True  50         25
    >>> whole = audit(pd.concat([a, b]), **kw)
    >>> merged.to_frame().equals(whole.to_frame())
    True
    >>> merged.params["merged_from"]
    ['north', 'south']
    """
    from ._audit import audit

    items = _named(reports)
    chosen = {"n_boot": n_boot, "random_state": random_state,
              "control_n_boot": control_n_boot}
    _check(items, chosen)
    s = dict(items[0][1].tally.settings)
    for key, value in chosen.items():
        if value is not None:
            s[key] = value
    local = [local] if isinstance(local, str) else list(local)
    tables = _localise(items, local) if local else [rep.tally.table for _, rep in items]
    tables, s = _breakdowns(tables, s, [n for n, _ in items], controls, by)
    table = tally.add(tables)
    frame = tally.expand(table)
    recent = None
    if s["has_recent"]:
        recent = tally.expand(tally.add([rep.tally.recent for _, rep in items]))
    rep = audit(
        frame, groups=s["groups"], flag=tally.FLAG,
        score=tally.SCORE if s["has_score"] else None,
        outcome=tally.OUTCOME if s["has_outcome"] else None, reference=s["reference"],
        min_cell=s["min_cell"], n_boot=s["n_boot"], random_state=s["random_state"],
        intersections=s["intersections"] or None, controls=s["controls"] or None,
        ci=s["ci"], control_n_boot=s["control_n_boot"], nested=s["nested"],
        pool_unknown=s["pool_unknown"], band=tuple(s["band"]), unit=s["unit"],
        tests=s["tests"], recent=recent,
        recent_outcome=tally.OUTCOME if recent is not None else None,
        recent_label=s["recent_label"], adjust=s["adjust"],
    )
    rule = s["flag_rule"]
    rep.params.update(rule)
    rep.params["merged_from"] = [name for name, _ in items]
    rep.params["local_columns"] = local
    if rule["flag_source"] == "capacity":
        rep.params["capacity_within"] = "each merged report"
    assert rep.tally is not None  # the merged report is built from the tallies
    rep.tally.settings.update(flag_rule=rule)
    return rep
