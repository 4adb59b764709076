"""Readable views of a fitted scorecard: the card as a DataFrame, text and HTML."""

import html

import numpy as np
import pandas as pd


def scorecard_frame(model):
    """DataFrame with one row per band: feature, label, band, points, n, rate, basis.

    ``basis`` says where a band's points come from: ``"training rows"``, or
    ``"feature average"`` for a band no training row fell in (it scores like the average
    training row, carrying no information).
    """
    rows = []
    for spec, label, pts, cnt, rate in zip(model.bands_, model._labels(), model.band_points_,
                                           model.band_counts_, model.band_rates_):
        for b, band in enumerate(spec["labels"]):
            rows.append({"feature": spec["name"], "label": label, "band": band,
                         "points": int(pts[b]), "n": int(cnt[b]),
                         "rate": float(rate[b]) if cnt[b] else np.nan,
                         "basis": "training rows" if cnt[b] else "feature average"})
    frame = pd.DataFrame(rows, columns=["feature", "label", "band", "points", "n", "rate",
                                        "basis"])
    return frame.astype({"points": "int64", "n": "int64", "rate": "float64"})


def _header(model):
    report = getattr(model, "rounding_report_", None)
    rounding = "" if not report else (
        f" Rounding to points: training AUC {report['auc_points']:.4f} vs "
        f"{report['auc_exact']:.4f} exact, log-loss "
        f"{report['log_loss_points'] - report['log_loss_exact']:+.1e}, "
        f"risk within {report['max_proba_diff']:.3f}.")
    top = report["max_points"] if report else model.max_points
    return (f"Risk scorecard: {len(model.bands_)} features, at most {top} "
            f"points per band.{rounding} Score = base {model.intercept_:+.3f} + points; "
            f"risk = 1 / (1 + exp(-({model.proba_intercept_:.6g} + "
            f"{model.slope_:.6g} * points))).")


def scorecard_text(model):
    """The card as plain text, in the user's feature labels."""
    lines = [_header(model)]
    card = scorecard_frame(model)
    width = max(card["band"].str.len().max(), 4) + 2
    for (feature, label), part in card.groupby(["feature", "label"], sort=False):
        lines.append("")
        lines.append(label if label == feature else f"{label} ({feature})")
        for row in part.itertuples():
            share = ("   no training rows: the feature's average" if row.n == 0
                     else f"   n={row.n}, rate={row.rate:.1%}")
            lines.append(f"  {row.band:<{width}}{row.points:>+4d}{share}")
    return "\n".join(lines)


def scorecard_html(model):
    """The card as an HTML table, in the user's feature labels."""
    card = scorecard_frame(model)
    body = []
    for (feature, label), part in card.groupby(["feature", "label"], sort=False):
        span = len(part)
        for i, row in enumerate(part.itertuples()):
            head = (f'<th rowspan="{span}" style="text-align:left">{html.escape(str(label))}'
                    "</th>") if i == 0 else ""
            rate = "feature average" if row.n == 0 else f"{row.rate:.1%}"
            body.append(f"<tr>{head}<td>{html.escape(row.band)}</td>"
                        f"<td style='text-align:right'>{row.points:+d}</td>"
                        f"<td style='text-align:right'>{row.n}</td><td>{rate}</td></tr>")
    return (f"<div><p>{html.escape(_header(model))}</p><table><thead><tr><th>feature</th>"
            "<th>band</th><th>points</th><th>n</th><th>rate</th></tr></thead><tbody>"
            + "".join(body) + "</tbody></table></div>")
