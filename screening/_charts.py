"""The report's charts, in one style: readable fonts, plain ratio ticks, sized to content.

Every chart is a matplotlib ``Figure`` drawn on its own Agg canvas (pyplot's global state
is never touched) and inlined as a PNG with its width and height, so the page's layout
does not move while it loads. Text from data has ``$`` escaped (no mathtext).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

FONT = 11          # points, at DPI below: about 15 px on screen
DPI = 100
WIDTH = 7.6        # inches: 760 px, the page's text width
BLUE, RED, GREY, LIGHT = "#2f5fa7", "#b03a2e", "#777777", "#eeeeee"
_TICKS = (0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32)


def label(text: object) -> str:
    """Text safe for matplotlib (no mathtext from user data)."""
    return str(text).replace("$", r"\$")


def figure(height, width=WIDTH, ncols=1, **kw):
    """A styled ``Figure`` and its axes (``ncols`` side by side)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False, **kw)[0]
    for ax in axes:
        ax.tick_params(labelsize=FONT)
        ax.xaxis.label.set_size(FONT)
        ax.yaxis.label.set_size(FONT)
        ax.title.set_size(FONT + 1)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig, axes


def ratio_axis(ax, values):
    """A log axis for ratios with plain ticks (0.5×, 1×, 2×) and no minor labels."""
    from matplotlib.ticker import FixedLocator, NullLocator

    v = np.asarray([x for x in values if np.isfinite(x) and x > 0] or [1.0])
    lo, hi = min(v.min(), 0.8) / 1.2, max(v.max(), 1.25) * 1.2
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ticks = [t for t in _TICKS if lo <= t <= hi]
    while len(ticks) > 5:  # keep the labels apart
        ticks = ticks[::2] if 1 in ticks[::2] else ticks[1::2]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(lambda t, _: f"{t:g}×")
    ax.xaxis.set_minor_locator(NullLocator())


