"""RESULTS.md and the scaling chart, from the JSON each benchmark job wrote."""

from __future__ import annotations

import math

from ._audit_report import audit_sections

STEP_ORDER = ("generate", "write_csv", "write_parquet", "load_csv", "load_parquet",
              "features", "fit", "screen", "explain", "save", "load_model")
STEP_TEXT = {
    "generate": "generate synthetic LA (and normalise its tables)",
    "write_csv": "write CSV", "write_parquet": "write Parquet",
    "load_csv": "load + validate CSV", "load_parquet": "load + validate Parquet",
    "features": "features at one census",
    "fit": "fit on two censuses",
    "screen": "screen (features, scores, reasons, audit)",
    "explain": "explain (`model_.explain`, whole cohort)",
    "save": "save model (skops)", "load_model": "load model",
}
GIB = 1024.0


def _num(x, digits=3):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float):
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        return f"{x:.{digits}g}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _secs(x):
    if x is None:
        return "–"
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def _table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _step(run, name):
    for s in run.get("steps", []):
        if s["step"] == name:
            return s
    return None


# --------------------------------------------------------------------------- targets
def _fairlearn_ratio(fl):
    """The speed ratio in whatever dict audit_vs_fairlearn returns (ours faster = > 1)."""
    if not isinstance(fl, dict):
        return None
    for key in ("speed_ratio", "speedup", "speed_up", "ratio"):
        if isinstance(fl.get(key), (int, float)):
            return float(fl[key])
    ours = next((fl[k] for k in ("audit_seconds", "ours_seconds", "seconds_audit")
                 if isinstance(fl.get(k), (int, float))), None)
    theirs = next((fl[k] for k in ("fairlearn_seconds", "seconds_fairlearn")
                   if isinstance(fl.get(k), (int, float))), None)
    if ours and theirs:
        return theirs / ours
    return None


def targets(runs: dict, peers: dict) -> list[dict]:
    """Each target with its measured value and whether it was met (None: not measured)."""
    out = []

    def add(name, measured, shown, ok, note=""):
        out.append({"target": name, "measured": measured, "shown": shown, "met": ok,
                    "note": note})

    big = runs.get(1_000_000)
    scr = _step(big, "screen") if big else None
    if scr:
        peak = scr["peak_mib"] / GIB
        load = _step(big, "load_parquet")
        add("1M-pupil LA screened end to end ≤ 60 s, peak memory ≤ 8 GB",
            scr["seconds"], f"{scr['seconds']:.1f} s, peak {peak:.2f} GiB",
            scr["seconds"] <= 60 and peak <= 8,
            f"screen() of {scr['cohort']:,} cohort pupils"
            + (f"; with loading Parquet first: {scr['seconds'] + load['seconds']:.1f} s, "
               f"peak {max(peak, load['peak_mib'] / GIB):.2f} GiB" if load else ""))
    else:
        add("1M-pupil LA screened end to end ≤ 60 s, peak memory ≤ 8 GB", None,
            "not measured", None, "1M size not run (or did not finish)")
    feat = _step(big, "features") if big else None
    add("features for 1M pupils ≤ 60 s", feat and feat["seconds"],
        f"{feat['seconds']:.1f} s" if feat else "not measured",
        (feat["seconds"] <= 60) if feat else None)
    mid = runs.get(100_000)
    s = _step(mid, "screen") if mid else None
    if s:
        add("100k-pupil LA screens ≥ 10,000 cohort pupils/s", s["cohort_pupils_per_s"],
            f"{s['cohort_pupils_per_s']:,.0f} pupils/s", s["cohort_pupils_per_s"] >= 10_000,
            f"{s['cohort']:,} cohort pupils in {s['seconds']:.2f} s")
    else:
        rates = [(n, _step(r, "screen")) for n, r in sorted(runs.items())]
        near = [f"{n:,} pupils: {st['cohort_pupils_per_s']:,.0f}/s" for n, st in rates if st]
        add("100k-pupil LA screens ≥ 10,000 cohort pupils/s", None, "not measured at 100k",
            None, "; ".join(near))
    sh = peers.get("shap")
    if isinstance(sh, dict) and "speed_ratio" in sh:
        add("explanations ≥ 50x faster than shap on the same model", sh["speed_ratio"],
            f"{sh['speed_ratio']:,.0f}x", sh["speed_ratio"] >= 50,
            f"vs shap {sh['shap_algorithm']} (model-agnostic); vs shap LinearExplainer on "
            f"the banded design: {sh['linear_speed_ratio']:.1f}x")
    else:
        add("explanations ≥ 50x faster than shap on the same model", None, "not measured",
            None)
    fl = peers.get("fairlearn")
    ratio = _fairlearn_ratio(fl)
    add("audit ≥ 10x faster than fairlearn's bootstrap", ratio,
        f"{ratio:,.1f}x" if ratio else "not measured", (ratio >= 10) if ratio else None,
        fl.get("skipped", "") if isinstance(fl, dict) else "")
    mods = peers.get("models")
    if isinstance(mods, dict) and "table" in mods:
        t = {r["model"]: r for r in mods["table"]}
        a, b = t["RiskScorecard"]["auc"], t["BoostedRiskModel"]["auc"]
        add("scorecard AUC ≥ boosting AUC − 0.01", a - b,
            f"{a:.3f} vs {b:.3f} ({a - b:+.3f})", a >= b - 0.01)
    else:
        add("scorecard AUC ≥ boosting AUC − 0.01", None, "not measured", None)
    return out


