"""An intruder's attack on an audit: bound every hidden count from everything published.

Independent of the library's suppression code: it reads only what a report publishes
(``to_frame()``, ``overall``, ``breakdown()``, ``concentration``) and the frame's
columns, to know which pupils each published number counts. The unknowns are the
counts of the full cross-classification of every audited attribute, every control,
the flag and the outcome (nested attributes, e.g. a major ethnic group, are sums of
their fine groups; the intruder is assumed to know the mapping, and which units are
the largest for the concentration summary). Every published count is a linear
equality; every published rate (and every ratio or difference whose reference rate
is published) is one too (``numerator - rate * denominator = 0``). With
non-negativity, linear programming then bounds each hidden count.

A hidden count with true value ``v`` in ``1 .. min_cell - 1`` is *recovered* when its
bounds pin it (``max - min < 1``) or confine it to ``1 .. min_cell - 1``.

Not modelled (documented limits of the check): mean scores, AUCs and the calibration
table (not linear in counts), the adjusted table, the recent cohort's ratios (another
cohort; no counts of it are published), and integrality (an integer programme could
be tighter than its linear relaxation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

RATES = {  # rate -> (numerator cells, denominator cells) over (flag, outcome) cells
    "flag_rate": ({"f": 1}, {}), "base_rate": ({"o": 1}, {}),
    "tpr": ({"f": 1, "o": 1}, {"o": 1}), "fnr": ({"f": 0, "o": 1}, {"o": 1}),
    "fpr": ({"f": 1, "o": 0}, {"o": 0}), "tnr": ({"f": 0, "o": 0}, {"o": 0}),
    "ppv": ({"f": 1, "o": 1}, {"f": 1}), "fdr": ({"f": 1, "o": 0}, {"f": 1}),
    "npv": ({"f": 0, "o": 0}, {"f": 0}), "for": ({"f": 0, "o": 1}, {"f": 0}),
}
RATIO_OF = {"flag_ratio": "flag_rate", "base_ratio": "base_rate",
            **{f"{e}_ratio": e for e in ("tpr", "fnr", "fpr", "tnr", "ppv", "fdr", "npv",
                                         "for")}}
DIFF_OF = {"flag_rate_diff": "flag_rate", "base_rate_diff": "base_rate",
           **{f"{e}_diff": e for e in ("tpr", "fnr", "fpr", "tnr", "ppv", "fdr", "npv",
                                       "for")}}
COUNTS = {"n": {}, "n_flagged": {"f": 1}, "n_outcome": {"o": 1}}


def _labels(series, pooled_into=None):
    s = series.astype(object).where(series.notna(), "Unknown").map(str)
    if pooled_into is not None:
        s = s.where(s != "Unknown", pooled_into)
    return s.to_numpy()


@dataclass
class Result:
    checked: int
    recovered: list
    positive_lower: int
    n_vars: int
    n_equalities: int


class Intruder:
    def __init__(self, frame, report, *, groups, flag, outcome=None, controls=(),
                 intersections=(), min_cell=None):
        self.rep = report
        p = report.params
        pooled = p.get("pooled_unknown", {})
        self.mc = p["min_cell"] if min_cell is None else min_cell
        nest = {f: c for f, c in p.get("nesting", [])}
        coarse = set(nest.values())
        fine_of = {}
        for f, c in nest.items():
            fine_of.setdefault(c, f)
        # dimensions: fine attributes, controls, flag, outcome
        self.dims, self.values = [], {}
        base = [g for g in groups if g not in coarse or fine_of.get(g) not in groups]
        for g in base:
            self.values[g] = _labels(frame[g], pooled.get(g))
            self.dims.append(g)
        for c in controls:
            self.values[c] = _labels(frame[c])
            self.dims.append(c)
        self.values["f"] = np.asarray(frame[flag]).astype(int).astype(str)
        self.dims.append("f")
        if outcome is not None:
            self.values["o"] = np.asarray(frame[outcome]).astype(int).astype(str)
            self.dims.append("o")
        self.labels = {d: sorted(set(self.values[d])) for d in self.dims}
        for g in groups:  # labels the report shows, too (unused categories)
            if g in self.labels:
                shown = report.by_group.loc[report.by_group["attribute"] == g, "group"]
                self.labels[g] = sorted(set(self.labels[g]) | set(map(str, shown)))
        # coarse attribute: a map from the fine labels
        self.coarse = {}
        for c in coarse & set(groups):
            f = fine_of[c]
            if f not in self.dims:
                continue
            fl, cl = _labels(frame[f], pooled.get(f)), _labels(frame[c], pooled.get(c))
            m = dict(zip(fl, cl))
            self.coarse[c] = (f, np.array([m.get(v, "?") for v in self.labels[f]]))
        self.inter = {}
        for spec in intersections:
            self.inter[" × ".join(spec)] = tuple(spec)
        shape = [len(self.labels[d]) for d in self.dims]
        self.shape = shape
        self.combo = np.indices(shape).reshape(len(shape), -1).T  # (V, D) codes
        self.truth = self._truth(frame)
        self.records = []  # ("count", spec, value) / ("rate", spec, name, r) / ("union", ...)
        self._cache = {}

    # -- which combos a published number counts ---------------------------------------
    def _truth(self, frame):
        idx = np.zeros(len(frame), dtype=np.int64)
        for d in self.dims:
            lab = {v: i for i, v in enumerate(self.labels[d])}
            idx = idx * len(self.labels[d]) + np.array([lab[v] for v in self.values[d]])
        return np.bincount(idx, minlength=int(np.prod(self.shape)))

    def _dimmask(self, d, code):
        key = (d, code)
        if key not in self._cache:
            self._cache[key] = self.combo[:, self.dims.index(d)] == code
        return self._cache[key]

    def mask(self, spec: dict) -> np.ndarray:
        """Combos in a cell: spec maps attribute/control/f/o -> label."""
        key = tuple(sorted((k, str(v)) for k, v in spec.items()))
        if key in self._cache:
            return self._cache[key]
        m = np.ones(len(self.combo), dtype=bool)
        for k, val in spec.items():
            if k in self.inter:
                for part, v in zip(self.inter[k], str(val).split(" × ")):
                    m = m & self.mask({part: v})
            elif k in self.coarse:
                f, cmap = self.coarse[k]
                sub = np.zeros(len(self.combo), dtype=bool)
                for code in np.nonzero(cmap == str(val))[0]:
                    sub |= self._dimmask(f, int(code))
                m = m & sub
            elif k in self.dims:
                lab = self.labels[k]
                if str(val) not in lab:
                    m = np.zeros(len(self.combo), dtype=bool)
                    break
                m = m & self._dimmask(k, lab.index(str(val)))
            else:
                raise KeyError(k)
        self._cache[key] = m
        return m

    def _restrict(self, alive):
        self.pos = np.full(len(self.combo), -1, dtype=np.int64)
        self.pos[alive] = np.arange(int(alive.sum()))
        self.combo = self.combo[alive]
        self.truth = self.truth[alive]
        self._cache = {}

    # -- equalities from published numbers ---------------------------------------------
    def count(self, spec, value):
        self.records.append(("count", dict(spec), float(value)))

    def rate(self, spec, name, r):
        num, den = RATES[name]
        if "o" in {**num, **den} and "o" not in self.dims:
            return
        self.records.append(("rate", dict(spec), name, float(r)))

    def union(self, specs, value):
        self.records.append(("union", [dict(s) for s in specs], float(value)))

    def _compile(self):
        """Drop combos that a published zero rules out, then build the equalities."""
        self._cache = {}
        alive = np.ones(len(self.combo), dtype=bool)
        for rec in self.records:
            if rec[0] == "count" and rec[2] == 0:
                alive &= ~self.mask(rec[1])
        self._restrict(alive)
        rows, cols, vals, rhs = [], [], [], []
        for rec in self.records:
            if rec[0] == "count":
                idx = np.nonzero(self.mask(rec[1]))[0]
                coef = np.ones(idx.size)
                b = rec[2]
            elif rec[0] == "union":
                m = np.zeros(len(self.combo), dtype=bool)
                for sp in rec[1]:
                    m |= self.mask(sp)
                idx = np.nonzero(m)[0]
                coef, b = np.ones(idx.size), rec[2]
            else:
                _, spec, name, r = rec
                num, den = RATES[name]
                mn, md = self.mask({**spec, **num}), self.mask({**spec, **den})
                idx = np.nonzero(md)[0]
                coef = np.where(mn[idx], 1.0 - r, -r)
                b = 0.0
            if idx.size == 0:
                continue
            rows.append(np.full(idx.size, len(rhs)))
            cols.append(idx)
            vals.append(coef)
            rhs.append(b)
        r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        v = np.concatenate(vals) if vals else np.zeros(0)
        self.a = csr_matrix((v, (r, c)), shape=(len(rhs), len(self.combo)))
        self.b = np.array(rhs)

    def _rows(self, df, extra_keys=()):
        rates_of = {}
        for r in df.itertuples(index=False):
            spec = {r.attribute: r.group}
            for k in extra_keys:
                spec[k] = getattr(r, k)
            spec = self._spec(spec)
            for col, sub in COUNTS.items():
                v = getattr(r, col)
                if col == "n_outcome" and "o" not in self.dims:
                    continue
                if v is not None and not pd.isna(v):
                    self.count({**spec, **sub}, int(v))
            for name in RATES:
                v = getattr(r, name, np.nan)
                if v is not None and not pd.isna(v):
                    self.rate(spec, name, float(v))
                    rates_of[(tuple(sorted(spec.items())), name)] = float(v)
        return rates_of

    def _spec(self, spec):
        out = {}
        for k, v in spec.items():
            if k == "control_value":
                continue
            if k == "control":
                out[v] = spec["control_value"]
            else:
                out[k] = v
        return out

    def _ratios(self, df, rates_of, references, extra_keys=()):
        """Ratios and differences whose reference rate is published give the group's rate."""
        for r in df.itertuples(index=False):
            ref = references.get(r.attribute)
            if ref is None:
                continue
            spec = self._spec({r.attribute: r.group, **{k: getattr(r, k) for k in
                                                        extra_keys}})
            if ref == "whole cohort":
                rspec = self._spec({k: getattr(r, k) for k in extra_keys})
            else:
                rspec = self._spec({r.attribute: ref, **{k: getattr(r, k) for k in
                                                         extra_keys}})
            for col, rate in {**RATIO_OF, **DIFF_OF}.items():
                v = getattr(r, col, np.nan)
                if v is None or pd.isna(v):
                    continue
                ref_rate = rates_of.get((tuple(sorted(rspec.items())), rate))
                if ref_rate is None:
                    continue
                val = v * ref_rate if col in RATIO_OF else v + ref_rate
                self.rate(spec, rate, float(val))

    def read_report(self):
        rep = self.rep
        ov = rep.overall
        for col, sub in COUNTS.items():
            v = ov.get(col)
            if v is not None and not pd.isna(v) and (col != "n_outcome" or "o" in self.dims):
                self.count(sub, int(v))
        overall_rates = {}
        for name in RATES:
            v = ov.get(name)
            if v is not None and not pd.isna(v):
                self.rate({}, name, float(v))
                overall_rates[((), name)] = float(v)
        f = rep.to_frame()
        rates_of = self._rows(f)
        rates_of.update(overall_rates)
        self._ratios(f, rates_of, rep.references)
        for r in f.itertuples(index=False):
            v = r.flag_ratio_overall
            if v is not None and not pd.isna(v) and v > 0 and not pd.isna(r.flag_rate):
                self.rate({}, "flag_rate", float(r.flag_rate) / float(v))
        bc = rep.by_control
        if len(bc):
            rates_c = self._rows(bc, extra_keys=("control", "control_value"))
            self._ratios(bc, rates_c, rep.references, extra_keys=("control", "control_value"))
            # absent rows are zero cells
            for (c, a), sub in bc.groupby(["control", "attribute"], sort=False):
                shown = set(zip(sub["control_value"].map(str), sub["group"].map(str)))
                groups = rep.by_group.loc[rep.by_group["attribute"] == a, "group"].map(str)
                for k in self.labels[c]:
                    for g in groups:
                        if (k, g) not in shown:
                            self.count(self._spec({a: g, "control": c,
                                                   "control_value": k}), 0)
            for r in bc.itertuples(index=False):
                v = r.flag_ratio_overall
                if v is not None and not pd.isna(v) and v > 0 and not pd.isna(r.flag_rate):
                    self.rate({r.control: r.control_value}, "flag_rate",
                              float(r.flag_rate) / float(v))
        self._concentration()
        return self

    def _concentration(self):
        conc = self.rep.concentration
        for r in conc.itertuples(index=False):
            c = r.control
            kind = {"flags": {"f": "1"}, "outcomes": {"o": "1"}}[r.measure]
            if "o" in kind and "o" not in self.dims:
                continue
            per = np.array([self.truth[self.mask({c: k, **kind})].sum()
                            for k in self.labels[c]])
            order = np.argsort(-per, kind="stable")
            total = per.sum()
            for k in (1, 5, 10):
                share = getattr(r, f"top_{k}_share")
                if share is not None and not pd.isna(share):
                    self.union([{c: self.labels[c][u], **kind} for u in order[:k]],
                               float(share) * total)
            cs = r.cohort_share_of_those_units
            if cs is not None and not pd.isna(cs) and total > 0:
                half = int(np.searchsorted(np.cumsum(per[order]), total / 2.0 - 1e-9)) + 1
                self.union([{c: self.labels[c][u]} for u in order[:half]],
                           float(cs) * self.truth.sum())

    # -- the attack ---------------------------------------------------------------------
    def targets(self):
        """Hidden counts to bound: (description, mask over combos, true value)."""
        out = []
        rep = self.rep
        kinds = {"n": {}, "n_flagged": {"f": "1"}, "n_unflagged": {"f": "0"}}
        if "o" in self.dims:
            kinds.update({"n_outcome": {"o": "1"}, "n_no_outcome": {"o": "0"},
                          "tp": {"f": "1", "o": "1"}, "fp": {"f": "1", "o": "0"},
                          "fn": {"f": "0", "o": "1"}, "tn": {"f": "0", "o": "0"}})
        tables = [(rep.to_frame(), ())]
        if len(rep.by_control):
            tables.append((rep.by_control, ("control", "control_value")))
        for df, keys in tables:
            for r in df.itertuples(index=False):
                spec = self._spec({r.attribute: r.group, **{k: getattr(r, k) for k in keys}})
                for kname, sub in kinds.items():
                    m = self.mask({**spec, **sub})
                    v = int(self.truth[m].sum())
                    if 0 < v < self.mc:
                        out.append((f"{spec} {kname}", m, v))
        for c in rep.params.get("controls", []):  # the units' own totals
            for k in self.labels[c]:
                for kname, sub in kinds.items():
                    m = self.mask({c: k, **sub})
                    v = int(self.truth[m].sum())
                    if 0 < v < self.mc:
                        out.append((f"{c}={k} total {kname}", m, v))
        seen, uniq = set(), []
        for d, m, v in out:
            key = m.tobytes()
            if key not in seen:
                seen.add(key)
                uniq.append((d, m, v))
        return uniq

    def attack(self, limit=None) -> Result:
        targets = self.targets()  # on the full cross-classification, before pruning
        self._compile()
        a, b = self.a, self.b
        truth = self.truth.astype(float)
        resid = np.abs(a @ truth - b).max() if len(b) else 0.0
        assert resid < 1e-6 * max(1.0, self.truth.sum()), f"published numbers inconsistent {resid}"
        recovered, checked, positive = [], 0, 0
        if limit is not None:
            targets = targets[:limit]
        for desc, m, v in targets:
            c = np.zeros(len(self.combo))
            j = self.pos[m]
            c[j[j >= 0]] = 1.0
            if not c.any():
                recovered.append((desc, v, 0.0, 0.0))  # every pupil pinned by zeros
                checked += 1
                continue
            lo = linprog(c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
            checked += 1
            lo_v = lo.fun if lo.status == 0 else 0.0
            if lo_v >= 0.5:
                positive += 1
                hi = linprog(-c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
                hi_v = -hi.fun if hi.status == 0 else np.inf
                if hi_v - lo_v < 0.5 or hi_v <= self.mc - 0.5:
                    recovered.append((desc, v, lo_v, hi_v))
        return Result(checked=checked, recovered=recovered, positive_lower=positive,
                      n_vars=int(len(self.combo)), n_equalities=int(len(b)))
