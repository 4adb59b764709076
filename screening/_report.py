"""The self-contained HTML report of a screen, in the order a reader needs it.

What to do (who is flagged and by which rule), why (the reasons), is it fair (the audit
against recent outcomes and, with an evaluation, error rates), is it right (evaluation,
calibration where flags fall, the capacity chooser), how it works (model card,
scorecard, method, drift). Each section is one small function returning
``(anchor, title, html)``; :data:`SECTIONS` lists them in order and the top navigation
is built from it, so a new section is one function and one entry.

The facade only phrases and lays out numbers computed by the engines. Every text from
data is escaped; no count under the audit's ``min_cell`` is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from . import _charts as charts

if TYPE_CHECKING:
    from screening.audits import AuditReport

    from ._result import Backtest, Evaluation, ScreeningResult
from . import _words as words
from ._added_value import added_value_html

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto 3em;
max-width:1100px;color:#1b1b1b;line-height:1.45;padding:0 1em;font-size:16px}
h1{font-size:1.6em;margin:.6em 0 .2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;
margin-top:1.6em}h3{margin:1.2em 0 .3em}table{border-collapse:collapse;font-size:.9em;
margin:.5em 0}th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}th{background:#f3f3f3}
.card{background:#f7f9fc;border-left:4px solid #2f5fa7;padding:.6em 1em}
.warn{background:#fff6e5;border-left:4px solid #d08a00;padding:.6em 1em}
.kpi{display:inline-block;margin:0 2em .5em 0}.kpi b{font-size:1.4em;display:block}
img{max-width:100%;height:auto}.note{color:#555;font-size:.9em}
nav{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ddd;
z-index:1}nav a{margin-right:1.2em}
.scroll{max-height:34em;overflow:auto;border:1px solid #ddd}
.scroll table{margin:0}.scroll th{position:sticky;top:0}
details{margin:.4em 0}summary{cursor:pointer;font-weight:600}
"""
#: Rows of a collapsed breakdown table shown in the page (all rows are in the CSV).
MAX_BREAKDOWN_ROWS = 400
#: Flagged pupils listed in the page (all of them are in scores.csv).
MAX_FLAGGED_ROWS = 1000


@dataclass(frozen=True)
class _Ctx:
    result: ScreeningResult
    evaluation: Evaluation | None = None
    backtest: Backtest | None = None

    @property
    def min_cell(self) -> int:
        return int(self.result.facts.get("min_cell", 10))


def _e(x: object) -> str:
    return escape(str(x), quote=True)


def _table(frame: pd.DataFrame, *, float_format: Callable[[float], str] = "{:.3f}".format,
           max_rows: int | None = None) -> str:
    """A DataFrame as an escaped table (the case-list, school and evaluation pages)."""
    if max_rows is not None and len(frame) > max_rows:
        frame = frame.head(max_rows)
    return frame.to_html(index=False, escape=True, float_format=float_format, na_rep="",
                         border=0)


def _calibration_chart(calibration: pd.DataFrame) -> str:
    """Equal-count calibration bins in the report's chart style (the evaluation page)."""
    return charts.calibration(calibration, (np.nan, np.nan))


