"""The self-contained HTML report of a screen. Every text from data is escaped."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from ._result import Backtest, Evaluation, ScreeningResult

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
max-width:1100px;color:#1b1b1b;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;
margin-top:1.8em}table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f3f3f3}.card{background:#f7f9fc;border-left:4px solid #2f5fa7;padding:.6em 1em}
.warn{background:#fff6e5;border-left:4px solid #d08a00;padding:.6em 1em}
.kpi{display:inline-block;margin:0 2em .5em 0}.kpi b{font-size:1.4em;display:block}
img{max-width:100%}nav a{margin-right:1em}
"""


def _figure_tag(fig: Figure, alt: str) -> str:
    """A ``Figure`` as an inline PNG (drawn on its own Agg canvas; pyplot is never used)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def _table(frame: pd.DataFrame, *, float_format: Callable[[float], str] = "{:.3f}".format,
           max_rows: int | None = None) -> str:
    if max_rows is not None and len(frame) > max_rows:
        frame = frame.head(max_rows)
    return frame.to_html(index=False, escape=True, float_format=float_format, na_rep="",
                         border=0)


def _risk_chart(scores: pd.DataFrame) -> str:
    fig = Figure(figsize=(6.5, 2.8))
    ax = fig.subplots()
    risk = scores["risk"].to_numpy()
    flagged = scores["flagged"].to_numpy()
    bins = np.linspace(0, max(0.05, float(np.nanmax(risk)) if len(risk) else 0.05), 40)
    ax.hist(risk[~flagged], bins=bins.tolist(), color="#9bb3d6", label="not flagged")
    ax.hist(risk[flagged], bins=bins.tolist(), color="#c0392b", label="flagged")
    ax.set_xlabel("predicted risk (probability)")
    ax.set_ylabel("pupils")
    ax.set_yscale("log")
    ax.legend(frameon=False)
    ax.set_title("Distribution of risk in the screened cohort")
    return _figure_tag(fig, "Histogram of predicted risk, flagged pupils in red")


def _calibration_chart(calibration: pd.DataFrame) -> str:
    fig = Figure(figsize=(4.2, 4.2))
    ax = fig.subplots()
    top = float(max(calibration["mean_predicted"].max(), calibration["observed_rate"].max(),
                    0.01)) * 1.1
    ax.plot([0, top], [0, top], color="#888", lw=1, ls="--", label="perfect calibration")
    ax.plot(calibration["mean_predicted"], calibration["observed_rate"], "o-",
            color="#2f5fa7", label="this screen")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("mean predicted risk")
    ax.set_ylabel("observed outcome rate")
    ax.set_title("Calibration (equal-count bins)")
    ax.legend(frameon=False, loc="upper left")
    return _figure_tag(fig, "Calibration chart: predicted against observed outcome rates")


def _model_card(result: ScreeningResult, evaluation: Evaluation | None,
                backtest: Backtest | None, *, metrics: str | None = None) -> str:
    """The model card; ``metrics`` (HTML) replaces its paragraph on the evaluation."""
    from ._result import INTENDED_USE

    facts = result.model_facts()
    tr = facts["training"]
    if metrics is None and evaluation is not None:
        m = evaluation.metrics
        metrics = (
            f"<p>On the later census {escape(str(evaluation.as_of.date()))} "
            f"(outcomes known, not used in training): AUC {m['auc']:.3f}, average precision "
            f"{m['average_precision']:.3f}, calibration error {m['calibration_error']:.4f}, "
            f"precision at capacity {m['precision_at_capacity']:.3f}, recall at capacity "
            f"{m['recall_at_capacity']:.3f}, {int(m['n'])} pupils, outcome rate "
            f"{m['base_rate']:.3%}.</p>"
        )
    elif metrics is None and backtest is None:
        metrics = ("<p class='warn'>No out-of-time evaluation was run for this model. Run "
                   "<code>Screener.evaluate</code> (or <code>screening evaluate</code>, or "
                   "<code>screening score --evaluate-on DATE</code>) on a later census "
                   "whose outcomes are known before relying on it.</p>")
    metrics = metrics or ""
    target = ("at least one suspension or permanent exclusion" if facts["target"] ==
              "suspension" else "a permanent exclusion")
    return f"""
