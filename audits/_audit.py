"""The :func:`audit` function: disproportionality audit of flags or scores."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _messages as msg
from . import _tally as tally
from ._calibration import reliability
from ._concentration import concentration
from ._findings import BAND, comparisons, findings, test_names, with_sentences
from ._inputs import UNKNOWN, binary, column, encode, flags_from_score, groupings, numeric
from ._layout import CellTables, linked_masks
from ._pvalues import METHOD
from ._recent import recent_counts
from ._report import FRAME_COLUMNS, AuditReport
from ._stats import auc, cell_counts, rank_sums
from ._suppress import masks
from ._table import DIFFS, RATIOS, REF_COHORT, block
from ._typing import Capacity, Column, Groups, Nested, Reference, Seed

if TYPE_CHECKING:
    from ._inputs import Grouping

_INT_COLUMNS = ("n", "n_flagged", "n_outcome")
REFERENCE_RULES = ("largest", "lowest", "cohort")


def _check_params(frame, min_cell, n_boot, ci):
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(msg._FRAME_TYPE.format(type(frame).__name__))
    if len(frame) == 0:
        raise ValueError(msg._EMPTY_FRAME)
    if isinstance(min_cell, bool) or not isinstance(min_cell, numbers.Integral) or min_cell < 0:
        raise ValueError(msg._MIN_CELL.format(min_cell))
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 0:
        raise ValueError(msg._N_BOOT.format(n_boot))
    if isinstance(ci, bool) or not isinstance(ci, numbers.Real) or not 0 < float(ci) < 1:
        raise ValueError(msg._CI.format(ci))


def _check_band(band):
    try:
        lo, hi = (float(x) for x in band)
    except (TypeError, ValueError):
        raise ValueError(msg._BAND.format(band)) from None
    if not 0 < lo < 1 < hi:
        raise ValueError(msg._BAND.format(band))
    return lo, hi


def _rng(random_state: Seed) -> np.random.Generator:
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    return np.random.default_rng(random_state)


def _references(groups: list[Grouping], reference: Reference | None,
                counts: dict[str, np.ndarray], flag_rate_ok: dict[str, Any]) -> dict[str, int]:
    """Reference per attribute: a group index, or ``REF_COHORT``.

    ``reference`` is a rule (``"largest"``, ``"lowest"``, ``"cohort"``) or a dict of
    explicit groups; attributes the dict leaves out use the largest known group.
    """
    rule = "largest"
    if isinstance(reference, str):
        if reference not in REFERENCE_RULES:
            raise ValueError(msg._REFERENCE_RULE.format(reference))
        rule, reference = reference, {}
    elif reference is not None and not isinstance(reference, dict):
        raise TypeError(msg._REFERENCE_TYPE.format(reference))
    reference = dict(reference or {})
    names = [g.name for g in groups]
    for key in reference:
        if key not in names:
            raise KeyError(msg._REFERENCE_ATTRIBUTE.format(key, names))
    out = {}
    for g in groups:
        n = counts[g.name]
        known = np.array([lab != UNKNOWN for lab in g.labels]) & (n > 0)
        if g.name in reference:
            want = reference[g.name]
            if isinstance(want, tuple):
                want = " × ".join(map(str, want))
            want = str(want)
            if want not in g.labels or n[g.labels.index(want)] == 0:
                present = [lab for lab, c in zip(g.labels, n) if c > 0]
                raise ValueError(msg._REFERENCE_GROUP.format(g.name, want, present))
            out[g.name] = g.labels.index(want)
        elif rule == "cohort":
            out[g.name] = REF_COHORT
        elif rule == "lowest" and (known & flag_rate_ok[g.name][0]).any():
            rates = np.where(known & flag_rate_ok[g.name][0], flag_rate_ok[g.name][1], np.inf)
            low = rates.min()
            ties = np.nonzero(rates == low)[0]
            out[g.name] = int(ties[np.argmax(n[ties])])
        else:
            key = np.where(known, n, -1)  # prefer known groups
            out[g.name] = int(np.argmax(key)) if key.max() > 0 else int(np.argmax(n))
    return out


def _take_labels(labels: Sequence[Any], codes: np.ndarray) -> list:
    """``[labels[c] for c in codes]``, by one take on an object array."""
    lut = np.empty(len(labels), dtype=object)
    lut[:] = list(labels)
    return lut[np.asarray(codes, dtype=np.intp)].tolist()


def _joined_names(names: Sequence[str], stack: np.ndarray) -> list[str]:
    """Per row of the boolean ``stack``, the ``names`` of its true columns joined by ",".

    Rows repeat a few patterns (a breakdown by school has one row per school and
    group), so each distinct pattern is joined once.
    """
    if stack.shape[0] == 0:
        return []
    packed = np.packbits(stack, axis=1)  # each row's pattern as bytes: one key per row
    key = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    joined = [",".join(names[int(j)] for j in np.nonzero(stack[i])[0]) for i in first]
    return _take_labels(joined, inverse.ravel())


def _frame(cols: dict[str, Any], notes: np.ndarray, labels: Sequence[str],
           k_index: Sequence[str] | None, extra: dict[str, Any]) -> pd.DataFrame:
    """Rows of one block (all groups within the control values listed in k_index)."""
    K, G = notes.shape
    kk, gg = np.meshgrid(np.arange(K), np.arange(G), indexing="ij")
    kk, gg = kk.ravel(), gg.ravel()
    data = dict(extra)
    data["group"] = _take_labels(labels, gg)
    for name in FRAME_COLUMNS:
        if name in ("attribute", "group", "note") or name in extra:
            continue
        data[name] = cols[name][kk, gg] if name in cols else np.nan
    for name in RATIOS:
        for suffix in ("_p", "_pboot", "_m"):
            data[name + suffix] = cols[name + suffix][kk, gg]
    data["note"] = notes[kk, gg]
    gone = cols["_suppressed_columns"]
    names = list(gone)
    stack = np.stack([np.broadcast_to(gone[c], notes.shape)[kk, gg] for c in names], axis=1)
    data["_suppressed_columns"] = _joined_names(names, stack)
    df = pd.DataFrame(data)
    if k_index is not None:
        df.insert(1, "control_value", _take_labels(k_index, kk))
    for name in _INT_COLUMNS:
        df[name] = pd.array(np.round(df[name].astype(float)),  # type: ignore[call-overload]
                            dtype="Int64")  # pandas-stubs: no float array to "Int64"
    df["suppressed"] = df["suppressed"].astype(bool)
    df["reference"] = df["reference"].astype(bool)
    return df


def _pooled_rows(df, pooled, min_cell, key_cols=("attribute",)):
    """Blank the rows of pooled Unknown groups and say where their pupils are counted."""
    if not pooled:
        return df
    df = df.copy()
    blank = [c for c in df.columns if c not in (*key_cols, "control", "control_value",
                                                  "group", "reference", "suppressed", "note",
                                                  "_suppressed_columns")]
    for attr, (unknown, into) in pooled.items():
        rows = (df["attribute"] == attr) & (df["group"] == unknown)
        df.loc[rows, blank] = np.nan
        df.loc[rows, "suppressed"] = True
        df.loc[rows, "note"] = msg.NOTE_POOLED.format(min_cell, into)
        df.loc[rows, "_suppressed_columns"] = ",".join(c for c in blank if c in FRAME_COLUMNS)
        tgt = (df["attribute"] == attr) & (df["group"] == into)
        extra = msg.NOTE_POOLED_INTO.format(attr, min_cell)
        df.loc[tgt, "note"] = [f"{t}; {extra}" if t else extra for t in df.loc[tgt, "note"]]
    return df


def audit(frame: pd.DataFrame, *, groups: Groups, flag: Column | None = None,
          score: Column | None = None, outcome: Column | None = None,
          reference: Reference | None = None, min_cell: int = 10, n_boot: int = 1000,
          random_state: Seed = None, intersections: Sequence[tuple[str, ...]] | None = None,
          controls: str | Sequence[str] | None = None, capacity: Capacity | None = None,
          threshold: float | None = None, tiebreak: Column | None = None, ci: float = 0.95,
          control_n_boot: int | None = None, nested: Nested | None = None,
          pool_unknown: bool = True, band: tuple[float, float] = BAND, unit: str = "pupils",
          tests: Sequence[str] | None = None, recent: pd.DataFrame | None = None,
          recent_outcome: Column | None = None, recent_label: str | None = None,
          adjust: Sequence[str] | None = None) -> AuditReport:
    """Audit flags (or scores) for disproportionality between groups.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per pupil (or any unit).
    groups : str, list of str / named Series, or DataFrame
        Group columns to audit (e.g. ``["sex", "fsm"]``). Missing values form
        an explicit ``"Unknown"`` group. Group labels are shown as strings.
    flag, score, outcome : str or array-like, optional
        Column names in ``frame``, or arrays / Series aligned with it (a
        Series must share ``frame.index``). ``flag`` and ``outcome`` are 0/1
        or boolean; ``score`` is numeric. One of ``flag`` / ``score`` is
        required; with only ``score``, flags come from ``capacity`` or
        ``threshold``.
    reference : {"largest", "lowest", "cohort"} or dict, optional
        What each group is compared with. ``"largest"`` (default): each attribute's
        largest group other than ``"Unknown"``; ``"lowest"``: its group with the
        lowest flag rate (among groups whose flag counts are shown); ``"cohort"``: the
        whole cohort (tests then compare the group with everyone else); a dict names
        the group per attribute, e.g. ``{"sex": "F"}`` (others: largest).
    min_cell : int, default=10
        Suppression threshold: no count between 1 and ``min_cell - 1`` is
        shown or derivable from anything the report publishes (see
        ``screening.audits._linked``). 0 or 1 disables.
    n_boot : int, default=1000
        Stratified bootstrap resamples (within groups) for the intervals;
        0 skips intervals. p-values do not use the bootstrap.
    random_state : int, numpy Generator or None
        Seed for the bootstrap.
    intersections : list of tuple of str, optional
        E.g. ``[("sex", "fsm")]``, audited as attribute ``"sex × fsm"`` with
        groups like ``"F × True"``.
    controls : str or list of str, optional
        Columns (e.g. ``"year_group"``, ``"school"``) to break the table down
        by, never aggregated over; also used for ``AuditReport.concentration``.
    capacity : float or int, optional
        With only ``score``: flag this fraction (0 < c < 1, rounded down to
        whole rows) or number of rows with the highest scores, by the same rule
        as the Screener (:func:`flag_top`): ties in score go to the smaller
        ``tiebreak`` value, then to the earlier row.
    threshold : float, optional
        With only ``score``: flag rows with ``score >= threshold``.
    tiebreak : str or array-like, optional
        With ``capacity``: a column (or values aligned with ``frame``) that
        breaks ties in score, ascending; e.g. ``"upn"`` to reproduce a screen's
        flags from its ``scores.csv``.
    ci : float, default=0.95
        Coverage of the percentile bootstrap intervals.
    control_n_boot : int, optional
        Resamples for the intervals of the breakdowns by ``controls``; default
        ``n_boot``. ``0`` (rates and ratios without intervals) saves time on large
        cohorts.
    nested : dict or list of pairs, optional
        Attributes whose groups lie inside another's, e.g.
        ``{"ethnicity": "ethnicity_major"}``. Nesting present in the data is found
        anyway; declaring it also checks it. Nested tables are suppressed together.
    pool_unknown : bool, default=True
        Count an ``"Unknown"`` group of 1 to ``min_cell - 1`` pupils with its
        attribute's largest group (the row says so and shows no counts), so that a
        handful of missing values does not force hiding a real group.
    band : (float, float), default=(0.8, 1.25)
        Ratios inside this band are not reported as findings (the four-fifths rule,
        both ways).
    unit : str, default="pupils"
        Plural noun for the rows, used in sentences (``"defendants"``, ``"students"``).
    tests : list of str, optional
        Ratios that are tested (p-values, Holm across all of them) and can become
        findings. Default: ``flag_ratio``, and ``amplification`` /
        ``recent_amplification`` when outcomes are known. Any of the ratio columns
        may be added, e.g. ``"fpr_ratio"``.
    recent, recent_outcome, recent_label : optional
        A recent cohort (DataFrame with the same group columns), the name of its 0/1
        outcome column, and a label saying which cohort it is (e.g. ``"census
        2023-10-05"``). Adds ``recent_base_rate``, ``recent_base_ratio`` (the
        group's outcome ratio in that cohort) and ``recent_amplification`` (flag
        ratio now over that outcome ratio, with intervals): are flags in proportion
        to recent outcomes, or more?
    adjust : list of str, optional
        Covariates (columns of ``frame``) for :func:`adjusted_ratios`; the report's
        ``AuditReport.adjusted`` then holds odds and risk ratios of being
        flagged (and of the outcome) controlling for them.

    Returns
    -------
    AuditReport

    See Also
    --------
    adjusted_ratios : disproportionality after controlling for covariates.
    metric_frame : any scikit-learn metric per group, with suppression and intervals.
    fairlearn.metrics.MetricFrame : the per-group rates agree with it exactly.

    Notes
    -----
    ``flag_ratio`` is a group's flag rate over the reference's; ``flag_ratio_overall``
    over the whole cohort's; ``base_ratio`` the same for the outcome rate;
    ``amplification = flag_ratio / base_ratio`` (above 1: flags fall on the group more
    than its outcome rate explains); ``fpr_ratio`` etc. compare error rates, and each
    ``*_diff`` is the group's rate minus the reference's. Intervals are percentile
    intervals of a stratified bootstrap (each group's cell counts drawn from a
    multinomial, all resamples at once). p-values come from tests on the counts
    (``screening.audits._pvalues``), so their precision does not depend on ``n_boot``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sex": ["F", "M"] * 20, "flagged": [1, 0, 1, 1] * 10})
    >>> rep = audit(df, groups="sex", flag="flagged", n_boot=200, random_state=0)
    >>> rep.to_frame()[["group", "n", "n_flagged", "flag_rate", "flag_ratio"]]
      group   n  n_flagged  flag_rate  flag_ratio
    0     F  20         20        1.0         1.0
    1     M  20         10        0.5         0.5
    >>> float(rep.comparisons.loc[0, "p"]) < 0.001
    True
    """
    _check_params(frame, min_cell, n_boot, ci)
    if control_n_boot is not None:
        _check_params(frame, min_cell, control_n_boot, ci)
    band = _check_band(band)
    if not isinstance(unit, str) or not unit.strip():
        raise ValueError(msg._UNIT.format(unit))
    min_cell = int(min_cell)
    attrs, nesting, pooled = groupings(frame, groups, intersections, min_cell=min_cell,
                                       nested=nested, pool_unknown=pool_unknown)
    score_arr = None if score is None else numeric(column(frame, score, "score"), "score")
    out_arr = None if outcome is None else binary(column(frame, outcome, "outcome"), "outcome")
    if flag is not None:
        if capacity is not None or threshold is not None:
            rule = "capacity" if capacity is not None else "threshold"
            raise ValueError(msg._FLAG_AND_RULE.format(rule))
        flag_arr = binary(column(frame, flag, "flag"), "flag")
    elif score_arr is not None:
        tie_arr = None if tiebreak is None else np.asarray(column(frame, tiebreak, "tiebreak"))
        flag_arr = flags_from_score(score_arr, capacity=capacity, threshold=threshold,
                                    tiebreak=tie_arr)
    else:
        raise ValueError(msg._NEED_FLAG_OR_SCORE)
    if isinstance(controls, str):
        controls = [controls]
    if controls is not None and not all(isinstance(c, str) for c in controls):
        raise TypeError(msg._CONTROL_SPEC.format(controls))
    has_out = out_arr is not None
    rec = None
    if recent is not None:
        rec = recent_counts(recent, recent_outcome, attrs, pooled)
    tested = test_names(tests, has_out, rec is not None)
    rng = _rng(random_state)

    # cell counts: everything below is computed from these ------------------------
    nc = 4 if has_out else 2
    main = {g.name: cell_counts(g.codes, len(g.labels), flag_arr, out_arr) for g in attrs}
    cgs = [encode(column(frame, cname, "controls"), cname) for cname in controls or ()]
    ctrl = {}
    for cg in cgs:
        for g in attrs:
            G = len(g.labels)
            ctrl[(cg.name, g.name)] = cell_counts(cg.codes * G + g.codes, len(cg.labels) * G,
                                                  flag_arr, out_arr).reshape(
                len(cg.labels), G, nc)
    tables = CellTables(attrs=attrs, main=main, controls=cgs, ctrl=ctrl, nesting=nesting,
                        has_outcome=has_out)
    hide = linked_masks(tables, min_cell)

    counts = {g.name: main[g.name].sum(-1) for g in attrs}
    rate_ok = {}
    for g in attrs:
        nf = main[g.name][:, 0] + (main[g.name][:, 1] if has_out else 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate_ok[g.name] = (~hide["main"][g.name]["flag"], nf / counts[g.name])
    refs = _references(attrs, reference, counts, rate_ok)
    kw = dict(n_boot=int(n_boot), ci=float(ci), rng=rng, min_cell=min_cell)

    parts, overall, hidden = [], None, {}
    for g in attrs:
        G = len(g.labels)
        ssum = rsum = None
        if score_arr is not None:
            ssum = np.bincount(g.codes, weights=score_arr, minlength=G)[None]
            if out_arr is not None:
                rsum = rank_sums(g.codes, G, score_arr, out_arr)[None]
        recent_arg = rhide = None
        if rec is not None:
            rc = rec["counts"][g.name][None]
            rm = masks({"n": rc.sum(-1), "n_flagged": rc[..., 0]}, min_cell)
            recent_arg, rhide = (rc,), rm["row"] | rm["flag"]
        cols, tot, notes = block(main[g.name][None], np.array([refs[g.name]]),
                                 {k: v[None] for k, v in hide["main"][g.name].items()},
                                 score_sum=ssum, rank_sum=rsum, recent=recent_arg,
                                 recent_hide=rhide, total_hide=hide["total"], **kw)
        parts.append(_frame(cols, notes, g.labels, None, {"attribute": g.name}))
        hm = hide["main"][g.name]
        hidden[g.name] = hm["row"] | hm["outcome"]
        if overall is None:
            overall = pd.Series({k: float(v[0]) for k, v in tot.items()}, name="overall")
    assert overall is not None  # groupings() refuses an audit without groups
    by_group = _pooled_rows(pd.concat(parts, ignore_index=True), pooled, min_cell)
    if score_arr is not None and out_arr is not None and not hide["total"]["outcome"]:
        whole = rank_sums(np.zeros(len(frame), np.int64), 1, score_arr, out_arr)
        npos = float(out_arr.sum())
        overall["auc"] = float(auc(whole, np.array([npos]), np.array([len(frame) - npos]))[0])
        overall["calibration_gap"] = float(score_arr.mean() - out_arr.mean())
    references = {g.name: ("whole cohort" if refs[g.name] == REF_COHORT
                           else g.labels[refs[g.name]]) for g in attrs}
    comp = comparisons(by_group, references, tested, band=band, ci=float(ci))

    if score_arr is not None and out_arr is not None:
        calib = reliability(attrs, score_arr, out_arr, hidden, min_cell)
    else:
        calib = reliability([], np.zeros(0), np.zeros(0, bool), {}, min_cell)

    ctrl_parts, conc_parts = [], []
    ctrl_kw = dict(kw, n_boot=int(n_boot if control_n_boot is None else control_n_boot))
    for cg in cgs:
        K = len(cg.labels)
        for g in attrs:
            G = len(g.labels)
            codes = cg.codes * G + g.codes
            ssum = rsum = None
            if score_arr is not None:
                ssum = np.bincount(codes, weights=score_arr, minlength=K * G).reshape(K, G)
                if out_arr is not None:
                    rsum = rank_sums(codes, K * G, score_arr, out_arr).reshape(K, G)
            cols, _, notes = block(ctrl[(cg.name, g.name)], np.full(K, refs[g.name]),
                                   hide["ctrl"][(cg.name, g.name)], score_sum=ssum,
                                   rank_sum=rsum, cohort_rows=True, **ctrl_kw)
            df = _frame(cols, notes, g.labels, cg.labels, {"attribute": g.name})
            df.insert(0, "control", cg.name)
            df = df[df["n"].isna() | (df["n"] > 0)]
            ctrl_parts.append(df[["control", "control_value"] + FRAME_COLUMNS
                                 + ["_suppressed_columns"]])
        measures = {"flags": flag_arr}
        if out_arr is not None:
            measures["outcomes"] = out_arr
        ch = {(m, f): v for (c, m, f), v in hide["concentration"].items() if c == cg.name}
        uk = {"flags": hide["units_known"].get((cg.name, "flag"), True),
              "outcomes": hide["units_known"].get((cg.name, "outcome"), True)}
        conc_parts.append(concentration(cg.codes, cg.labels, cg.name, measures, min_cell,
                                        hide=ch, units_known=uk))
    by_control = (pd.concat(ctrl_parts, ignore_index=True) if ctrl_parts
                  else pd.DataFrame(columns=["control", "control_value"] + FRAME_COLUMNS))
    conc = pd.concat(conc_parts, ignore_index=True) if conc_parts else pd.DataFrame(
        columns=["control", "measure", "total"])

    adjusted = None
    if adjust is not None:
        from ._adjusted import adjusted_section

        adjusted = adjusted_section(frame, attrs, flag_arr, out_arr, adjust, refs,
                                    min_cell=min_cell, hidden=hide["main"],
                                    recent=recent, recent_outcome=recent_outcome)

    params = {
        "n_rows": len(frame), "n_boot": int(n_boot), "ci": float(ci), "min_cell": min_cell,
        "random_state": random_state if isinstance(random_state, (int, type(None))) else "given",
        "flag_source": "flag" if flag is not None else (
            "capacity" if capacity is not None else "threshold"),
        "capacity": capacity, "threshold": threshold,
        "tie_rule": ("score descending, then tiebreak ascending, then row order"
                     if tiebreak is not None else "score descending, then row order"),
        "has_score": score_arr is not None, "has_outcome": has_out,
        "controls": list(controls or ()), "interval": "percentile, stratified bootstrap",
        "p_value_method": METHOD, "tests": list(tested),
        "control_n_boot": int(n_boot if control_n_boot is None else control_n_boot),
        "band": list(band), "unit": unit,
        "reference_rule": reference if isinstance(reference, str) else (
            "explicit" if reference else "largest"),
        "nesting": [[f, c] for f, c, _ in nesting],
        "pooled_unknown": {a: into for a, (_, into) in pooled.items()},
        "has_recent": rec is not None,
        "recent_label": None if rec is None else (recent_label or "recent cohort"),
        "recent_n_rows": None if rec is None else rec["n_rows"],
        "recent_unmatched": None if rec is None else {
            a: (v if v >= min_cell else f"fewer than {min_cell}")
            for a, v in rec["unmatched"].items()},
        "adjusted_for": None if adjust is None else list(adjust),
        "suppression": "linked across every table of the report (see audits._linked)",
    }
    counted = tally.build(
        frame, groups=groups, intersections=intersections, controls=controls, adjust=adjust,
        flag=flag_arr, outcome=out_arr, score=score_arr, recent=recent,
        recent_outcome=recent_outcome, settings={
            "has_outcome": has_out, "has_score": score_arr is not None,
            "has_recent": rec is not None, "reference": reference, "min_cell": min_cell,
            "n_boot": int(n_boot), "random_state": random_state,
            "intersections": [tuple(x) for x in intersections or ()],
            "controls": list(controls or ()), "ci": float(ci),
            "control_n_boot": None if control_n_boot is None else int(control_n_boot),
            "nested": nested, "pool_unknown": bool(pool_unknown), "band": list(band),
            "unit": unit, "tests": None if tests is None else list(
                [tests] if isinstance(tests, str) else tests),
            "recent_label": params["recent_label"],
            "adjust": None if adjust is None else list(adjust),
            "flag_rule": {k: params[k] for k in ("flag_source", "capacity", "threshold",
                                                  "tie_rule")},
        })
    return AuditReport(
        by_group=by_group, overall=overall, calibration=calib, by_control=by_control,
        concentration=conc, comparisons=with_sentences(comp, float(ci), unit),
        findings=findings(comp, float(ci), unit, band),
        references=references, params=params, adjusted=adjusted, cells=tables,
        tally=counted,
    )


__all__ = ["audit", "DIFFS"]