def tag(fig: Figure, alt: str) -> str:
    """The figure as an inline ``<img>`` with its pixel size."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    w, h = (int(round(x * DPI)) for x in fig.get_size_inches())
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<img alt="{escape(alt)}" width="{w}" height="{h}" '
            f'src="data:image/png;base64,{data}">')


def risk_histogram(risk: pd.Series, flagged: pd.Series) -> str:
    """Predicted risk of the cohort, flagged pupils in red."""
    risk = np.asarray(risk, dtype=float)
    flagged = np.asarray(flagged, dtype=bool)
    fig, (ax,) = figure(2.6)
    top = max(0.05, float(np.nanmax(risk)) if len(risk) else 0.05)
    bins = np.linspace(0, top, 40)
    ax.hist(risk[~flagged], bins=bins, color="#9bb3d6", label="not flagged")
    ax.hist(risk[flagged], bins=bins, color=RED, label="flagged")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(lambda t, _: f"{t:,.0f}")
    ax.xaxis.set_major_formatter(lambda t, _: f"{t:.0%}")
    ax.set_xlabel("predicted risk")
    ax.set_ylabel("pupils (log scale)")
    ax.legend(frameon=False, fontsize=FONT)
    return tag(fig, "Histogram of predicted risk; flagged pupils in red")


def forest(rows: list[tuple[str, dict[str, tuple[float, float, float]]]],
           measures: list[tuple[str, str]]) -> str:
    """Ratios with intervals, one row per group, one panel per measure.

    ``rows`` is a list of ``(label, {measure: (ratio, low, high)})``; ``measures`` a
    list of ``(key, title)``.
    """
    if not rows:
        return ""
    from matplotlib.figure import Figure

    height = 1.0 + 0.3 * len(rows)
    label_in = min(5.0, 0.3 + 0.085 * max(len(r[0]) for r in rows))
    width = label_in + 3.3 * len(measures)
    fig = Figure(figsize=(width, height), dpi=DPI)
    fig.subplots_adjust(left=label_in / width, right=0.98, bottom=0.75 / height,
                        top=1 - 0.4 / height, wspace=0.12)
    axes = fig.subplots(1, len(measures), sharey=True, squeeze=False)[0]
    for ax in axes:
        ax.tick_params(labelsize=FONT)
        ax.title.set_size(FONT + 1)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    y = np.arange(len(rows))[::-1]
    for ax, (key, title) in zip(axes, measures):
        vals = []
        for yy, (_, d) in zip(y, rows):
            r, lo, hi = d.get(key, (np.nan, np.nan, np.nan))
            if not (np.isfinite(r) and r > 0):
                continue
            vals += [r] + [x for x in (lo, hi) if np.isfinite(x) and x > 0]
            if np.isfinite(lo) and np.isfinite(hi) and lo > 0:
                ax.errorbar([r], [yy], xerr=[[r - lo], [hi - r]], fmt="o", ms=5,
                            color=BLUE, capsize=3)
            else:
                ax.plot([r], [yy], "s", ms=5, color=GREY)
        ax.axvspan(0.8, 1.25, color=LIGHT, zorder=0)
        ax.axvline(1.0, color=GREY, lw=1)
        ratio_axis(ax, vals)
        ax.set_title(title)
        ax.set_yticks(y, [label(r[0]) for r in rows])
    axes[0].set_ylim(-0.6, len(rows) - 0.4)
    return tag(fig, "Ratios with 95% intervals by group; 1× means no difference")


def calibration(table: pd.DataFrame, flagged_range: Any) -> str:
    """Observed rate against predicted risk, with intervals, over the top risks."""
    fig, (ax,) = figure(3.4, width=5.2)
    t = table[table["observed_rate"].notna()]
    top = float(np.nanmax(np.r_[t["mean_predicted"], t.get("high", t["observed_rate"]),
                                0.01])) * 1.08
    lo_flag, hi_flag = flagged_range
    if np.isfinite(lo_flag):
        ax.axvspan(lo_flag, hi_flag, color=LIGHT, zorder=0, label="risks of flagged pupils")
    ax.plot([0, top], [0, top], color=GREY, lw=1, ls="--", label="predicted = observed")
    err = None
    if "low" in t:
        err = [t["observed_rate"] - t["low"], t["high"] - t["observed_rate"]]
    ax.errorbar(t["mean_predicted"], t["observed_rate"], yerr=err, fmt="o", ms=5,
                color=BLUE, capsize=3, label="observed (95% interval)")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("mean predicted risk")
    ax.set_ylabel("observed outcome rate")
    ax.legend(frameon=False, fontsize=FONT - 1, loc="upper left")
    return tag(fig, "Calibration over the highest risks, with 95% intervals")


def capacity_chart(overall: pd.DataFrame,
                   by_group: Sequence[tuple[str, pd.DataFrame]]) -> str:
    """Precision and recall (left) and amplification per group (right) by capacity."""
    fig, (a1, a2) = figure(3.4 + 0.22 * len(by_group), ncols=2)
    cap = overall["capacity"].to_numpy(float)
    a1.plot(cap, overall["precision"], "o-", color=BLUE, label="precision")
    a1.plot(cap, overall["recall"], "s-", color=RED, label="recall")
    a1.set_ylim(0, 1)
    a1.set_xlabel("capacity (share of pupils flagged)")
    a1.set_title("Precision and recall")
    a1.legend(frameon=False, fontsize=FONT)
    vals = []
    for name, sub in by_group:
        a2.plot(sub["capacity"].to_numpy(float), sub["amplification"].to_numpy(float),
                "o-", ms=4, label=label(name))
        vals += list(sub["amplification"].astype(float))
    a2.axhspan(0.8, 1.25, color=LIGHT, zorder=0)
    a2.axhline(1.0, color=GREY, lw=1)
    a2.set_title("Amplification (flags against outcomes)")
    a2.set_xlabel("capacity (share of pupils flagged)")
    finite = [v for v in vals if np.isfinite(v) and v > 0] or [1.0]
    a2.set_ylim(0, max(2.0, max(finite) * 1.1))
    if by_group:
        a2.legend(frameon=False, fontsize=FONT - 1, loc="upper center", ncol=1,
                  bbox_to_anchor=(0.5, -0.22))
    for ax in (a1, a2):
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    a1.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    return tag(fig, "Precision, recall and amplification by group as capacity varies")