# --------------------------------------------------------------------------- markdown
def _mark(ok):
    return {True: "**met**", False: "**MISSED**", None: "not measured"}[ok]


def _steps_table(runs):
    sizes = sorted(runs)
    header = ["step"] + [f"{n:,} pupils: s / peak MiB (+MiB)" for n in sizes]
    rows = []
    for name in STEP_ORDER:
        cells = []
        for n in sizes:
            s = _step(runs[n], name)
            cells.append("–" if s is None else f"{_secs(s['seconds'])} / "
                         f"{s['peak_mib']:,.0f} (+{s['increase_mib']:,.0f})")
        if any(c != "–" for c in cells):
            rows.append([STEP_TEXT.get(name, name)] + cells)
    return _table(header, rows)


def _facts_table(runs):
    sizes = sorted(runs)
    rows = []

    def row(label, fn):
        vals = []
        for n in sizes:
            try:
                vals.append(fn(runs[n]))
            except (TypeError, KeyError):
                vals.append("–")
        rows.append([label] + vals)

    row("cohort screened (Years 5-7)", lambda r: f"{_step(r, 'screen')['cohort']:,}")
    row("training rows (two censuses)", lambda r: f"{_step(r, 'fit')['training_rows']:,}")
    row("scored pupils per second (cohort / screen time)",
        lambda r: f"{_step(r, 'screen')['cohort_pupils_per_s']:,.0f}")
    row("explanations per second (`explain` rows/s)",
        lambda r: f"{_step(r, 'explain')['rows_per_s']:,.0f}")
    row("explain sums to decision_function", lambda r: str(_step(r, "explain")["additive_check"]))
    row("CSV on disk (MiB)", lambda r: f"{_step(r, 'write_csv')['disk_mib']:,.1f}")
    row("Parquet on disk (MiB)", lambda r: f"{_step(r, 'write_parquet')['disk_mib']:,.1f}")
    row("saved model (KiB)", lambda r: f"{_step(r, 'save')['file_kib']:,.0f}")
    row("loaded model predicts identically",
        lambda r: str(_step(r, "load_model")["same_predictions"]))
    row("rows per table", lambda r: "; ".join(
        f"{k} {v:,}" for k, v in _step(r, "generate")["rows"].items()))
    return _table(["measure"] + [f"{n:,} pupils" for n in sizes], rows)


def _breakdown_table(runs):
    sizes = [n for n in sorted(runs) if f"screen_breakdown_{n}" in runs[n].get("sections", {})]
    if not sizes:
        return ""
    parts = list(runs[sizes[0]]["sections"][f"screen_breakdown_{sizes[0]}"])
    rows = []
    for p in parts:
        cells = []
        for n in sizes:
            b = runs[n]["sections"][f"screen_breakdown_{n}"]
            tot = sum(b.values())
            cells.append(f"{_secs(b[p])} ({100 * b[p] / tot:.0f}%)")
        rows.append([p] + cells)
    return _table(["part of screen (timed separately)"] + [f"{n:,} pupils: s (share)"
                                                          for n in sizes], rows)


