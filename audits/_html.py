"""Self-contained HTML for an :class:`AuditReport`: tables, forest plot, calibration.

Charts are drawn with matplotlib's object API (``Figure``, Agg; pyplot's
global state is never touched) and inlined as base64 PNG. Every piece of text
that comes from the data goes through :func:`html.escape`; chart labels have
``$`` escaped so group names cannot trigger mathtext.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _messages as msg
from ._findings import HIGH, LOW
from ._linked import __doc__ as _SUPPRESSION_DOC

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ._report import AuditReport

_CSS = """
.audit{font-family:system-ui,sans-serif;font-size:14px;color:#222;max-width:1100px}
.audit table{border-collapse:collapse;margin:.5em 0 1.2em}
.audit th,.audit td{border:1px solid #ccc;padding:2px 6px;text-align:right}
.audit th{background:#f2f2f2}.audit td.l{text-align:left}
.audit tr.ref td{background:#f7f7ff}.audit tr.sup td{color:#888}
.audit .note{font-size:12px;color:#555}
.audit sup{color:#a33}.audit ol.why{font-size:12px;color:#555}
"""

_MAX_CONTROL_ROWS = 2000


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _label(x: object) -> str:
    """Text safe for matplotlib (no mathtext from user data)."""
    return str(x).replace("$", r"\$")


def _num(x: Any, kind: str) -> str:
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float) and math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if kind == "pct":
        return f"{100 * x:.1f}%"
    if kind == "int":
        return f"{int(x):,}"
    return f"{x:.2f}"


_DPI, _FONT = 100, 11  # the same chart style as the screening report
_TICKS = (0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32)


def _png(fig: Figure) -> str:
    for ax in fig.get_axes():
        ax.tick_params(labelsize=_FONT)
        ax.title.set_fontsize(_FONT + 1)
        ax.xaxis.label.set_fontsize(_FONT)
        ax.yaxis.label.set_fontsize(_FONT)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI)
    w, h = (int(round(x * _DPI)) for x in fig.get_size_inches())
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<img alt="chart" width="{w}" height="{h}" style="max-width:100%;height:auto" '
            f'src="data:image/png;base64,{data}">')


def _ratio_ticks(ax):
    """Plain ratio ticks (0.5×, 1×, 2×) on a log axis, no minor labels."""
    from matplotlib.ticker import FixedLocator, NullLocator

    lo, hi = ax.get_xlim()
    ticks = [t for t in _TICKS if lo <= t <= hi]
    while len(ticks) > 5:
        ticks = ticks[::2] if 1 in ticks[::2] else ticks[1::2]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(lambda t, _: f"{t:g}×")
    ax.xaxis.set_minor_locator(NullLocator())


def forest_plot(report: AuditReport) -> str:
    """Forest plot of flag ratios (and amplification) with intervals, as an <img>."""
    from matplotlib.figure import Figure

    df = report.by_group
    lo_band, hi_band = report.params.get("band", (LOW, HIGH))
    measures = ["flag_ratio"] + (["amplification"] if report.params.get("has_outcome") else [])
    if report.params.get("has_recent"):
        measures.append("recent_amplification")
    rows = df[df["flag_ratio"].astype(float) > 0]  # a group with no flags has no row
    if rows.empty:
        return ""
    labels = [_label(f"{a}: {g}") for a, g in zip(rows["attribute"], rows["group"])]
    label_in = min(5.0, 0.5 + 0.085 * max(len(x) for x in labels))  # room for y labels
    width = 3.4 * len(measures) + label_in
    height = 0.3 * len(rows) + 1.3
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=label_in / width, right=0.98, bottom=0.9 / height,
                        top=1 - 0.35 / height, wspace=0.08)
    axes = fig.subplots(1, len(measures), sharey=True, squeeze=False)[0]
    y = np.arange(len(rows))[::-1]
    for ax, m in zip(axes, measures):
        r = rows[m].astype(float).to_numpy()
        lo = rows[m + "_low"].astype(float).to_numpy()
        hi = rows[m + "_high"].astype(float).to_numpy()
        ok = np.isfinite(lo) & np.isfinite(hi) & (r > 0)
        ax.axvspan(lo_band, hi_band, color="#eee")
        ax.axvline(1.0, color="#888", lw=1)
        ax.errorbar(r[ok], y[ok], xerr=[r[ok] - lo[ok], hi[ok] - r[ok]], fmt="o", ms=4,
                    color="#1f4e79", ecolor="#1f4e79", capsize=2)
        pts = ~ok & np.isfinite(r) & (r > 0)
        ax.plot(r[pts], y[pts], "s", ms=4, color="#999")
        pos = np.concatenate([r[r > 0], lo[np.isfinite(lo) & (lo > 0)], hi[np.isfinite(hi)]])
        if pos.size:
            ax.set_xscale("log")
            ax.set_xlim(min(pos.min(), lo_band) / 1.15, max(pos.max(), hi_band) * 1.15)
            _ratio_ticks(ax)
        ax.set_title(m.replace("_", " "))
        ax.set_yticks(y, labels)
    axes[0].set_xlabel("ratio (log scale); grey square = reference or no interval")
    return _png(fig)


def calibration_plot(report: AuditReport) -> str:
    """Within-group reliability charts (mean score vs observed rate), one per attribute."""
    from matplotlib.figure import Figure

    cal = report.calibration
    cal = cal[~cal["suppressed"].astype(bool)] if len(cal) else cal
    if len(cal) == 0:
        return ""
    attrs = list(dict.fromkeys(cal["attribute"]))
    ncol = min(3, len(attrs))
    nrow = math.ceil(len(attrs) / ncol)
    fig = Figure(figsize=(4 * ncol, 3.4 * nrow))
    axes = np.atleast_1d(fig.subplots(nrow, ncol, squeeze=False)).ravel()
    hi = float(max(cal["mean_score"].max(), cal["observed_rate"].max(), 1e-9))
    for ax, a in zip(axes, attrs):
        sub = cal[cal["attribute"] == a]
        for g, gdf in sub.groupby("group", sort=False):
            ax.plot(gdf["mean_score"], gdf["observed_rate"], "o-", ms=3, label=_label(g))
        ax.plot([0, hi], [0, hi], color="#888", lw=1, ls="--")
        ax.set_title(_label(a))
        ax.set_xlabel("mean score")
        ax.set_ylabel("observed rate")
        ax.legend(fontsize=7)
    for ax in axes[len(attrs):]:
        ax.set_visible(False)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.12 / nrow, top=1 - 0.08 / nrow,
                        wspace=0.3, hspace=0.45)
    return _png(fig)


_MAIN = [("group", "Group", "text"), ("n", "n", "int"), ("n_flagged", "Flagged", "int"),
         ("flag_rate", "Flag rate", "pct"), ("flag_rate_diff", "Difference", "pp"),
         ("flag_ratio", "Flag ratio", "ci"), ("flag_ratio_overall", "vs cohort", "ci"),
         ("mean_score", "Mean score", "num"), ("n_outcome", "Outcomes", "int"),
         ("base_rate", "Outcome rate", "pct"), ("base_ratio", "Outcome ratio", "ci"),
         ("amplification", "Amplification", "ci"),
         ("recent_base_ratio", "Recent outcome ratio", "ci"),
         ("recent_amplification", "Recent amplification", "ci"),
         ("auc", "AUC", "num"), ("note", "Note", "text")]
_ERRORS = [("group", "Group", "text")] + [
    c for e, label in (("fpr", "FPR"), ("fnr", "FNR"), ("ppv", "PPV"), ("npv", "NPV"),
                       ("fdr", "FDR"), ("for", "FOR"), ("tnr", "TNR"), ("tpr", "TPR"))
    for c in ((e, label, "pct"), (f"{e}_ratio", f"{label} ratio", "ci"),
              (f"{e}_diff", f"{label} diff.", "pp"))]
_COMP = [("attribute", "Attribute", "text"), ("group", "Group", "text"),
         ("reference_group", "Reference", "text"), ("measure", "Measure", "text"),
         ("ratio", "Ratio", "ci"), ("difference", "Difference", "pp"), ("p", "p", "p"),
         ("p_bootstrap", "p (bootstrap, check)", "p"), ("p_holm", "p (Holm)", "p"),
         ("finding", "Finding", "text")]
_ADJ = [("attribute", "Attribute", "text"), ("group", "Group", "text"),
        ("measure", "Of", "text"), ("n", "n used", "int"), ("odds_ratio", "Odds ratio", "ci"),
        ("odds_ratio_p", "p", "p"), ("risk_ratio", "Risk ratio", "ci"),
        ("covariates", "Adjusted for", "text"), ("note", "Note", "text")]


class _Why:
    """Collects one plain sentence per blank cell of a table, shown as numbered notes."""

    def __init__(self, report):
        self.report = report
        self.na = set(report.not_applicable()) if hasattr(report, "not_applicable") else set()
        self.mc = report.params.get("min_cell", 10)
        self.items = []

    def reason(self, rec: Any, col: str) -> str:
        base = col
        for end in ("_low", "_high"):
            if col.endswith(end):
                base = col[: -len(end)]
        p = self.report.params
        if base in self.na:
            if base.startswith("recent"):
                return msg.WHY_NO_RECENT
            if base in ("mean_score", "auc", "calibration_gap") and not p.get("has_score"):
                return msg.WHY_NO_SCORE
            return msg.WHY_NO_OUTCOME
        if col in self.na:
            return msg.WHY_NO_BOOT
        hidden = str(rec.get("_suppressed_columns") or "").split(",")
        if rec.get("suppressed") or base in hidden or col in hidden:
            note = rec.get("note") or ""
            return (msg.WHY_HIDDEN.format(self.mc - 1) + (f" ({note})" if note else ""))
        if rec.get("reference") and col != base:
            return msg.WHY_REFERENCE
        note = rec.get("note")
        if isinstance(note, str) and note:
            return f"{msg.WHY_UNDEFINED} ({note})"
        return msg.WHY_UNDEFINED

    def mark(self, text: str) -> str:
        if text not in self.items:
            self.items.append(text)
        return f"<sup>{self.items.index(text) + 1}</sup>"

    def html(self) -> str:
        if not self.items:
            return ""
        return ('<ol class="why">' + "".join(f"<li>{_e(t)}</li>" for t in self.items)
                + "</ol>")


def _blank(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _cell(row: Any, col: str, kind: str, why: _Why) -> str:
    v = row.get(col)
    if kind == "text":
        if isinstance(v, (bool, np.bool_)):
            v = "yes" if v else ""
        return f'<td class="l">{_e("" if v is None or _blank(v) else v)}</td>'
    if kind == "p":
        if _blank(v):
            return f"<td>–{why.mark(why.reason(row, col))}</td>"
        return f"<td>{_e('< 0.001' if v < 0.001 else f'{v:.3f}')}</td>"
    if kind == "pp":
        if _blank(v):
            return f"<td>–{why.mark(why.reason(row, col))}</td>"
        return f"<td>{_e(f'{100 * v:+.1f} pp')}</td>"
    if kind == "ci":
        lo, hi = row.get(col + "_low", row.get("low")), row.get(col + "_high", row.get("high"))
        if _blank(v):
            return f"<td>–{why.mark(why.reason(row, col))}</td>"
        txt = _e(_num(v, "num"))
        if lo is not None and not _blank(lo) and not _blank(hi):
            txt += _e(f" ({_num(lo, 'num')}–{_num(hi, 'num')})")
        else:
            txt += " (–" + why.mark(why.reason(row, col + "_low")) + ")"
        return f"<td>{txt}</td>"
    if _blank(v):
        return f"<td>–{why.mark(why.reason(row, col))}</td>"
    return f"<td>{_e(_num(v, kind))}</td>"


def table(df: pd.DataFrame, columns: Sequence[tuple[str, str, str]], report: AuditReport,
          drop_na: bool = True) -> str:
    """An escaped HTML table of ``df``; each blank cell carries a numbered reason."""
    why = _Why(report)
    gone = []
    if drop_na:  # columns that apply to no row at all are left out, and said so below
        gone = [c for c in columns if c[0] in why.na and c[2] != "text"]
        columns = [c for c in columns if c not in gone]
    head = "".join(f"<th>{_e(h)}</th>" for _, h, _ in columns)
    body = []
    for rec in df.to_dict("records"):
        cls = "sup" if rec.get("suppressed") else ("ref" if rec.get("reference") else "")
        cells = "".join(_cell(rec, c, k, why) for c, _, k in columns)
        body.append(f'<tr class="{cls}">{cells}</tr>')
    said = ""
    if drop_na and gone:
        reasons = dict.fromkeys(why.reason({}, c) for c, _, _ in gone)
        said = (f"<p class=\"note\">Columns left out: {_e(', '.join(h for _, h, _ in gone))}. "
                f"{_e(' '.join(reasons))}</p>")
    return (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            + why.html() + said)


def adjusted_plot(report: AuditReport) -> str:
    """Forest plot of adjusted odds ratios with intervals (one panel per measure)."""
    from matplotlib.figure import Figure

    adj = report.adjusted
    if adj is None or len(adj) == 0:
        return ""
    adj = adj[np.isfinite(adj["odds_ratio_low"].astype(float))]
    if adj.empty:
        return ""
    measures = list(dict.fromkeys(adj["measure"]))
    keys = list(dict.fromkeys(zip(adj["attribute"], adj["group"])))
    labels = [_label(f"{a}: {g}") for a, g in keys]
    label_in = min(5.0, 0.5 + 0.085 * max(len(x) for x in labels))
    width = 3.4 * len(measures) + label_in
    height = 0.28 * len(keys) + 1.3
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=label_in / width, right=0.98, bottom=0.9 / height,
                        top=1 - 0.35 / height, wspace=0.08)
    axes = fig.subplots(1, len(measures), sharey=True, squeeze=False)[0]
    y = {k: i for i, k in enumerate(reversed(keys))}
    for ax, m in zip(axes, measures):
        sub = adj[adj["measure"] == m]
        yy = np.array([y[(a, g)] for a, g in zip(sub["attribute"], sub["group"])])
        r = sub["odds_ratio"].astype(float).to_numpy()
        lo = sub["odds_ratio_low"].astype(float).to_numpy()
        hi = sub["odds_ratio_high"].astype(float).to_numpy()
        ax.axvline(1.0, color="#888", lw=1)
        ax.errorbar(r, yy, xerr=[r - lo, hi - r], fmt="o", ms=4, color="#7a3b00", capsize=2)
        ax.set_xscale("log")
        _ratio_ticks(ax)
        ax.set_title(f"adjusted odds ratio: {m}")
        ax.set_yticks(list(y.values()), [labels[len(keys) - 1 - i] for i in y.values()])
    axes[0].set_xlabel("odds ratio vs reference (log scale), 95% interval")
    return _png(fig)


def fragment(report: AuditReport) -> str:
    """The report body as one ``<section class="audit">`` (no <html> wrapper)."""
    p = report.params
    unit = p.get("unit", "pupils")
    out = [f"<section class=\"audit\"><style>{_CSS}</style>", "<h2>Disproportionality audit</h2>"]
    ov = report.overall
    ci_txt = f"{p.get('ci', 0.95):.0%}"
    source = {"flag": "flags as given",
              "capacity": f"flags = top {p.get('capacity')} by score",
              "threshold": f"flags = score >= {p.get('threshold')}"}.get(
                  str(p.get("flag_source")), "")
    mc = p.get("min_cell", 0)
    sup = (f"no count from 1 to {mc - 1} is shown or can be derived from this report's "
           "tables together" if mc > 1 else "no small-cell suppression")
    out.append(
        f"<p>{_e(_num(ov.get('n'), 'int'))} {_e(unit)}; {_e(_num(ov.get('n_flagged'), 'int'))} "
        f"flagged ({_e(_num(ov.get('flag_rate'), 'pct'))}; {_e(source)}); "
        f"{_e(p.get('n_boot'))} stratified bootstrap resamples, {_e(ci_txt)} "
        f"percentile intervals; {_e(sup)}.</p>")
    if p.get("has_recent"):
        out.append(f"<p>Flags are compared with outcomes in <b>{_e(p.get('recent_label'))}</b>"
                   f" (the recent cohort, {_e(_num(p.get('recent_n_rows'), 'int'))} {_e(unit)}"
                   "): a recent amplification above 1 means a group is flagged more often "
                   "than its recent outcomes explain.</p>")
    out.append("<h3>Findings</h3><ul>" + "".join(f"<li>{_e(f)}</li>" for f in report.findings)
               + "</ul>")
    plot = forest_plot(report)
    if plot:
        out.append("<h3>Ratios with intervals</h3>" + plot)
    for attr in report.attributes:
        sub = report.by_group[report.by_group["attribute"] == attr]
        ref = report.references.get(attr)
        out.append(f"<h3>{_e(attr)} <span class=\"note\">(reference: {_e(ref)})</span></h3>")
        out.append(table(sub, _MAIN, report))
    if p.get("has_outcome"):
        out.append("<h3>Error rates and their disparities</h3><p class=\"note\">False "
                   "positive (FPR), false negative (FNR), positive and negative predictive "
                   "values (PPV, NPV), false discovery and false omission rates (FDR, FOR), "
                   "true negative and true positive rates; ratio and difference (percentage "
                   "points) against each attribute's reference.</p>")
        for attr in report.attributes:
            sub = report.by_group[report.by_group["attribute"] == attr]
            out.append(f"<h4>{_e(attr)}</h4>" + table(sub, _ERRORS, report))
    if len(report.comparisons):
        out.append("<h3>Every comparison tested</h3>"
                   + table(report.comparisons.assign(suppressed=False), _COMP, report,
                           drop_na=False))
    if report.adjusted is not None:
        out.append("<h3>Adjusted disproportionality</h3><p class=\"note\">"
                   f"{_e(report.adjusted.attrs.get('method', ''))}. Adjusted for: "
                   f"{_e(', '.join(p.get('adjusted_for') or []))}.</p>")
        chart = adjusted_plot(report)
        if chart:
            out.append(chart)
        out.append(table(report.adjusted.assign(suppressed=False), _ADJ, report,
                         drop_na=False))
    cal = calibration_plot(report)
    if cal:
        out.append("<h3>Calibration within groups</h3>" + cal)
    if len(report.concentration):
        conc = report.concentration.assign(note=msg.WHY_CONC, _suppressed_columns=",".join(
            report.concentration.columns))
        cols = [(c, c.replace("_", " "), "text" if c in ("control", "measure") else
                 ("pct" if "share" in c else "int")) for c in report.concentration.columns]
        out.append("<h3>Concentration</h3>" + table(conc, cols, report, drop_na=False))
    if len(report.by_control):
        for ctrl in dict.fromkeys(report.by_control["control"]):
            sub = report.by_control[report.by_control["control"] == ctrl]
            cols = [("control_value", str(ctrl), "text"), ("attribute", "Attribute", "text")]
            cols += _MAIN
            more = ""
            if len(sub) > _MAX_CONTROL_ROWS:
                more = (f"<p class=\"note\">First {_MAX_CONTROL_ROWS} of {len(sub)} rows; "
                        "see to_dict() or breakdown() for all.</p>")
                sub = sub.head(_MAX_CONTROL_ROWS)
            out.append(f"<h3>By {_e(ctrl)} (not aggregated over)</h3>"
                       + table(sub, cols, report) + more)
    method = " ".join(line.strip() for line in (_SUPPRESSION_DOC or "").splitlines())
    # the docstring's reStructuredText markup, as plain prose
    method = re.sub(r":\w+:`~?([^`]+)`", r"\1", method).replace("``", "").replace("`", "")
    out.append("<h3>Method</h3>")
    out.append(f"<p class=\"note\">p-values: {_e(p.get('p_value_method', ''))}; tested: "
               f"{_e(', '.join(p.get('tests') or []))}; findings: ratio outside "
               f"{_e(p.get('band', (LOW, HIGH)))} and interval excluding 1. Intervals: "
               f"{_e(p.get('interval', ''))}. Reference: {_e(p.get('reference_rule'))}.</p>")
    if p.get("pooled_unknown"):
        out.append("<p class=\"note\">Fewer than " + _e(mc) + " pupils had no recorded "
                   + _e(", ".join(p["pooled_unknown"])) + "; they are counted with "
                   "the largest group (" + _e(", ".join(f"{a}: {g}" for a, g in
                                                         p["pooled_unknown"].items()))
                   + ").</p>")
    out.append(f"<p class=\"note\">Suppression: {_e(method)}</p>")
    out.append("</section>")
    return "\n".join(out)


def page(report: AuditReport) -> str:
    """A complete HTML document around :func:`fragment`."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Disproportionality audit</title></head><body>\n"
            + fragment(report) + "\n</body></html>\n")
