"""The :func:`audit` function: disproportionality audit of flags or scores."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from . import _messages as msg
from ._calibration import reliability
from ._concentration import concentration
from ._findings import comparisons, findings, with_sentences
from ._inputs import UNKNOWN, binary, column, encode, flags_from_score, groupings, numeric
from ._report import FRAME_COLUMNS, AuditReport
from ._table import RATIOS, block

_INT_COLUMNS = ("n", "n_flagged", "n_outcome")


def _check_params(frame, min_cell, n_boot, ci):
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(msg._FRAME_TYPE.format(type(frame).__name__))
    if len(frame) == 0:
        raise ValueError(msg._EMPTY_FRAME)
    if isinstance(min_cell, bool) or not isinstance(min_cell, numbers.Integral) or min_cell < 0:
        raise ValueError(msg._MIN_CELL.format(min_cell))
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 0:
        raise ValueError(msg._N_BOOT.format(n_boot))
    if isinstance(ci, bool) or not isinstance(ci, numbers.Real) or not 0 < ci < 1:
        raise ValueError(msg._CI.format(ci))


def _rng(random_state) -> np.random.Generator:
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    return np.random.default_rng(random_state)


def _references(groups, reference, counts) -> dict[str, int]:
    """Reference code per attribute: the override, else the largest known group."""
    if reference is not None and not isinstance(reference, dict):
        raise TypeError(msg._REFERENCE_TYPE.format(reference))
    reference = dict(reference or {})
    names = [g.name for g in groups]
    for key in reference:
        if key not in names:
            raise KeyError(msg._REFERENCE_ATTRIBUTE.format(key, names))
    out = {}
    for g in groups:
        n = counts[g.name]
        if g.name in reference:
            want = reference[g.name]
            if isinstance(want, tuple):
                want = " × ".join(map(str, want))
            want = str(want)
            if want not in g.labels or n[g.labels.index(want)] == 0:
                present = [lab for lab, c in zip(g.labels, n) if c > 0]
                raise ValueError(msg._REFERENCE_GROUP.format(g.name, want, present))
            out[g.name] = g.labels.index(want)
        else:
            key = np.where(np.array(g.labels) == UNKNOWN, -1, n)  # prefer known groups
            out[g.name] = int(np.argmax(key)) if key.max() > 0 else int(np.argmax(n))
    return out


def _frame(cols, notes, labels, k_index, extra: dict) -> pd.DataFrame:
    """Rows of one block (all groups within the control values listed in k_index)."""
    K, G = notes.shape
    kk, gg = np.meshgrid(np.arange(K), np.arange(G), indexing="ij")
    kk, gg = kk.ravel(), gg.ravel()
    data = dict(extra)
    data["group"] = [labels[g] for g in gg]
    for name in FRAME_COLUMNS:
        if name in ("attribute", "group", "note") or name in extra:
            continue
        data[name] = cols[name][kk, gg] if name in cols else np.nan
    for name in RATIOS:
        for suffix in ("_p", "_m"):
            if name + suffix in cols:
                data[name + suffix] = cols[name + suffix][kk, gg]
    data["note"] = notes[kk, gg]
    df = pd.DataFrame(data)
    if k_index is not None:
        df.insert(1, "control_value", [k_index[k] for k in kk])
    for name in _INT_COLUMNS:
        df[name] = pd.array(np.round(df[name].astype(float)), dtype="Int64")
    df["suppressed"] = df["suppressed"].astype(bool)
    df["reference"] = df["reference"].astype(bool)
    return df


def audit(frame, *, groups, flag=None, score=None, outcome=None, reference=None, min_cell=10,
          n_boot=1000, random_state=None, intersections=None, controls=None, capacity=None,
          threshold=None, tiebreak=None, ci=0.95, control_n_boot=None) -> AuditReport:
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
    reference : dict, optional
        Reference group per attribute, e.g. ``{"sex": "F"}``; default the
        largest group (other than ``"Unknown"``).
    min_cell : int, default=10
        Suppression threshold: no count between 1 and ``min_cell - 1`` is
        shown or derivable (see ``audits._suppress``). 0 or 1 disables.
    n_boot : int, default=1000
        Stratified bootstrap resamples (within groups) for the intervals;
        0 skips intervals.
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
        ``n_boot``. Breakdowns by school have many small cells, most of them
        suppressed, so ``0`` (rates and ratios without intervals) is a sensible
        way to save time on large cohorts.

    Returns
    -------
    AuditReport

    See Also
    --------
    fairlearn.metrics.MetricFrame : the per-group rates agree with it exactly.

    Notes
    -----
    ``flag_ratio`` is a group's flag rate over the reference group's;
    ``flag_ratio_overall`` over the whole cohort's; ``base_ratio`` the same
    for the outcome rate; ``amplification = flag_ratio / base_ratio`` (above
    1: flags fall on the group more than its outcome rate explains).
    Intervals are percentile intervals of a stratified bootstrap: each
    group's rows are resampled within the group, which for these count-based
    statistics equals drawing each group's (flag, outcome) cell counts from a
    multinomial, done for all resamples at once.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sex": ["F", "M"] * 20, "flagged": [1, 0, 1, 1] * 10})
    >>> rep = audit(df, groups="sex", flag="flagged", n_boot=200, random_state=0)
    >>> rep.to_frame()[["group", "n", "n_flagged", "flag_rate", "flag_ratio"]]
      group   n  n_flagged  flag_rate  flag_ratio
    0     F  20         20        1.0         1.0
    1     M  20         10        0.5         0.5
    """
    _check_params(frame, min_cell, n_boot, ci)
    if control_n_boot is not None:
        _check_params(frame, min_cell, control_n_boot, ci)
    attrs = groupings(frame, groups, intersections)
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
    rng = _rng(random_state)
    counts = {g.name: np.bincount(g.codes, minlength=len(g.labels)) for g in attrs}
    refs = _references(attrs, reference, counts)
    kw = dict(n_boot=int(n_boot), ci=float(ci), rng=rng, min_cell=int(min_cell))

    parts, overall, hidden, main_hidden = [], None, {}, {}
    for g in attrs:
        G = len(g.labels)
        cols, tot, notes, hide = block(g.codes, 1, G, flag_arr, out_arr, score_arr,
                                       np.array([refs[g.name]]), subsets=g.subsets or None,
                                       **kw)
        main_hidden[g.name] = {k: v[0] for k, v in hide.items()}
        parts.append(_frame(cols, notes, g.labels, None, {"attribute": g.name}))
        hidden[g.name] = (cols["suppressed"] | np.isnan(cols["n_outcome"]))[0] \
            if out_arr is not None else cols["suppressed"][0]
        if overall is None:
            overall = pd.Series({k: float(v[0]) for k, v in tot.items()}, name="overall")
    by_group = pd.concat(parts, ignore_index=True)
    references = {g.name: g.labels[refs[g.name]] for g in attrs}
    comp = comparisons(by_group, references)

    if score_arr is not None and out_arr is not None:
        calib = reliability(attrs, score_arr, out_arr, hidden, int(min_cell))
    else:
        calib = reliability([], np.zeros(0), np.zeros(0, bool), {}, int(min_cell))

    ctrl_parts, conc_parts = [], []
    ctrl_kw = dict(kw, n_boot=int(n_boot if control_n_boot is None else control_n_boot))
    for cname in controls or ():
        cg = encode(column(frame, cname, "controls"), cname)
        K = len(cg.labels)
        for g in attrs:
            G = len(g.labels)
            cols, _, notes, _ = block(cg.codes * G + g.codes, K, G, flag_arr, out_arr,
                                      score_arr, np.full(K, refs[g.name]),
                                      subsets=g.subsets or None, across=True,
                                      forced=main_hidden[g.name], **ctrl_kw)
            df = _frame(cols, notes, g.labels, cg.labels, {"attribute": g.name})
            df.insert(0, "control", cname)
            df = df[df["n"].isna() | (df["n"] > 0)]
            ctrl_parts.append(df[["control", "control_value"] + FRAME_COLUMNS])
        measures = {"flags": flag_arr}
        if out_arr is not None:
            measures["outcomes"] = out_arr
        conc_parts.append(concentration(cg.codes, cg.labels, cname, measures, int(min_cell)))
    by_control = (pd.concat(ctrl_parts, ignore_index=True) if ctrl_parts
                  else pd.DataFrame(columns=["control", "control_value"] + FRAME_COLUMNS))
    conc = pd.concat(conc_parts, ignore_index=True) if conc_parts else pd.DataFrame(
        columns=["control", "measure", "total"])

    params = {
        "n_rows": len(frame), "n_boot": int(n_boot), "ci": float(ci), "min_cell": int(min_cell),
        "random_state": random_state if isinstance(random_state, (int, type(None))) else "given",
        "flag_source": "flag" if flag is not None else (
            "capacity" if capacity is not None else "threshold"),
        "capacity": capacity, "threshold": threshold,
        "tie_rule": ("score descending, then tiebreak ascending, then row order"
                     if tiebreak is not None else "score descending, then row order"),
        "has_score": score_arr is not None, "has_outcome": out_arr is not None,
        "controls": list(controls or ()), "interval": "percentile, stratified bootstrap",
        "control_n_boot": int(n_boot if control_n_boot is None else control_n_boot),
    }
    return AuditReport(
        by_group=by_group, overall=overall, calibration=calib, by_control=by_control,
        concentration=conc, comparisons=with_sentences(comp, float(ci)),
        findings=findings(comp, float(ci)),
        references=references, params=params,
    )
