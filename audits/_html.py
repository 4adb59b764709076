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

import numpy as np
import pandas as pd

from ._findings import HIGH, LOW
from ._suppress import __doc__ as _SUPPRESSION_DOC

_CSS = """
.audit{font-family:system-ui,sans-serif;font-size:14px;color:#222;max-width:1100px}
.audit table{border-collapse:collapse;margin:.5em 0 1.2em}
.audit th,.audit td{border:1px solid #ccc;padding:2px 6px;text-align:right}
.audit th{background:#f2f2f2}.audit td.l{text-align:left}
.audit tr.ref td{background:#f7f7ff}.audit tr.sup td{color:#888}
.audit .note{font-size:12px;color:#555}
"""

_MAX_CONTROL_ROWS = 2000


def _e(x) -> str:
    return html.escape(str(x), quote=True)


def _label(x) -> str:
    """Text safe for matplotlib (no mathtext from user data)."""
    return str(x).replace("$", r"\$")


def _num(x, kind: str) -> str:
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float) and math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if kind == "pct":
        return f"{100 * x:.1f}%"
    if kind == "int":
        return f"{int(x):,}"
    return f"{x:.2f}"


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=72)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="chart" src="data:image/png;base64,{data}">'


def forest_plot(report) -> str:
    """Forest plot of flag ratios (and amplification) with intervals, as an <img>."""
    from matplotlib.figure import Figure

    df = report.by_group
    measures = ["flag_ratio"] + (["amplification"] if report.params.get("has_outcome") else [])
    rows = df[df["flag_ratio"].notna()]
    if rows.empty:
        return ""
    labels = [_label(f"{a}: {g}") for a, g in zip(rows["attribute"], rows["group"])]
    label_in = min(4.0, 0.5 + 0.075 * max(len(x) for x in labels))  # room for y labels
    width = 4.0 * len(measures) + label_in
    height = 0.28 * len(rows) + 1.3
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
        ax.axvspan(LOW, HIGH, color="#eee")
        ax.axvline(1.0, color="#888", lw=1)
        ax.errorbar(r[ok], y[ok], xerr=[r[ok] - lo[ok], hi[ok] - r[ok]], fmt="o", ms=4,
                    color="#1f4e79", ecolor="#1f4e79", capsize=2)
        pts = ~ok & np.isfinite(r) & (r > 0)
        ax.plot(r[pts], y[pts], "s", ms=4, color="#999")
        pos = np.concatenate([r[r > 0], lo[np.isfinite(lo) & (lo > 0)], hi[np.isfinite(hi)]])
        if pos.size:
            ax.set_xscale("log")
            ax.set_xlim(min(pos.min(), LOW) / 1.15, max(pos.max(), HIGH) * 1.15)
        ax.set_title(m.replace("_", " "))
        ax.set_yticks(y, labels)
    axes[0].set_xlabel("ratio (log scale); grey square = reference or no interval")
    return _png(fig)


def calibration_plot(report) -> str:
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
         ("flag_rate", "Flag rate", "pct"), ("flag_ratio", "Flag ratio", "ci"),
         ("flag_ratio_overall", "vs cohort", "ci"), ("mean_score", "Mean score", "num"),
         ("n_outcome", "Outcomes", "int"), ("base_rate", "Outcome rate", "pct"),
         ("base_ratio", "Outcome ratio", "ci"), ("amplification", "Amplification", "ci"),
         ("tpr", "TPR", "pct"), ("fpr", "FPR", "pct"), ("ppv", "PPV", "pct"),
         ("auc", "AUC", "num"), ("note", "Note", "text")]


def _cell(row, col, kind) -> str:
    v = row.get(col)
    if kind == "text":
        return f'<td class="l">{_e("" if v is None else v)}</td>'
    if kind == "ci":
        lo, hi = row.get(col + "_low"), row.get(col + "_high")
        txt = _num(v, "num")
        if lo is not None and not pd.isna(lo) and not pd.isna(hi):
            txt += f" ({_num(lo, 'num')}–{_num(hi, 'num')})"
        return f"<td>{_e(txt)}</td>"
    return f"<td>{_e(_num(None if pd.isna(v) else v, kind))}</td>"