<div class="card">
<p><b>Intended use.</b> {escape(INTENDED_USE)}</p>
<p><b>What it predicts.</b> The probability that a pupil in Years
{escape(", ".join(map(str, facts["year_groups"])))} has {escape(target)} in the
{facts["horizon_months"]} months after the census date. Protected characteristics (sex,
ethnicity, FSM, EAL, looked-after status) are not model inputs; they are audit groups.</p>
<p><b>Data.</b> Trained on census dates {escape(", ".join(tr["census_dates"]))}:
{tr["n_pupils"]:,} pupil-censuses, {tr["n_outcomes"]:,} with the outcome
({tr["outcome_rate"]:.2%}). Model: {escape(facts["model_type"])}, library version
{escape(facts["library_version"])}.</p>
<p><b>Metrics.</b></p>{metrics}
<p><b>Limitations.</b> The model learns from past exclusions, which reflect school
practice as well as pupils' needs; it can reproduce the disproportionality in that history.
The school-context feature scores a pupil partly for their school's past use of
suspensions. Recorded data are incomplete for pupils who arrived recently (their status
says so). Probabilities are calibrated on past cohorts and drift when recording practice or
policy changes (see the drift table). Small groups are suppressed in the audit, so the
absence of a finding is not evidence of fairness for them.</p>
</div>"""


def _after_data_end(result: ScreeningResult) -> str:
    """A banner when the census is after the records end (``allow_after_data_end``)."""
    if not getattr(result, "after_data_end", False):
        return ""
    end = escape(str(result.data_end.date()))  # type: ignore[union-attr]  # set when after it
    return (f"<div class='warn' role='alert'><b>This census is after the records end.</b> "
            f"The records end on {end}; the census is {escape(str(result.as_of.date()))}. "
            f"Every pupil is scored as if nothing had happened since {end} (no recent "
            "absence, no suspensions), so the scores, flags and audit findings describe "
            "stale records. Screen again with records extracted on or after the census "
            "date before acting on this list.</div>")


def render_report(result: ScreeningResult, *, evaluation: Evaluation | None = None,
                  backtest: Backtest | None = None) -> str:
    """Render a :class:`ScreeningResult` as one self-contained HTML page."""
    scores = result.scores
    audit = result.audit
    as_of = escape(str(result.as_of.date()))
    n = len(scores)
    k = int(scores["flagged"].sum())
    facts = result.facts
    sizing = facts["sizing"]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Screening report {as_of}</title><style>{_CSS}</style></head><body>",
        f"<h1>Early identification screen, census {as_of}</h1>",
        "<nav><a href='#summary'>Summary</a><a href='#card'>Model card</a>"
        "<a href='#audit'>Audit</a><a href='#flagged'>Flagged pupils</a>"
        "<a href='#calibration'>Calibration</a><a href='#scorecard'>Scorecard</a>"
        "<a href='#drift'>Drift</a></nav>",
        "<h2 id='summary'>Summary</h2>",
        _after_data_end(result),
        f"<div class='kpi'><b>{n:,}</b>pupils screened</div>",
        f"<div class='kpi'><b>{k:,}</b>flagged ({escape(sizing)})</div>",
        f"<div class='kpi'><b>{scores['risk'].mean():.2%}</b>mean predicted risk</div>"
        if n else "",
    ]
    if getattr(result, "ties_text", ""):
        parts.append(f"<p id='ties'><b>Ties at the cut-off.</b> {escape(result.ties_text)}</p>")
    for year, texts in sorted(getattr(result, "shared_reasons", {}).items()):
        parts.append(f"<p><b>Not listed as reasons in Year {escape(str(year))}</b> (held by "
                     "nearly every pupil screened in that year group, so they say nothing "
                     "about the child; their points still count): "
                     f"{escape('; '.join(texts))}.</p>")
    status = scores["status"].value_counts().rename_axis("status").reset_index(name="pupils")
    parts.append(_table(status))
    findings = list(getattr(audit, "findings", []) or [])
    if findings:
        parts.append("<div class='warn'><b>Audit findings</b><ul>" + "".join(
            f"<li>{escape(f)}</li>" for f in findings) + "</ul></div>")
    warn = result.warnings
    if warn is not None and len(warn):
        kinds = (warn.groupby(["table", "problem"]).size().rename("rows").reset_index()
                 .sort_values("rows", ascending=False))
        parts.append(f"<div class='warn'>{len(warn):,} data warning(s) were found when the "
                     "records were validated: usable, but worth checking at source."
                     + _table(kinds) + "<details><summary>First 20 rows</summary>"
                     + _table(warn.head(20).astype(str)) + "</details></div>")
    parts.append(_risk_chart(scores) if n else "")
    parts.append("<h2 id='card'>Model card</h2>")
    parts.append(_model_card(result, evaluation, backtest))

    parts.append("<h2 id='audit'>Disproportionality audit</h2>")
    if hasattr(audit, "html_fragment"):
        parts.append(audit.html_fragment())
    else:
        parts.append(_table(audit.to_frame()))

    parts.append("<h2 id='flagged'>Flagged pupils and reasons</h2>")
    parts.append("<p>Highest risk first. Reasons are the scorecard lines that add most points "
                 "for this pupil. They describe recorded data, not the child.</p>")
    cols = [c for c in ("rank", "upn", "school", "year_group", "risk", "reason_1", "reason_2",
                        "reason_3", "status") if c in scores]
    parts.append(_table(result.flagged[cols], max_rows=500))

    parts.append("<h2 id='calibration'>Calibration and backtest</h2>")
    if evaluation is not None:
        parts.append(f"<p>Evaluation census {escape(str(evaluation.as_of.date()))}.</p>")
        parts.append(_calibration_chart(evaluation.calibration))
        parts.append(_table(evaluation.metrics.rename("value").rename_axis("metric")
                            .reset_index(), float_format="{:.4f}".format))
    else:
        parts.append("<p>No evaluation was run: calibration on a later census is unknown.</p>")
    if backtest is not None:
        parts.append("<h3>Rolling-origin backtest</h3>")
        parts.append(_table(backtest.metrics, float_format="{:.4f}".format))

    parts.append("<h2 id='scorecard'>Scorecard</h2>")
    card = result.scorecard
    if card is not None:
        labels = facts.get("feature_labels", {})
        if "feature" in card:
            card.insert(0, "indicator", card["feature"].map(lambda f: labels.get(f, f)))
        parts.append(_table(card))
    else:
        parts.append(f"<p>{escape(facts['model_type'])} has no points table.</p>")

    parts.append("<h2 id='drift'>Drift against the training data</h2>")
    parts.append("<p>Population stability index per feature; above 0.25 is a large shift.</p>")
    parts.append(_table(result.drift.sort_values("psi", ascending=False)))
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)
