"""Disproportionality after controlling for covariates: :func:`adjusted_ratios`.

For each audited attribute, one logistic regression (statsmodels ``GLM`` with a
binomial family, the field's standard) of the outcome on the attribute's groups (the
reference group left out) and the covariates. The regression is fitted on the
distinct covariate patterns with their counts of outcomes and non-outcomes, which
gives exactly the same estimates and standard errors as fitting on one row per
pupil, in a fraction of the time, and from counts that add up across local
authorities.

* **Odds ratio** of group vs reference: ``exp(coefficient)``, Wald 95% interval
  ``exp(b ± 1.96 se)`` and Wald p-value.
* **Risk ratio by marginal standardisation**: the mean predicted risk if every pupil
  in the model were in the group, over the mean predicted risk if every pupil were in
  the reference group (other covariates as they are). Its interval uses the delta
  method on ``log(RR)`` with the model's covariance of the coefficients.

Groups whose pupils all have (or all lack) the outcome cannot be estimated (their
coefficient runs off to infinity: separation); they are left out of the model and
reported with a note, never a crash. Covariate levels with no variation in the
outcome are left out likewise (the rows are excluded; ``n`` says how many pupils
each estimate used). Covariates that duplicate the attribute (or a column that is a
function of it, like the major group of an ethnicity code) are dropped from that
attribute's model, with a note.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.special import ndtri

from . import _messages as msg
from ._inputs import column, encode, groupings
from ._typing import Column, Groups

if TYPE_CHECKING:
    from ._inputs import Grouping

METHOD = (
    "logistic regression (statsmodels GLM, binomial family) of the outcome on the groups "
    "and covariates, fitted on covariate patterns with counts; odds ratios with Wald "
    "intervals; risk ratios by marginal standardisation with delta-method intervals"
)
COLUMNS = ["attribute", "group", "reference_group", "measure", "n", "n_outcome",
           "odds_ratio", "odds_ratio_low", "odds_ratio_high", "odds_ratio_p",
           "risk_ratio", "risk_ratio_low", "risk_ratio_high", "covariates", "note"]


def _unsafe(x, m):
    return (x > 0) & (x < m)


def _covariate_codes(frame, names):
    """Each covariate as integer codes (categorical) or floats (numeric)."""
    out: list[tuple[str, str, np.ndarray, tuple[str, ...] | None]] = []
    for name in names:
        s = column(frame, name, "covariates")
        numeric = (pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(
            s.dtype) and s.nunique(dropna=True) > 20)
        if numeric:
            out.append((name, "numeric", s.to_numpy(dtype=float), None))
        else:
            g = encode(s, name)
            out.append((name, "category", g.codes, g.labels))
    return out


def _collapse(gcodes, covs, rows, y):
    """Distinct (group, covariate) patterns of the rows used, with outcome counts.

    Returns ``(group_per_pattern, covariate_values_per_pattern, n, events)``.
    """
    cols = [gcodes[rows]] + [c[2][rows] for c in covs]
    if all(c[1] == "category" for c in covs):
        key = np.zeros(int(rows.sum()), dtype=np.int64)
        sizes = [int(gcodes.max()) + 1] + [len(c[3]) for c in covs]
        for v, size in zip(cols, sizes):
            key = key * size + v
        uniq, inv = np.unique(key, return_inverse=True)
        parts = []
        for size in reversed(sizes):
            uniq, r = np.divmod(uniq, size)
            parts.append(r)
        parts = parts[::-1]
    else:
        stack = np.column_stack([c.astype(float) for c in cols])
        uniq, inv = np.unique(stack, axis=0, return_inverse=True)
        parts = [uniq[:, j] for j in range(uniq.shape[1])]
        parts[0] = parts[0].astype(np.int64)
        for j, c in enumerate(covs, start=1):
            if c[1] == "category":
                parts[j] = parts[j].astype(np.int64)
    inv = np.asarray(inv).ravel()
    n = np.bincount(inv, minlength=len(parts[0])).astype(float)
    e = np.bincount(inv, weights=y[rows], minlength=len(parts[0]))
    return parts[0], parts[1:], n, e


def _design(gp, G, ref, covs, cov_p, w):
    """Columns per pattern: intercept, group dummies (not ref), covariate dummies / values."""
    cols = [np.ones(len(gp))]
    names: list[str | tuple[str, Any]] = ["const"]
    gidx = []
    present = np.bincount(gp, weights=w, minlength=G) > 0
    for g in range(G):
        if g == ref or not present[g]:
            continue
        gidx.append(g)
        cols.append((gp == g).astype(float))
        names.append(("group", g))
    for (name, kind, _, labels), v in zip(covs, cov_p):
        if kind == "numeric":
            cols.append(v.astype(float))
            names.append((name, None))
            continue
        n = np.bincount(v, weights=w, minlength=len(labels))
        base = int(np.argmax(n))
        for lev in range(len(labels)):
            if lev != base and n[lev] > 0:
                cols.append((v == lev).astype(float))
                names.append((name, lev))
    return np.column_stack(cols), names, gidx


def _independent(x, names, keep_first):
    """Drop columns that add nothing (aliased), keeping the first ``keep_first``.

    Without pivoting, ``|R[j, j]|`` of a QR decomposition is the part of column ``j``
    that the earlier columns do not explain: ~0 means it is aliased.
    """
    scale = np.abs(x).max(axis=0)
    x = x / np.where(scale > 0, scale, 1.0)
    if x.shape[0] < x.shape[1]:  # fewer patterns than columns: rows of zeros keep every
        # column's R[j, j] defined (R is square) without changing what they explain
        x = np.vstack([x, np.zeros((x.shape[1] - x.shape[0], x.shape[1]))])
    r = np.linalg.qr(x, mode="r")
    d = np.abs(np.diag(r))
    ok = d > 1e-9 * max(1.0, d.max(initial=0.0))
    keep = [j for j in range(x.shape[1]) if ok[j] or j < keep_first]
    dropped = sorted({names[j][0] for j in range(x.shape[1]) if j not in keep}, key=str)
    stuck = not ok[:keep_first].all()  # a column that must stay (a group's) is aliased
    return keep, dropped, stuck


def _fit_one(gcodes, labels, ref, y, covs, *, min_cell, ci, name, measure):
    """Rows of the adjusted table for one attribute and one outcome."""
    # the GLM module alone: statsmodels.api also imports its plotting and time series
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        PerfectSeparationWarning,
        SingularMatrixWarning,
    )

    G = len(labels)
    rows = np.ones(len(y), dtype=bool)
    for cname, kind, vals, _ in covs:
        if kind == "numeric":
            rows &= np.isfinite(vals)
    notes: dict[Any, list[str]] = {g: [] for g in range(G)}
    dropped_levels = []
    for _ in range(5):  # drop groups / levels whose outcome never varies (separation)
        changed = False
        e = np.bincount(gcodes[rows], weights=y[rows], minlength=G)
        n = np.bincount(gcodes[rows], minlength=G)
        bad = (n > 0) & ((e == 0) | (e == n))
        bad[ref] = False
        for g in np.nonzero(bad)[0]:
            rows &= gcodes != g
            notes[g].append(msg.NOTE_ADJ_SEPARATION)
            changed = True
        for cname, kind, vals, labels_c in covs:
            if kind != "category":
                continue
            e = np.bincount(vals[rows], weights=y[rows], minlength=len(labels_c))
            n = np.bincount(vals[rows], minlength=len(labels_c))
            badc = (n > 0) & ((e == 0) | (e == n))
            for lev in np.nonzero(badc)[0]:
                rows &= vals != lev
                dropped_levels.append(f"{cname} = {labels_c[lev]}")
                changed = True
        if not changed:
            break
    n_used = np.bincount(gcodes[rows], minlength=G)
    e_used = np.bincount(gcodes[rows], weights=y[rows], minlength=G).astype(np.int64)
    z = float(ndtri(0.5 + ci / 2))
    out = {g: dict(odds_ratio=np.nan, odds_ratio_low=np.nan, odds_ratio_high=np.nan,
                   odds_ratio_p=np.nan, risk_ratio=np.nan, risk_ratio_low=np.nan,
                   risk_ratio_high=np.nan) for g in range(G)}
    out[ref].update(odds_ratio=1.0, risk_ratio=1.0)
    yr = y[rows]
    if rows.sum() == 0 or yr.min() == yr.max():
        for g in range(G):
            notes[g].append(msg.NOTE_ADJ_NO_VARIATION)
        return out, notes, n_used, e_used, [], dropped_levels
    gp, cov_p, tot, succ = _collapse(gcodes, covs, rows, y)
    pat, names, gidx = _design(gp, G, ref, covs, cov_p, tot)
    keep, aliased, stuck = _independent(pat, names, 1 + len(gidx))
    if stuck:  # e.g. every pupil left is in one group: no comparison to estimate
        for g in range(G):
            notes[g].append(msg.NOTE_ADJ_NO_CONTRAST)
        return out, notes, n_used, e_used, [], dropped_levels
    pat, names = pat[:, keep], [names[j] for j in keep]
    endog = np.column_stack([succ, tot - succ])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", SingularMatrixWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        res = GLM(endog, pat, family=families.Binomial()).fit(wls_method="qr")
    b = np.asarray(res.params, dtype=float)
    cov = np.asarray(res.cov_params(), dtype=float)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    col_of = {nm[1]: j for j, nm in enumerate(names) if isinstance(nm, tuple)
              and nm[0] == "group"}
    # marginal standardisation: every pupil in the model placed in group g
    gcols = [col_of[g] for g in gidx if g in col_of]

    def standardised(g):
        xs = pat.copy()
        xs[:, gcols] = 0.0
        if g != ref and g in col_of:
            xs[:, col_of[g]] = 1.0
        p = 1.0 / (1.0 + np.exp(-(xs @ b)))
        w = tot / tot.sum()
        mean = float(w @ p)
        grad = (w * p * (1 - p)) @ xs
        return mean, grad

    m_ref, g_ref = standardised(ref)
    for g in gidx:
        j = col_of.get(g)
        if j is None or n_used[g] == 0:
            continue
        unstable = not np.isfinite(se[j]) or se[j] > 50 or abs(b[j]) > 20
        if unstable:
            notes[g].append(msg.NOTE_ADJ_UNSTABLE)
            continue
        pz = float(2 * (1 - _ndtr(abs(b[j] / se[j])))) if se[j] > 0 else np.nan
        out[g].update(odds_ratio=float(np.exp(b[j])),
                      odds_ratio_low=float(np.exp(b[j] - z * se[j])),
                      odds_ratio_high=float(np.exp(b[j] + z * se[j])), odds_ratio_p=pz)
        m_g, g_g = standardised(g)
        rr = m_g / m_ref
        d = g_g / m_g - g_ref / m_ref
        sd = float(np.sqrt(max(d @ cov @ d, 0.0)))
        out[g].update(risk_ratio=rr, risk_ratio_low=float(rr * np.exp(-z * sd)),
                      risk_ratio_high=float(rr * np.exp(z * sd)))
    return out, notes, n_used, e_used, aliased, dropped_levels


def _ndtr(x):
    from scipy.special import ndtr

    return ndtr(x)


def _rows(attr, measure, out, notes, n_used, e_used, ref, covariates, aliased, dropped,
          min_cell, main_n=None, main_e=None, main_hidden=None):
    recs = []
    G = len(attr.labels)
    for g in range(G):
        n, e = int(n_used[g]), int(e_used[g])
        note = list(notes[g])
        hide_counts = _unsafe(n, min_cell) or _unsafe(e, min_cell) or _unsafe(n - e, min_cell)
        if main_n is not None:
            hide_counts |= _unsafe(int(main_n[g]) - n, min_cell) or _unsafe(
                int(main_e[g]) - e, min_cell)
        if main_hidden is not None:
            hide_counts |= bool(main_hidden[g])
        rec = {"attribute": attr.name, "group": attr.labels[g],
               "reference_group": attr.labels[ref], "measure": measure,
               "n": np.nan if hide_counts else n, "n_outcome": np.nan if hide_counts else e,
               **out[g], "covariates": ", ".join(covariates)}
        if n == 0 and main_n is not None and main_n[g] == 0:
            note.append(msg.NOTE_EMPTY)
        if g == ref:
            note.append(msg.NOTE_REFERENCE)
        if hide_counts:
            note.append(msg.NOTE_ADJ_HIDDEN.format(min_cell - 1))
        if 0 < n < min_cell or (main_hidden is not None and main_hidden[g]):
            for k in list(rec):
                if k.startswith(("odds_ratio", "risk_ratio")) and g != ref:
                    rec[k] = np.nan
        if aliased:
            note.append(msg.NOTE_ADJ_ALIASED.format(", ".join(aliased)))
        if dropped:
            note.append(msg.NOTE_ADJ_DROPPED.format(len(dropped)))
        rec["note"] = "; ".join(dict.fromkeys(note))
        recs.append(rec)
    return recs


def _check_covariates(covariates):
    if isinstance(covariates, str):
        covariates = [covariates]
    if covariates is None or not all(isinstance(c, str) for c in covariates):
        raise TypeError(msg._COVARIATES.format(covariates))
    return list(covariates)


def _fit_all(frame, attrs, y, covariates, refs, *, measure, min_cell, ci, hidden=None,
             main=None):
    # the models are small (one row per pattern of group and covariates): BLAS threads
    # only add overhead, and on a busy machine each small QR waits for them (20x slower)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _fit_each(frame, attrs, y, covariates, refs, measure=measure,
                         min_cell=min_cell, ci=ci, hidden=hidden, main=main)


def _fit_each(frame, attrs, y, covariates, refs, *, measure, min_cell, ci, hidden, main):
    covs_all = _covariate_codes(frame, covariates)
    recs = []
    for a in attrs:
        parts = set(a.parts or (a.name,))
        covs = [c for c in covs_all if c[0] not in parts and not _is_function_of(
            c, a, frame)]
        skipped = [c[0] for c in covs_all if c not in covs and c[0] not in parts]
        ref = refs[a.name]
        if ref < 0:  # the regression needs a group as reference: the largest
            ref = int(np.argmax(np.bincount(a.codes, minlength=len(a.labels))))
        out, notes, n_used, e_used, aliased, dropped = _fit_one(
            a.codes, a.labels, ref, y.astype(float), covs, min_cell=min_cell, ci=ci,
            name=a.name, measure=measure)
        main_n = main_e = None
        if main is not None:
            main_n, main_e = main[a.name]
        recs += _rows(a, measure, out, notes, n_used, e_used, ref, [c[0] for c in covs],
                      aliased + skipped, dropped, min_cell, main_n, main_e,
                      None if hidden is None else hidden[a.name])
    df = pd.DataFrame(recs, columns=COLUMNS)
    for c in ("n", "n_outcome"):
        df[c] = pd.array(df[c], dtype="Int64")  # type: ignore[call-overload]  # stubs: no Series
    return df


def _is_function_of(cov, attr, frame):
    """A categorical covariate whose value the attribute fixes (e.g. its major group)."""
    name, kind, vals, labels = cov
    if kind != "category":
        return False
    G, L = len(attr.labels), len(labels)
    seen = np.bincount(attr.codes * L + vals, minlength=G * L).reshape(G, L) > 0
    return bool((seen.sum(1) <= 1).all())


def adjusted_ratios(frame: pd.DataFrame, *, groups: Groups, outcome: Column,
                    covariates: Sequence[str], reference: dict[str, Any] | None = None,
                    min_cell: int = 10, ci: float = 0.95,
                    intersections: Sequence[tuple[str, ...]] | None = None) -> pd.DataFrame:
    """Odds and risk ratios of an outcome by group, controlling for covariates.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per pupil.
    groups : str or list of str
        Attributes to compare (each gets its own model), e.g. ``["ethnicity"]``.
    outcome : str or array-like
        0/1 outcome; pass a flag column to adjust who is flagged.
    covariates : list of str
        Columns to control for, e.g. ``["sen", "fsm", "sex", "year_group"]``.
        Booleans, strings, categoricals and integers with at most 20 values are
        categorical (missing values form an ``"Unknown"`` level); other numbers enter
        linearly (rows with a missing value are left out).
    reference : dict, optional
        Reference group per attribute; default the largest known group.
    min_cell : int, default=10
        Counts from 1 to ``min_cell - 1`` are not shown, nor estimates for groups with
        fewer pupils.
    ci : float, default=0.95
        Coverage of the intervals.

    Returns
    -------
    pandas.DataFrame
        ``attribute, group, reference_group, measure, n, n_outcome, odds_ratio,
        odds_ratio_low, odds_ratio_high, odds_ratio_p, risk_ratio, risk_ratio_low,
        risk_ratio_high, covariates, note``; ``n`` is the number of pupils of the
        group the model used. ``df.attrs["method"]`` says how it was computed.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from screening.audits import adjusted_ratios
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"g": rng.choice(["a", "b"], 4000), "sen": rng.random(4000) < .3})
    >>> df["y"] = rng.random(4000) < np.where(df.sen, .3, .1)
    >>> adj = adjusted_ratios(df, groups="g", outcome="y", covariates=["sen"])
    >>> adj[["group", "odds_ratio"]].round(2)
      group  odds_ratio
    0     a        1.02
    1     b        1.00
    """
    from ._audit import _references

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(msg._FRAME_TYPE.format(type(frame).__name__))
    covariates = _check_covariates(covariates)
    from ._inputs import binary

    y = binary(column(frame, outcome, "outcome"), "outcome")
    attrs, _, _ = groupings(frame, groups, intersections, min_cell=int(min_cell))
    counts = {a.name: np.bincount(a.codes, minlength=len(a.labels)) for a in attrs}
    dummy = {a.name: (np.ones(len(a.labels), bool), np.zeros(len(a.labels))) for a in attrs}
    refs = _references(attrs, reference, counts, dummy)
    main = {a.name: (counts[a.name], np.bincount(a.codes, weights=y, minlength=len(a.labels)))
            for a in attrs}
    out = _fit_all(frame, attrs, y, covariates, refs, measure="outcome",
                   min_cell=int(min_cell), ci=float(ci), main=main,
                   hidden={a.name: _unsafe(counts[a.name], int(min_cell)) for a in attrs})
    out.attrs["method"] = METHOD
    return out


def adjusted_section(frame: pd.DataFrame, attrs: list[Grouping], flag: np.ndarray | None,
                     outcome: np.ndarray | None, covariates: Sequence[str],
                     refs: dict[str, int], *, min_cell: int, hidden: dict[str, Any],
                     recent: pd.DataFrame | None = None,
                     recent_outcome: Column | None = None) -> pd.DataFrame:
    """The audit's adjusted section: flags, outcomes, and the recent cohort's outcomes."""
    covariates = _check_covariates(covariates)
    parts = []
    for measure, y, kind in (("flagged", flag, "flag"), ("outcome", outcome, "outcome")):
        if y is None:
            continue
        main = {a.name: (np.bincount(a.codes, minlength=len(a.labels)),
                         np.bincount(a.codes, weights=y, minlength=len(a.labels)))
                for a in attrs}
        hid = {a.name: hidden[a.name]["row"] | hidden[a.name][kind] for a in attrs}
        parts.append(_fit_all(frame, attrs, y, covariates, refs, measure=measure,
                              min_cell=min_cell, ci=0.95, hidden=hid, main=main))
    if recent is not None and all(c in recent.columns for c in covariates):
        from ._inputs import binary

        assert recent_outcome is not None  # recent_counts refused a recent cohort without it
        ry = binary(column(recent, recent_outcome, "recent_outcome"), "recent_outcome")
        rattrs, _, _ = groupings(recent, [a.name for a in attrs if not a.parts],
                                 min_cell=min_cell)
        counts = {a.name: np.bincount(a.codes, minlength=len(a.labels)) for a in rattrs}
        dummy = {a.name: (np.ones(len(a.labels), bool), np.zeros(len(a.labels)))
                 for a in rattrs}
        from ._audit import _references

        rrefs = _references(rattrs, None, counts, dummy)
        main = {a.name: (counts[a.name], np.bincount(a.codes, weights=ry,
                                                     minlength=len(a.labels)))
                for a in rattrs}
        hid = {a.name: _unsafe(counts[a.name], min_cell) for a in rattrs}
        parts.append(_fit_all(recent, rattrs, ry, covariates, rrefs,
                              measure="recent outcome", min_cell=min_cell, ci=0.95,
                              hidden=hid, main=main))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    out.attrs["method"] = METHOD
    return out