def _grid(header: Sequence[str], rows: Sequence[Sequence[Any]],
          numeric: Sequence[str] = ()) -> str:
    """An escaped table of rows; ``numeric`` names the right-aligned columns."""
    head = "".join(f"<th class='n'>{_e(h)}</th>" if h in numeric else f"<th>{_e(h)}</th>"
                   for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td class='n'>{_e(v)}</td>" if h in numeric else f"<td>{_e(v)}</td>"
                         for h, v in zip(header, r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _count(v: Any, min_cell: int) -> str:
    if words.blank(v):
        return "hidden"
    v = int(v)
    return f"fewer than {min_cell}" if 0 < v < min_cell else f"{v:,}"


def _ci(row: dict[str, Any], key: str) -> str:
    r, lo, hi = row.get(key), row.get(key + "_low"), row.get(key + "_high")
    if words.blank(r):
        return "–"
    if words.blank(lo) or words.blank(hi):
        return words.ratio(r)
    return f"{words.ratio(r)} ({words.ratio(lo)}–{words.ratio(hi)})"


# ------------------------------------------------------------------ what to do
def _what_to_do(ctx):
    from ._result import INTENDED_USE
    from .audits import cutoff_ties

    result = ctx.result
    scores, facts = result.scores, result.facts
    n, k = len(scores), int(scores["flagged"].sum())
    out = [_after_data_end(result)]
    out.append(f"<div class='kpi'><b>{n:,}</b>pupils screened</div>"
               f"<div class='kpi'><b>{k:,}</b>pupils flagged</div>")
    if n:
        out.append(f"<div class='kpi'><b>{scores['risk'].mean():.1%}</b>mean predicted "
                   "risk</div>")
    ties = cutoff_ties(scores["risk"], scores["flagged"])
    tie_text = ""
    if ties["n_tied"] > ties["n_tied_flagged"] > 0:
        tie_text = (f" {ties['n_tied']:,} pupils share the last flagged risk "
                    f"({ties['cutoff']:.1%}); {ties['n_tied_flagged']:,} of them are flagged, "
                    "by UPN order, and the rest are not: review those too if you can.")
    if getattr(result, "ties_text", ""):
        tie_text = " " + result.ties_text
    out.append(
        f"<p><b>The rule.</b> The screen flags {_e(facts['sizing'])}: the {k:,} pupils with "
        "the highest predicted risk. Equal risks are ordered by UPN, so the same records "
        f"always flag the same pupils.<span id='ties'>{_e(tie_text)}</span></p>"
        f"<p class='card'><b>What to do.</b> {_e(INTENDED_USE)} Start with the list below, "
        "highest risk first; the reasons say which recorded data raised each score.</p>")
    for year, texts in sorted(getattr(result, "shared_reasons", {}).items()):
        out.append(f"<p><b>Not listed as reasons in Year {_e(year)}</b> (held by nearly "
                   "every pupil screened in that year group, so they say nothing about the "
                   f"child; their points still count): {_e('; '.join(texts))}.</p>")
    status = scores["status"].value_counts()
    if len(status) > 1 or (len(status) and status.index[0] != "scored"):
        rows: list[Any] = [(s[0].upper() + s[1:], _count(c, 1)) for s, c in status.items()]
        out.append("<details><summary>How each pupil was scored</summary>"
                   + _grid(["Status", "Pupils"], rows, numeric=("Pupils",)) + "</details>")
    out.append(_warnings(result))
    out.append(added_value_html(scores, facts.get("min_cell", 10)))
    out.append("<h3 id='flagged'>Flagged pupils</h3>")
    flagged = result.flagged
    show = flagged.head(MAX_FLAGGED_ROWS)
    more = (f"<p class='note'>The first {MAX_FLAGGED_ROWS:,} of {len(flagged):,} flagged "
            "pupils; all are in scores.csv.</p>" if len(flagged) > MAX_FLAGGED_ROWS else "")
    rows = []
    for r in show.itertuples(index=False):
        reasons = "; ".join(x for x in (getattr(r, f"reason_{i}", "") for i in (1, 2, 3))
                            if isinstance(x, str) and x)
        pts = getattr(r, "points", None)
        known = [getattr(r, "known_to", "") or "—"] if "known_to" in show else []
        rows.append([r.rank, r.upn, r.school, r.year_group, f"{r.risk:.1%}",
                     "" if pts is None or words.blank(pts) else f"{pts:g}",
                     reasons or "no reason above a typical pupil", _status(r.status)] + known)
    head = ["Rank", "UPN", "School", "Year", "Risk", "Points", "Reasons (points each adds)",
            "Records"] + (["Already known to"] if "known_to" in show else [])
    out.append("<div class='scroll'>" + _grid(head, rows, numeric=(
        "Rank", "Year", "Risk", "Points")) + "</div>" + more)
    return "todo", "What to do", "\n".join(out)


def _status(status: object) -> str:
    s = str(status)
    return "complete" if s == "scored" else s.removeprefix("scored: ")


def _after_data_end(result: ScreeningResult) -> str:
    """A banner when the census is after the records end (``allow_after_data_end``)."""
    if not getattr(result, "after_data_end", False):
        return ""
    end = _e(result.data_end.date())  # type: ignore[union-attr]  # set when after it
    return (f"<div class='warn' role='alert'><b>This census is after the records end.</b> "
            f"The records end on {end}; the census is {_e(result.as_of.date())}. "
            f"Every pupil is scored as if nothing had happened since {end} (no recent "
            "absence, no suspensions), so the scores, flags and audit findings describe "
            "stale records. Screen again with records extracted on or after the census "
            "date before acting on this list.</div>")


def _warnings(result: ScreeningResult) -> str:
    warn = result.warnings
    if warn is None or not len(warn):
        return ""
    kinds = (warn.groupby(["table", "problem"]).size().rename("rows").reset_index()
             .sort_values("rows", ascending=False))
    rows = [(t, p, f"{c:,}") for t, p, c in kinds.itertuples(index=False)]
    return (f"<details><summary>{len(warn):,} data warning(s) when the records were "
            "validated: usable, but worth checking at source</summary>"
            + _grid(["Table", "Problem", "Rows"], rows, numeric=("Rows",)) + "</details>")


# ------------------------------------------------------------------ why
def _why(ctx):
    scores = ctx.result.scores
    flagged = ctx.result.flagged
    out = ["<p>Each reason is a line of the scorecard: the recorded data, the band it falls "
           "in and the points that band adds. A pupil's reasons are the bands adding more "
           "points than they do for a typical pupil, largest first. They describe recorded "
           "data, not the child, and they are a starting point for a conversation with the "
           "school, not an explanation of behaviour.</p>"]
    labels = pd.concat([flagged.get(f"reason_{i}", pd.Series(dtype=object))
                        for i in (1, 2, 3)], ignore_index=True)
    labels = labels[labels.astype(str).str.len() > 0].astype(str)
    if len(labels):
        what = labels.str.split(": ", n=1).str[0]
        counts = what.value_counts()
        rows = [(w, _count(c, ctx.min_cell)) for w, c in counts.items()]
        out.append("<h3>The most common reasons among flagged pupils</h3>"
                   + _grid(["Recorded data", "Flagged pupils with this reason"], rows[:12],
                            numeric=("Flagged pupils with this reason",)))
    if len(scores):
        out.append("<h3>Where the flagged pupils' risks fall</h3>"
                   + charts.risk_histogram(scores["risk"], scores["flagged"]))
    return "why", "Why these pupils", "\n".join(out)


# ------------------------------------------------------------------ is it fair
def _findings(audit: AuditReport, recent_label: str | None = None) -> list[str]:
    return words.findings(audit, recent_label)


_HIDDEN = ("Not shown, to protect small counts (fewer than {mc} pupils, flags or outcomes, "
           "or a count that could be worked out from the others): {names}. They are still "
           "counted in every total.")
_HIDDEN_ERRORS = ("Error rates not shown, because a count behind them (flagged or not, with "
                  "or without the outcome) is from 1 to {last} or could be worked out from "
                  "other tables: {names}.")


def _why_blank(rec: dict[str, Any]) -> str:
    note = str(rec.get("note") or "").removeprefix("reference group").lstrip("; ")
    return note[:1].upper() + note[1:] + "." if note else (
        "Not defined: the reference group has no flags or outcomes to compare with.")


def _audit_table(audit, attr, columns, min_cell, need="n_flagged", hidden_text=_HIDDEN):
    """Rows of one attribute that can be shown, a sentence for every blank cell, and a
    sentence naming the groups that cannot be shown."""
    sub = audit.by_group[audit.by_group["attribute"] == attr]
    shown, hidden = [], []
    for rec in sub.to_dict("records"):
        if rec.get("suppressed") or words.blank(rec.get(need)):
            hidden.append(words.group(attr, rec["group"]))
            continue
        cells = [f(rec) for _, f in columns]
        shown.append([words.group(attr, rec["group"])
                      + (" (reference)" if rec.get("reference") else "")] + cells
                     + [_why_blank(rec) if "–" in cells else ""])
    head = ["Group"] + [h for h, _ in columns]
    if any(r[-1] for r in shown):
        head.append("Why a cell is blank")
    else:
        shown = [r[:-1] for r in shown]
    html = _grid(head, shown, numeric=tuple(h for h, _ in columns)) if shown else ""
    if hidden:
        html += "<p class='note'>" + _e(hidden_text.format(
            mc=min_cell, last=min_cell - 1, names=", ".join(hidden))) + "</p>"
    return html


def _forest_rows(audit, measures):
    rows = []
    for rec in audit.by_group.to_dict("records"):
        if rec.get("suppressed") or rec.get("reference"):
            continue
        vals = {m: (float(rec.get(m, np.nan) if not words.blank(rec.get(m)) else np.nan),
                    float(rec.get(m + "_low")) if not words.blank(rec.get(m + "_low"))
                    else np.nan,
                    float(rec.get(m + "_high")) if not words.blank(rec.get(m + "_high"))
                    else np.nan) for m, _ in measures}
        if any(np.isfinite(v[0]) and v[0] > 0 for v in vals.values()):
            rows.append((words.group(rec["attribute"], rec["group"]), vals))
    return rows


def _is_it_fair(ctx):
    audit = ctx.result.audit
    p = audit.params
    mc = ctx.min_cell
    out = []
    recent = p.get("recent_label") if p.get("has_recent") else None
    out.append(
        "<p>The audit compares how often each group is flagged with the group of reference "
        "(the largest), and, where outcomes are known, with how often the group actually "
        "had the outcome. A <b>flag ratio</b> of 2 means flagged twice as often as the "
        "reference group. <b>Amplification</b> divides the flag ratio by the outcome ratio: "
        "above 1, flags fall on a group more than its outcomes warrant. Intervals are 95% "
        "bootstrap intervals; a finding needs a ratio outside 0.8–1.25 and an interval "
        "excluding 1.</p>")
    if recent:
        out.append(f"<p>Today's flags are compared with the outcomes of <b>{_e(recent)}</b>"
                   ", the latest cohort whose outcomes are all known.</p>")
    found = _findings(audit, recent)
    if found:
        out.append("<h3>Findings</h3><ul>" + "".join(f"<li>{_e(f)}</li>" for f in found)
                   + "</ul>")
    else:
        out.append("<p>No group's flag ratio or amplification is outside 0.8–1.25 with an "
                   "interval excluding 1. Small groups are hidden, so this is not evidence "
                   "of fairness for them.</p>")
    measures = [("flag_ratio", "Flag ratio")]
    if p.get("has_recent"):
        measures.append(("recent_amplification", "Amplification (recent outcomes)"))
    chart = charts.forest(_forest_rows(audit, measures), measures)
    if chart:
        out.append("<h3>Ratios with intervals</h3>" + chart)
    cols = [("Pupils", lambda r: _count(r.get("n"), mc)),
            ("Flagged", lambda r: _count(r.get("n_flagged"), mc)),
            ("Flag rate", lambda r: words.pct(r.get("flag_rate"))),
            ("Flag ratio (95% interval)", lambda r: _ci(r, "flag_ratio"))]
    if p.get("has_recent"):
        cols += [("Recent outcome ratio", lambda r: _ci(r, "recent_base_ratio")),
                 ("Amplification (95% interval)", lambda r: _ci(r, "recent_amplification"))]
    out.append("<h3>By group</h3>")
    for attr in audit.attributes:
        out.append(f"<h4>{_e(words.attribute(attr))}</h4>"
                   + _audit_table(audit, attr, cols, mc))
    out.append(_adjusted(audit))
    if ctx.evaluation is not None:
        out.append(_error_rates(ctx.evaluation, mc))
    out.append(_breakdowns(audit, cols, mc))
    return "fair", "Is it fair", "\n".join(x for x in out if x)


_MEASURE_WORDS = {"flagged": "being flagged", "outcome": "the outcome",
                  "recent outcome": "the recent outcome"}


def _adjusted(audit: AuditReport) -> str:
    """Risk ratios after allowing for other characteristics, collapsed."""
    adj = getattr(audit, "adjusted", None)
    if adj is None or not len(adj):
        return ""
    rows, hidden = [], []
    for rec in adj.to_dict("records"):
        a, g = rec["attribute"], rec["group"]
        if str(g) == str(rec.get("reference_group")):
            continue
        name = words.group(a, g)
        if words.blank(rec.get("risk_ratio")):
            hidden.append(name)
            continue
        covs = ", ".join(words.attribute(c).lower() for c in str(rec["covariates"]).split(", "))
        rows.append((name, _MEASURE_WORDS.get(rec["measure"], rec["measure"]),
                     _ci({"r": rec["risk_ratio"], "r_low": rec.get("risk_ratio_low"),
                          "r_high": rec.get("risk_ratio_high")}, "r"),
                     words.p_text(rec.get("odds_ratio_p")).removeprefix("p = ")
                     .removeprefix("p "),
                     covs))
    if not rows:
        return ""
    note = (f"<p class='note'>Not shown, to protect small counts: "
            f"{_e(', '.join(dict.fromkeys(hidden)))}.</p>" if hidden else "")
    return ("<details><summary>After allowing for other characteristics "
            f"({len(rows)} comparisons)</summary><p>How much more likely each group is to "
            "be flagged (or to have had the outcome) than its reference group, among pupils "
            "alike in the characteristics listed: a risk ratio, with its 95% interval, from "
            "a logistic regression.</p>"
            + _grid(["Group", "Likelihood of", "Risk ratio (95% interval)", "p",
                      "Allowing for"], rows, numeric=("Risk ratio (95% interval)", "p"))
            + note + "</details>")


def _error_rates(evaluation: Evaluation, mc: int) -> str:
    audit = evaluation.audit
    cols = [("Pupils", lambda r: _count(r.get("n"), mc)),
            ("Had the outcome", lambda r: _count(r.get("n_outcome"), mc)),
            ("Of those, flagged", lambda r: words.pct(r.get("tpr"))),
            ("Of the rest, flagged", lambda r: words.pct(r.get("fpr"))),
            ("Of the flagged, had the outcome", lambda r: words.pct(r.get("ppv"))),
            ("Amplification (95% interval)", lambda r: _ci(r, "amplification"))]
    out = [f"<h3>Error rates on the evaluation census {_e(evaluation.as_of.date())}</h3>",
           "<p>Where outcomes are known, the share of pupils with the outcome that were "
           "flagged (the screen's reach), the share of pupils without it that were flagged "
           "(its false alarms), and the share of flagged pupils who had it (its precision). "
           "A rate is not shown where its count is too small to publish.</p>"]
    for attr in audit.attributes:
        out.append(f"<h4>{_e(words.attribute(attr))}</h4>" + _audit_table(
            audit, attr, cols, mc, need="tpr", hidden_text=_HIDDEN_ERRORS))
    return "\n".join(out)


def _breakdowns(audit: AuditReport, cols: list[Any], mc: int) -> str:
    by = getattr(audit, "by_control", None)
    if by is None or not len(by):
        return ""
    out = ["<h3>Within each school and year group</h3>",
           "<p>Collapsed: open to see the rows that can be shown. The full tables are in "
           "audit_breakdowns.csv.</p>"]
    for ctrl in dict.fromkeys(by["control"]):
        sub = by[by["control"] == ctrl]
        ok = sub[~sub["suppressed"].astype(bool) & sub["n_flagged"].notna()]
        rows = []
        for rec in ok.head(MAX_BREAKDOWN_ROWS).to_dict("records"):
            rows.append([words.group(ctrl, rec["control_value"]),
                         f"{words.attribute(rec['attribute'])}: "
                         f"{words.group(rec['attribute'], rec['group'])}"]
                        + [f(rec) for _, f in cols])
        more = (f" (the first {MAX_BREAKDOWN_ROWS})" if len(ok) > MAX_BREAKDOWN_ROWS else "")
        body = (_grid([words.attribute(ctrl), "Group"] + [h for h, _ in cols], rows,
                       numeric=tuple(h for h, _ in cols)) if rows else
                "<p>No row can be shown without revealing a small count.</p>")
        out.append(f"<details><summary>By {_e(words.attribute(ctrl).lower())}: "
                   f"{len(ok):,} of {len(sub):,} rows can be shown{_e(more)}</summary>"
                   f"{body}</details>")
    return "\n".join(out)


# ------------------------------------------------------------------ is it right
def _is_it_right(ctx):
    ev = ctx.evaluation
    out = []
    if ev is None:
        out.append("<p class='warn'>No out-of-time evaluation was run, so how well this "
                   "screen picks out pupils who go on to be suspended is unknown. Run "
                   "<code>Screener.evaluate</code> on a later census with known outcomes "
                   "and pass it to <code>to_html(evaluation=...)</code>.</p>")
    else:
        out.append(_metrics_words(ev))
        out.append(_comparison(ev))
        out.append(_calibration(ev, ctx.min_cell))
        out.append(_capacity_chooser(ev))
    if ctx.backtest is not None:
        out.append(_backtest(ctx.backtest))
    return "right", "Is it right", "\n".join(x for x in out if x)


def _comparison(ev: Evaluation) -> str:
    """This screen beside its simple baselines on the same pupils (issue 13)."""
    table = getattr(ev, "comparison", None)
    if table is None or not len(table):
        return ""
    names = {"auc": "AUC", "average_precision": "Average precision",
             "precision_at_capacity": "Precision of the flags",
             "recall_at_capacity": "Recall of the flags", "n_flagged": "Pupils flagged"}
    cols = [c for c in names if c in table]
    rows = [[r["model"]] + [f"{int(r[c]):,}" if c == "n_flagged" else f"{float(r[c]):.3f}"
                            for c in cols] for _, r in table.iterrows()]
    return ("<h3>Against simple baselines</h3>"
            f"<p>{_e(ev.comparison_summary)} The same pupils, flagged at the same capacity "
            "by the same rule. The simple rule flags any suspension in the last 12 months "
            "or absence of 10% or more; the school-only rule ranks pupils by their "
            "school's suspension rate alone.</p>"
            + _grid(["Score"] + [names[c] for c in cols], rows,
                    numeric=tuple(names[c] for c in cols)))


def _metrics_words(ev: Evaluation) -> str:
    m = ev.metrics
    base = float(m["base_rate"])
    prec, rec = float(m["precision_at_capacity"]), float(m["recall_at_capacity"])
    share = float(ev.scores["flagged"].mean()) if len(ev.scores) else float("nan")
    lift = f", {prec / base:.1f} times the {base:.1%} a random choice would find" if base else ""
    return (
        f"<p>Evaluated on the census of <b>{_e(ev.as_of.date())}</b>, later than every "
        f"census the model learned from, whose outcomes are now known: {int(m['n']):,} "
        f"pupils, {base:.1%} of whom had the outcome.</p><ul>"
        f"<li>Of the pupils flagged, <b>{prec:.1%}</b> had the outcome (precision){_e(lift)}."
        f"</li><li>Of the pupils who had the outcome, <b>{rec:.1%}</b> were flagged (recall); "
        f"flagging {share:.1%} of pupils at random would reach {share:.1%}.</li>"
        f"<li>Ranking: a pupil who had the outcome is ranked above one who did not "
        f"{float(m['auc']):.0%} of the time (the AUC; 50% is chance).</li>"
        f"<li>Calibration: predicted risks are on average {float(m['calibration_error']):.2%} "
        "from the observed rates (the calibration error; 0 is perfect).</li></ul>")


def _calibration(ev: Evaluation, mc: int) -> str:
    from .models import reliability_table

    s = ev.scores
    share = min(max(float(s["flagged"].mean()) * 3, 0.05), 1.0) if len(s) else 0.2
    # as many equal-count bins as keep about 15 expected outcomes in each (3 to 8)
    expected = float(s["risk"].nlargest(max(1, int(share * len(s)))).sum()) if len(s) else 0
    table = reliability_table(s["outcome"], s["risk"], top=share, ci=0.95, min_cell=mc,
                              n_bins=int(min(8, max(3, expected // 15))))
    risk = s.loc[s["flagged"], "risk"]
    rng = (float(risk.min()), float(risk.max())) if len(risk) else (np.nan, np.nan)
    out = [f"<h3>Calibration where flags fall</h3><p>The highest {share:.0%} of "
           "risks in equal-count bins: the predicted risk against the share who had the "
           "outcome, with 95% intervals. Flagged pupils' risks run from "
           f"{words.pct(rng[0])} to {words.pct(rng[1])} (shaded).</p>"]
    if table["observed_rate"].notna().any():
        out.append(charts.calibration(table, rng))
    rows = [(words.pct(r.mean_predicted), words.pct(r.observed_rate) if not words.blank(
        r.observed_rate) else f"hidden (fewer than {mc} outcomes)",
        "–" if words.blank(getattr(r, "low", np.nan)) else
        f"{words.pct(r.low)}–{words.pct(r.high)}") for r in table.itertuples()]
    out.append(_grid(["Mean predicted risk", "Observed rate", "95% interval"], rows,
                      numeric=("Mean predicted risk", "Observed rate", "95% interval")))
    return "\n".join(out)


def _capacity_chooser(ev: Evaluation) -> str:
    curve = ev.capacity_curve()
    overall = curve[curve["attribute"] == "all"]
    attrs = [a for a in dict.fromkeys(curve["attribute"]) if a not in ("all", "ethnicity")]
    by_group = []
    for a in attrs:
        sub = curve[(curve["attribute"] == a)]
        for g, gs in sub.groupby("group", sort=False):
            if gs["amplification"].notna().sum() >= 2 and not _is_reference(ev.audit, a, g):
                by_group.append((f"{words.attribute(a)}: {words.group(a, g)}", gs))
    out = ["<h3 id='capacity'>Choosing the capacity</h3>",
           "<p>What this evaluation would have found at other capacities, by the same rule "
           "(highest risk first, ties by UPN). Flagging more pupils reaches more of those "
           "who go on to be suspended (recall) but a smaller share of the flagged have the "
           "outcome (precision); amplification shows whether a larger list falls more "
           "evenly across groups. "
           "<code>Evaluation.capacity_curve()</code> gives the table.</p>",
           charts.capacity_chart(overall, by_group[:8])]
    main = [a for a in ("sex", "fsm", "sen", "eal") if a in attrs]
    head = ["Capacity", "Pupils flagged", "Precision", "Recall"]
    cols = []
    for a in main:
        for g in dict.fromkeys(curve.loc[curve["attribute"] == a, "group"]):
            if _is_reference(ev.audit, a, g) or g == "Unknown":
                continue
            cols.append((a, g))
            head.append(f"Flagged: {words.group(a, g)}")
    rows = []
    for c, ov in cast(Any, overall).groupby("capacity", sort=False):
        o = ov.iloc[0]
        row = [f"{c:.0%}" if c < 1 else f"{int(c)}", f"{int(o['n_flagged']):,}",
               words.pct(o["precision"]), words.pct(o["recall"])]
        for a, g in cols:
            x = curve[(curve["capacity"] == c) & (curve["attribute"] == a)
                      & (curve["group"] == g)]
            row.append(_count(x["n_flagged"].iloc[0], ev.facts.get("min_cell", 10))
                       if len(x) else "–")
        rows.append(row)
    out.append(_grid(head, rows, numeric=tuple(head)))
    out.append("<p class='note'>Hidden: a count from 1 to "
               f"{int(ev.facts.get('min_cell', 10)) - 1}, or one that would give such a count "
               "away. Each group's reference (boys, pupils not eligible for free school "
               "meals, no SEN, English as first language) makes up the rest of the "
               "flagged.</p>")
    return "\n".join(out)


def _is_reference(audit: AuditReport, attr: str, group: object) -> bool:
    return str(audit.references.get(attr)) == str(group)


def _backtest(backtest: Backtest) -> str:
    rows = [(r.as_of, r.trained_on, f"{r.auc:.3f}", words.pct(r.precision_at_capacity),
             words.pct(r.recall_at_capacity), words.pct(r.base_rate), f"{int(r.n):,}")
            for r in cast(Any, backtest.metrics).itertuples()]
    return ("<h3>Rolling-origin backtest</h3><p>Each row trains on earlier censuses only and "
            "tests on a later one.</p>" + _grid(
                ["Tested on", "Trained on", "AUC", "Precision", "Recall", "Outcome rate",
                 "Pupils"], rows, numeric=("AUC", "Precision", "Recall", "Outcome rate",
                                           "Pupils")))


# ------------------------------------------------------------------ how it works
def _how_it_works(ctx):
    out = ["<h3>Model card</h3>", _model_card(ctx.result, in_report=True),
           _scorecard(ctx.result),
           _method(ctx), _drift(ctx.result)]
    return "how", "How it works", "\n".join(x for x in out if x)


def _model_card(result: ScreeningResult, evaluation: Evaluation | None = None,
                backtest: Backtest | None = None, *, metrics: str | None = None,
                in_report: bool = False) -> str:
    """The model card. In the report it links to *Is it right*; on other pages
    ``metrics`` (HTML) is its paragraph on the evaluation, else the evaluation in words,
    else a warning that none was run."""
    from ._result import INTENDED_USE

    if in_report:
        metrics = ("<p><b>How well it works.</b> See <a href='#right'>Is it right</a>: the "
                   "out-of-time evaluation, calibration and the capacity chooser.</p>")
    elif metrics is None and evaluation is not None:
        metrics = _metrics_words(evaluation)
    elif metrics is None and backtest is None:
        metrics = ("<p class='warn'>No out-of-time evaluation was run for this model. Run "
                   "<code>Screener.evaluate</code> (or <code>screening evaluate</code>, or "
                   "<code>screening score --evaluate-on DATE</code>) on a later census "
                   "whose outcomes are known before relying on it.</p>")
    facts = result.model_facts()
    tr = facts["training"]
    target = ("at least one suspension or permanent exclusion" if facts["target"] ==
              "suspension" else "a permanent exclusion")
    return f"""
<div class="card">
<p><b>Intended use.</b> {_e(INTENDED_USE)}</p>
<p><b>What it predicts.</b> The probability that a pupil in Years
{_e(", ".join(map(str, facts["year_groups"])))} has {_e(target)} in the
{facts["horizon_months"]} months after the census date. Protected characteristics (sex,
ethnicity, free school meals, English as an additional language, looked-after status) are
not model inputs; they are audit groups.</p>
<p><b>Data.</b> Trained on the census dates {_e(", ".join(tr["census_dates"]))}:
{tr["n_pupils"]:,} pupil-censuses, {tr["n_outcomes"]:,} with the outcome
({tr["outcome_rate"]:.2%}). Model: {_e(facts["model_type"])}, library version
{_e(facts["library_version"])}.</p>
{metrics or ""}
<p><b>Limitations.</b> The model learns from past exclusions, which reflect school
practice as well as pupils' needs; it can reproduce the disproportionality in that history.
The school-context feature scores a pupil partly for their school's past use of
suspensions. Recorded data are incomplete for pupils who arrived recently (the list says
so). Probabilities are calibrated on past cohorts and drift when recording practice or
policy changes (see the drift below). Small groups are hidden in the audit, so the
absence of a finding is not evidence of fairness for them.</p>
</div>"""


def _band_words(band: Any) -> str:
    from .models import band_words

    return band_words(band)


def _scorecard(result: ScreeningResult) -> str:
    card = result.scorecard
    facts = result.facts
    if card is None:
        return f"<h3>Scorecard</h3><p>{_e(facts['model_type'])} has no points table.</p>"
    labels = facts.get("feature_labels", {})
    used = card.groupby("feature", sort=False)["points"].transform(lambda p: (p != 0).any())
    shown, idle = card[used], list(dict.fromkeys(card.loc[~used, "feature"]))
    rows = [(labels.get(r.feature, r.label), _band_words(r.band), f"{int(r.points):+d}")
            for r in cast(Any, shown).itertuples()]
    sc = facts.get("scorecard", {})
    out = ["<h3>Scorecard</h3>",
           "<p>A pupil's points are the sum of one line per indicator: the points of the "
           "band their data falls in. The points in scores.csv are that total. Indicators "
           "that add no points for anyone are listed after the table.</p>",
           "<details><summary>The points of every indicator</summary>"
           + _grid(["Indicator", "Band", "Points"], rows, numeric=("Points",))
           + (f"<p class='note'>Adding no points in any band: "
              f"{_e(', '.join(labels.get(f, f) for f in idle))}.</p>" if idle else "")
           + "</details>"]
    table = (sc.get("probability") or {}).get("table")
    if table:
        base = f"{sc.get('intercept', 0):.2f}"
        t = pd.DataFrame(table)
        flagged_pts = result.flagged.get("points")
        step = max(1, int(np.ceil(len(t) / 14)))
        t = t.iloc[::step]
        out.append(
            "<h4>From points to risk</h4><p>The predicted risk for each total of points. "
            f"The card's base score ({_e(base)}) is the same for "
            "every pupil and is already allowed for in this table."
            + (f" Flagged pupils have {int(flagged_pts.min())} to {int(flagged_pts.max())} "
               "points." if flagged_pts is not None and len(flagged_pts) and
               pd.api.types.is_integer_dtype(flagged_pts) else "") + "</p>"
            + _grid(["Points"] + [str(int(x)) for x in t["points"]],
                     [["Risk"] + [words.pct(x) for x in t["probability"]]],
                     numeric=tuple(["Points"] + [str(int(x)) for x in t["points"]])))
    return "\n".join(out)


def _method(ctx: _Ctx) -> str:
    p = ctx.result.audit.params
    n_boot = p.get("n_boot") or 0
    return (
        "<h3>Method</h3><p>The scorecard puts each indicator into bands and gives each band "
        "whole points; a logistic curve turns the total into a risk, fitted on past "
        "censuses and their outcomes in the months that followed. Only records dated "
        "before the census date are used. Pupils are ranked by risk and the top of the "
        f"list is flagged. The audit counts pupils and flags in each group; its intervals "
        f"come from {n_boot:,} bootstrap resamples of the cohort, and its p-values from "
        "tests on the counts, adjusted for the number of comparisons made (Holm). To "
        f"protect pupils, no count from 1 to {ctx.min_cell - 1} is published, and further "
        "cells are hidden where a small count could be worked out by subtracting others "
        "(across the report's tables together).</p>")


def _drift(result: ScreeningResult) -> str:
    d = result.drift
    if d is None or not len(d):
        return ""
    shifted = d[d["shifted"].astype(bool)]
    if len(shifted):
        names = "; ".join(
            f"{r.label} (stability index {r.psi:.2f}"
            + ("" if words.blank(r.smd) else f", mean moved {abs(r.smd):.2f} standard "
               f"deviations {'up' if r.smd > 0 else 'down'}") + ")"
            for r in cast(Any, shifted).itertuples())
        text = (f"<p class='warn'>{len(shifted)} indicator(s) differ a lot from the training "
                f"data: {_e(names)}. Scores that lean on them deserve more scrutiny; "
                "refit on recent censuses if the change is real.</p>")
    else:
        text = ("<p>No indicator differs much from the training data (every population "
                "stability index at most 0.25, or a mean moved by at most 0.2 standard "
                "deviations).</p>")
    top = d.sort_values("psi", ascending=False)
    rows = [(r.label, f"{r.psi:.3f}", "–" if words.blank(r.smd) else f"{r.smd:+.2f}",
             "yes" if r.shifted else "no") for r in top.itertuples()]
    return ("<h3>Drift against the training data</h3>" + text
            + "<details><summary>Every indicator</summary><p class='note'>The stability "
            "index compares the spread of values now with training (above 0.25 is a large "
            "shift); the mean shift is in training standard deviations.</p>"
            + _grid(["Indicator", "Stability index", "Mean shift (SD)", "Large shift"],
                     rows, numeric=("Stability index", "Mean shift (SD)"))
            + "</details>")


#: The report's sections, in order; the top navigation links every one.
SECTIONS = (_what_to_do, _why, _is_it_fair, _is_it_right, _how_it_works)


def render_report(result: ScreeningResult, *, evaluation: Evaluation | None = None,
                  backtest: Backtest | None = None) -> str:
    """Render a :class:`ScreeningResult` as one self-contained HTML page."""
    ctx = _Ctx(result, evaluation, backtest)
    as_of = _e(result.as_of.date())
    parts = [section(ctx) for section in SECTIONS]
    nav = "".join(f"<a href='#{a}'>{_e(t)}</a>" for a, t, _ in parts)
    body = "\n".join(f"<section><h2 id='{a}'>{_e(t)}</h2>\n{html}</section>"
                     for a, t, html in parts)
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Screening report {as_of}</title><style>{_CSS}</style></head><body>"
            f"<h1>Early identification screen, census {as_of}</h1>"
            f"<nav aria-label='Sections'>{nav}</nav>\n{body}\n</body></html>")


# ------------------------------------------------------------------ notebooks
def result_html(result: ScreeningResult) -> str:
    """A short rich display of a :class:`ScreeningResult` for notebooks."""
    ctx = _Ctx(result)
    n, k = len(result.scores), int(result.scores["flagged"].sum())
    found = _findings(result.audit, result.audit.params.get("recent_label"))
    head = result.flagged.head(10)
    rows = [(r.rank, r.upn, r.school, f"{r.risk:.1%}", r.reason_1)
            for r in head.itertuples(index=False)]
    return (f"<div><b>Screen of the census {_e(result.as_of.date())}</b>: {n:,} pupils, "
            f"{k:,} flagged ({_e(result.facts['sizing'])}).{_after_data_end(result)}"
            + ("<ul>" + "".join(f"<li>{_e(f)}</li>" for f in found[:5]) + "</ul>"
               if found else "<p>No audit finding.</p>")
            + _grid(["Rank", "UPN", "School", "Risk", "First reason"], rows,
                     numeric=("Rank", "Risk"))
            + f"<p class='note'>The first {len(rows)} of {k:,} flagged; "
            "<code>to_html()</code> writes the full report (min cell "
            f"{ctx.min_cell}).</p></div>")


def evaluation_html(ev: Evaluation) -> str:
    """A short rich display of an :class:`Evaluation` for notebooks."""
    return f"<div>{_metrics_words(ev)}{_capacity_chooser(ev)}</div>"