def table(df: pd.DataFrame, columns, has_outcome: bool) -> str:
    """An escaped HTML table of ``df`` restricted to ``columns`` (name, header, kind)."""
    if not has_outcome:
        drop = {"n_outcome", "base_rate", "base_ratio", "amplification", "tpr", "fpr", "ppv",
                "auc"}
        columns = [c for c in columns if c[0] not in drop]
    head = "".join(f"<th>{_e(h)}</th>" for _, h, _ in columns)
    body = []
    for rec in df.to_dict("records"):
        cls = "sup" if rec.get("suppressed") else ("ref" if rec.get("reference") else "")
        cells = "".join(_cell(rec, c, k) for c, _, k in columns)
        body.append(f'<tr class="{cls}">{cells}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def fragment(report) -> str:
    """The report body as one ``<section class="audit">`` (no <html> wrapper)."""
    p = report.params
    has_out = bool(p.get("has_outcome"))
    out = [f"<section class=\"audit\"><style>{_CSS}</style>", "<h2>Disproportionality audit</h2>"]
    ov = report.overall
    ci_txt = f"{p.get('ci', 0.95):.0%}"
    source = {"flag": "flags as given",
              "capacity": f"flags = top {p.get('capacity')} by score",
              "threshold": f"flags = score >= {p.get('threshold')}"}.get(p.get("flag_source"), "")
    mc = p.get("min_cell", 0)
    sup = (f"counts from 1 to {mc - 1} suppressed (with secondary suppression)" if mc > 1
           else "no small-cell suppression")
    out.append(
        f"<p>{_e(_num(ov.get('n'), 'int'))} rows; {_e(_num(ov.get('n_flagged'), 'int'))} flagged "
        f"({_e(_num(ov.get('flag_rate'), 'pct'))}; {_e(source)}); "
        f"{_e(p.get('n_boot'))} stratified bootstrap resamples, {_e(ci_txt)} "
        f"percentile intervals; {_e(sup)}.</p>")
    out.append("<h3>Findings</h3><ul>" + "".join(f"<li>{_e(f)}</li>" for f in report.findings)
               + "</ul>")
    plot = forest_plot(report)
    if plot:
        out.append("<h3>Ratios with intervals</h3>" + plot)
    for attr in report.attributes:
        sub = report.by_group[report.by_group["attribute"] == attr]
        ref = report.references.get(attr)
        out.append(f"<h3>{_e(attr)} <span class=\"note\">(reference: {_e(ref)})</span></h3>")
        out.append(table(sub, _MAIN, has_out))
    cal = calibration_plot(report)
    if cal:
        out.append("<h3>Calibration within groups</h3>" + cal)
    if len(report.concentration):
        conc = report.concentration
        cols = [(c, c.replace("_", " "), "text" if c in ("control", "measure") else
                 ("pct" if "share" in c else "int")) for c in conc.columns]
        out.append("<h3>Concentration</h3>" + table(conc, cols, True))
    if len(report.by_control):
        for ctrl in dict.fromkeys(report.by_control["control"]):
            sub = report.breakdown(ctrl)
            cols = [("control_value", str(ctrl), "text"), ("attribute", "Attribute", "text")]
            cols += _MAIN
            more = ""
            if len(sub) > _MAX_CONTROL_ROWS:
                more = (f"<p class=\"note\">First {_MAX_CONTROL_ROWS} of {len(sub)} rows; "
                        "see to_dict() or breakdown() for all.</p>")
                sub = sub.head(_MAX_CONTROL_ROWS)
            out.append(f"<h3>By {_e(ctrl)} (not aggregated over)</h3>" + table(sub, cols, has_out)
                       + more)
    method = " ".join(line.strip() for line in (_SUPPRESSION_DOC or "").splitlines())
    out.append(f"<h3>Method</h3><p class=\"note\">{_e(method)}</p>")
    out.append("</section>")
    return "\n".join(out)


def page(report) -> str:
    """A complete HTML document around :func:`fragment`."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Disproportionality audit</title></head><body>\n"
            + fragment(report) + "\n</body></html>\n")