def _shap_md(sh, size):
    if not isinstance(sh, dict) or "speed_ratio" not in sh:
        return "Not run." if sh is None else f"Failed or skipped: {sh}"
    return "\n".join([
        f"At {size:,} pupils: {sh['rows']:,} cohort rows, {sh['features']} features, "
        f"background of {sh['background_rows']} rows.",
        "",
        _table(["method", "rows", "seconds", "rows/s", "explain is faster by",
                "largest abs. difference (after centring)"], [
            ["`RiskScorecard.explain`", f"{sh['rows']:,}", _secs(sh["explain_seconds"]),
             f"{sh['explain_rows_per_s']:,.0f}", "–", "–"],
            [f"shap.Explainer → {sh['shap_algorithm']} (model-agnostic, raw features)",
             f"{sh['shap_rows']:,}", _secs(sh["shap_seconds"]), f"{sh['shap_rows_per_s']:,.1f}",
             f"{sh['speed_ratio']:,.0f}x (same {sh['shap_rows']} rows: "
             f"{sh['speed_ratio_same_rows']:,.0f}x)", f"{sh['max_abs_diff']:.2e}"],
            ["shap.LinearExplainer on the one-hot banded design (needs model internals)",
             f"{sh['rows']:,}", _secs(sh["linear_seconds"]), f"{sh['linear_rows_per_s']:,.0f}",
             f"{sh['linear_speed_ratio']:.1f}x", f"{sh['linear_max_abs_diff']:.2e}"],
        ]),
        "",
        "Why this is the fair comparison: the scorecard's score is additive, a sum of each "
        "feature's band points, so exact (interventional) SHAP values are each feature's "
        "points minus that feature's mean points over the background. `explain` returns the "
        "points themselves (they sum, with `intercept_`, to `decision_function`), so it is "
        "centred on the same background before comparing. "
        + ("The differences above are floating-point noise: the two agree exactly up to "
           "centring. " if max(sh["max_abs_diff"], sh["linear_max_abs_diff"]) < 1e-8 else
           "**The differences above are larger than floating-point noise: check.** ")
        + "The headline ratio "
        "is against what a user gets by handing shap the fitted scorecard "
        "(`shap.Explainer(model.decision_function, shap.maskers.Independent(background))`, "
        "which picks the permutation algorithm for more than 10 features; shap needs numbers, "
        "so categorical features are passed as category codes and decoded for the model). "
        f"Of shap's time, {100 * sh.get('shap_model_share', float('nan')):.0f}% is spent "
        f"in the model itself ({sh.get('shap_model_rows_per_row', float('nan')):,.0f} "
        "scored rows per explained row); the rest is shap's own work. The second shap "
        "route is shap's fastest exact one, but it only exists because the scorecard exposes "
        "its band encoding: it is shown for honesty, since it does what `explain` itself "
        "does (a product of the band indicators and their points). The speed ratio uses each "
        "method's throughput (rows/s); shap's is constant per row, so explaining fewer rows "
        "with shap does not flatter either side.",
    ])


def _fairlearn_md(fl):
    if not isinstance(fl, dict):
        return "Not run."
    if "skipped" in fl:
        return f"Skipped: {fl['skipped']}."
    if {"ours_seconds", "fairlearn_seconds", "speedup"} <= set(fl):
        measured = fl.get("fairlearn_seconds_measured")
        k = fl.get("fairlearn_n_boot_measured")
        how = (f"extrapolated linearly from {k} measured resamples ({measured:.1f} s) and "
               f"the run without bootstrap ({fl.get('fairlearn_seconds_no_boot', 0):.2f} s)"
               if fl.get("fairlearn_extrapolated") else "measured")
        return "\n".join([
            f"`compare_with_fairlearn(n={fl['n']:,}, n_attrs={fl['n_attrs']}, "
            f"n_boot={fl['n_boot']})` from `benchmarks/audit_vs_fairlearn.py`: the same "
            "cohort, flags and outcomes on both sides; per-group flag, outcome and error "
            "rates with bootstrap intervals, one fairlearn `MetricFrame` per attribute.",
            "",
            _table(["", "seconds", "note"], [
                ["`audits.audit`", f"{fl['ours_seconds']:.2f}", "best of repeats"],
                ["fairlearn MetricFrame bootstrap", f"{fl['fairlearn_seconds']:.1f}", how],
            ]),
            "",
            f"Speed ratio: **{fl['speedup']:,.1f}x**. Largest absolute difference of the "
            f"point rates (flag, outcome, TPR, FPR, FNR of every group): "
            f"{fl.get('max_abs_rate_difference', float('nan')):.2e}.",
        ])
    rows = [[k, _num(v) if isinstance(v, (int, float)) else str(v)] for k, v in fl.items()
            if not isinstance(v, (dict, list))]
    text = _table(["quantity", "value"], rows)
    nested = [f"- `{k}`: {v}" for k, v in fl.items() if isinstance(v, (dict, list))]
    return text + ("\n\n" + "\n".join(nested) if nested else "")


def _models_md(mods):
    if not isinstance(mods, dict) or "table" not in mods:
        return f"Not run ({mods})." if mods else "Not run."
    rows = [[r["model"], _num(r["auc"]), _num(r["average_precision"]),
             _num(r["precision_at_5pct"]), _num(r["calibration_error"], 2),
             _secs(r["fit_seconds"]) if not math.isnan(r["fit_seconds"]) else "–"]
            for r in mods["table"]]
    n = mods["table"][0]
    return "\n".join([
        f"Trained on the censuses {', '.join(mods['train'])}; tested on {mods['test']} "
        f"({n['n_test']:,} pupils, outcome rate {n['base_rate']:.3f}). Flags at 5% capacity.",
        "",
        _table(["model", "AUC", "average precision", "precision at 5%", "calibration error",
                "fit (s)"], rows),
        "",
        "All models go through the same `Screener` (same features, labels, flags). The "
        "logistic regression is a plain scikit-learn pipeline: median imputation with "
        "missing indicators and scaling for numeric and yes/no features, one-hot encoding "
        "for categorical ones, `LogisticRegression(max_iter=2000)`. The oracle is the "
        "generator's true probability (`la.true_risk`), the ceiling any model can reach.",
    ] + [f"\n**Note:** {x}" for x in mods.get("notes", [])])


def _real_md(rd):
    if not isinstance(rd, dict):
        return "Not run."
    if "skipped" in rd:
        return f"Skipped: {rd['skipped']}."
    cols = rd["columns"]
    rows = [[_num(r.get(c)) if isinstance(r.get(c), (int, float)) else str(r.get(c))
             for c in cols] for r in rd["table"]]
    return _table(cols, rows) + f"\n\n(`evaluate_real_datasets()` took {rd['seconds']:.0f} s.)"


def _dask_md(dk):
    if not isinstance(dk, dict):
        return "Not run."
    if "skipped" in dk:
        return f"Skipped: {dk['skipped']}"
    rows = [["sequential (n_jobs=1)", _secs(dk["sequential_seconds"]), "–"],
            [f"joblib loky, n_jobs={dk['n_jobs']}", _secs(dk.get("loky_seconds")),
             str(dk["same_metrics_loky"]) if "loky_seconds" in dk else "not run (--quick)"],
            [f"joblib dask, LocalCluster of {dk.get('dask_workers', dk['n_jobs'])} worker "
             f"processes", _secs(dk["dask_seconds"]), str(dk["same_metrics_dask"])]]
    return "\n".join([
        f"`Screener.backtest` over {len(dk['censuses'])} censuses ({dk['folds']} test "
        f"folds, each a fit and an evaluation) at {dk['pupils']:,} pupils. dask "
        f"{dk['dask']}, distributed {dk['distributed']}, joblib {dk['joblib']}. Cluster "
        f"start-up: {dk['cluster_start_seconds']:.1f} s (not included below). "
        f"Tasks logged by the dask workers: {dk.get('dask_tasks_seen')}.",
        "",
        _table(["backend", "seconds", "same metrics as sequential"], rows),
        "",
        "The code is the same in all three rows; only the `joblib.parallel_config` around "
        "it changes. This machine has few cores, so the point is that the work really runs "
        "on the dask workers and gives identical results, not the speed-up; on a cluster "
        "the same call spreads the folds over every worker.",
    ])


def write_results(path, *, runs, peers, peer_size, dask, facts, command, notes=()):
    """Write RESULTS.md. ``runs`` maps pupils -> worker JSON dict."""
    tg = targets(runs, peers)
    pk = facts["packages"]
    lines = [
        "# Benchmarks: how fast, how big, how good, against the peers",
        "",
        f"Run on {facts['date_utc']} with `{command}`"
        + (f" at commit {facts['git']}" if facts.get("git") else "") + ".",
        "",
    ] + (["**Quick mode (`--quick`): smoke-test settings with smaller peers; these numbers "
           "are not for the record.**", ""] if "--quick" in command else []) + [
        "## Machine and software",
        "",
        f"- CPU: {facts['cpu']}, {facts['cores']} cores; RAM {facts['ram_gib']:.1f} GiB; "
        f"OS: {facts['os']}",
        "- Load average at the end of the run (1/5/15 min): "
        + (", ".join(f"{x:.2f}" for x in facts["load_average"]) if facts["load_average"]
           else "–"),
        f"- {facts['python']}; " + ", ".join(f"{k} {v}" for k, v in pk.items()),
    ] + ([
        "- Jobs (each in its own process, one at a time except with --quick) and the "
        "1-minute load average before and after each, a sign of other work on the machine: "
        + "; ".join(f"{j['job']} from {j['started_utc']} UTC, {j['seconds'] / 60:.1f} min, "
                    f"load {j['load_before']:.1f} → {j['load_after']:.1f}"
                    for j in facts.get("jobs", []))
    ] if facts.get("jobs") else []) + [
        "",
        "## Targets",
        "",
        _table(["target", "measured", "result", "note"],
               [[t["target"], t["shown"], _mark(t["met"]), t["note"]] for t in tg]),
        "",
        "## Time and peak memory per step",
        "",
        "Each size runs in a fresh process. Peak memory is the largest resident set size "
        "(RSS) of the process during the step, sampled every 5 ms from `/proc/self/status` "
        "by a background thread and checked against the kernel's high-water mark (reset at "
        "the start of each step); `+MiB` is the step's peak minus the RSS when it started. "
        "Census dates: fit on the two latest complete censuses, screen (and build features "
        "for) the latest census, whose outcome window is still open. Loading includes "
        "validating and normalising every table. Steps after loading use the records loaded "
        "from Parquet; the generator's own copy of the records is dropped after writing "
        "(except at the size where the peers are compared, which need it), so memory from "
        "loading on is what a user who loads the files would see.",
        "",
        _steps_table(runs),
        "",
        _facts_table(runs),
        "",
        _breakdown_table(runs),
        "",
        "![time per step against pupils](scaling.png)",
        "",
        "## Explanations: `explain` against shap on the same model",
        "",
        _shap_md(peers.get("shap"), peer_size),
        "",
        "## Audit against fairlearn's MetricFrame bootstrap",
        "",
        _fairlearn_md(peers.get("fairlearn")),
        "",
        *audit_sections(),
        "",
        "## How good: scorecard against boosting, logistic regression and the oracle",
        "",
        f"At {peer_size:,} pupils.",
        "",
        _models_md(peers.get("models")),
        "",
        "## Real public data",
        "",
        _real_md(peers.get("real_data")),
        "",
        "## Scaling past one machine: joblib on loky and on dask",
        "",
        _dask_md(dask),
        "",
    ]
    errors = [f"- {n:,} pupils, {e['where']}: {e['error']}" for n, r in sorted(runs.items())
              for e in r.get("errors", [])]
    errors += [f"- {e}" for e in notes]
    if errors:
        lines += ["## Errors and incomplete parts", ""] + errors + [""]
    path.write_text("\n".join(lines))
    return tg


def scaling_chart(path, runs):
    """Log-log chart of seconds per step (and peak memory) against pupils."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(runs)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(13, 5.5))
    colours = plt.get_cmap("tab20").colors
    markers = "os^vD<>pPX*"
    for i, name in enumerate(STEP_ORDER):
        pts = [(n, _step(runs[n], name)) for n in sizes]
        pts = [(n, s) for n, s in pts if s]
        if not pts:
            continue
        xs = [n for n, _ in pts]
        style = dict(marker=markers[i % len(markers)], color=colours[(2 * i) % 20],
                     label=name, lw=2 if name in ("screen", "features") else 1.2)
        ax.plot(xs, [max(s["seconds"], 1e-3) for _, s in pts], **style)
        ax2.plot(xs, [s["peak_mib"] / GIB for _, s in pts], **style)
    if len(sizes) > 1:  # a guide: time proportional to pupils
        lo, hi = sizes[0], sizes[-1]
        ax.plot([lo, hi], [0.5, 0.5 * hi / lo], color="black", ls=":", lw=1,
                label="slope 1 (linear)")
    for a in (ax, ax2):
        a.set_xscale("log")
        a.set_yscale("log")
        a.set_xlabel("pupils in the local authority")
        a.grid(True, which="both", alpha=0.3)
    ax.set_ylabel("wall time (s)")
    ax.set_title("Time per step")
    ax.axhline(60, color="grey", ls="--", lw=1)
    ax.annotate("60 s target", (sizes[0], 60), va="bottom", fontsize=8, color="grey")
    ax2.set_ylabel("peak RSS during step (GiB)")
    ax2.set_title("Peak memory per step")
    ax2.axhline(8, color="grey", ls="--", lw=1)
    ax2.annotate("8 GB target", (sizes[0], 8), va="bottom", fontsize=8, color="grey")
    ax.legend(fontsize=7, ncol=2, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
