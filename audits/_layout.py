"""Every count table one audit publishes, as the node graph of :mod:`audits._linked`.

:class:`CellTables` holds the per-group cell counts the whole audit is computed from
(shape ``(groups, cells)`` for each attribute, ``(units, groups, cells)`` for each
breakdown; cells as in :mod:`audits._stats`). Counts add up across local authorities,
so tables built from them can later be merged exactly. :func:`linked_masks` returns,
for every table, which counts to hide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _linked
from ._concentration import TOP

KINDS = ("row", "flag", "outcome", "errors")


@dataclass
class CellTables:
    """Cell counts of one audit: the single source every published number comes from."""

    attrs: list                      # Grouping objects, main attributes then intersections
    main: dict                       # name -> (G, nc)
    controls: list = field(default_factory=list)   # Grouping of each control column
    ctrl: dict = field(default_factory=dict)       # (control, name) -> (K, G, nc)
    nesting: list = field(default_factory=list)    # (fine, coarse, fine->coarse index)
    has_outcome: bool = False

    @property
    def total(self) -> np.ndarray:
        return next(iter(self.main.values())).sum(0)


def _unsafe(x, m):
    return (x > 0) & (x < m)


def _quantities(c: np.ndarray, has_out: bool) -> dict:
    n = c.sum(-1)
    if not has_out:
        return {"n": n, "nf": c[..., 0]}
    tp, fp, fn, tn = (c[..., i] for i in range(4))
    return {"n": n, "nf": tp + fp, "npos": tp + fn, "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def _top_sets(unit_counts: np.ndarray) -> dict[str, np.ndarray]:
    """Units in each top-k and in the smallest set making half, as concentration ranks them."""
    order = np.argsort(-unit_counts, kind="stable")
    total = unit_counts.sum()
    sets = {f"top_{k}": order[:min(k, len(order))] for k in TOP}
    if total > 0:
        half = int(np.searchsorted(np.cumsum(unit_counts[order]), total / 2.0 - 1e-9)) + 1
        sets["half"] = order[:half]
    return sets


class _Builder:
    def __init__(self, t: CellTables):
        self.t = t
        nc = t.total.shape[-1]
        self.g = _linked.Graph()
        self.counts: list[tuple[Any, Any]] = []  # per node block: (ids, counts (len, nc))
        g = self.g
        self.T = g.add_nodes(1, hideable=False)[0]
        self._put([self.T], t.total[None])
        self.main = {}
        for a in t.attrs:
            ids = g.add_nodes(len(a.labels), rank=2 if a.parts else 3)
            self._put(ids, t.main[a.name])
            self.main[a.name] = ids
        # margins of intersections whose parts are not audited on their own
        self.margin = {}
        for a in t.attrs:
            if not a.parts:
                continue
            comp = a.components
            for axis, part in enumerate(a.parts):
                if part in self.main:
                    continue
                size = int(comp[:, axis].max()) + 1
                ids = g.add_nodes(size, published=False)
                cnt = np.zeros((size, nc), dtype=np.int64)
                np.add.at(cnt, comp[:, axis], t.main[a.name])
                self._put(ids, cnt)
                self.margin[(a.name, part)] = ids
        for a in t.attrs:  # every attribute's groups add up to the cohort
            g.total(self.T, self.main[a.name])
        self._within(lambda name: self.main[name][None])
        self.units, self.cell = {}, {}
        for cg in t.controls:
            K = len(cg.labels)
            first = None
            for a in t.attrs:
                cnt = t.ctrl[(cg.name, a.name)]
                ids = g.add_nodes(K * len(a.labels), rank=1).reshape(K, len(a.labels))
                self._put(ids.ravel(), cnt.reshape(-1, nc))
                self.cell[(cg.name, a.name)] = ids
                if first is None:
                    first = cnt.sum(1)
            u = g.add_nodes(K, published=False)
            self._put(u, first)
            self.units[cg.name] = u
            g.total(self.T, u)
            for a in t.attrs:
                ids = self.cell[(cg.name, a.name)]
                for k in range(K):
                    g.total(u[k], ids[k])
                for j in range(ids.shape[1]):
                    g.total(self.main[a.name][j], ids[:, j])
            self._within(lambda name, c=cg.name: self.cell[(c, name)], units=u)
        self.base = len(g.cons)

    def _put(self, ids, counts):
        self.counts.append((np.asarray(ids), np.asarray(counts)))

    def _within(self, table, units=None):
        """Nesting and intersection-margin equalities inside each row of ``table``."""
        g, t = self.g, self.t
        for fine, coarse, fmap in t.nesting:
            f, c = table(fine), table(coarse)
            for k in range(f.shape[0]):
                for m in range(c.shape[1]):
                    g.total(c[k, m], f[k, fmap == m])
        for a in t.attrs:
            if not a.parts:
                continue
            cells = table(a.name)
            comp = a.components
            for axis, part in enumerate(a.parts):
                if part in self.main:
                    marg = table(part)
                elif units is None:
                    marg = self.margin[(a.name, part)][None]
                else:
                    continue  # an unaudited margin within units: nothing printed to link
                for k in range(cells.shape[0]):
                    for j in range(marg.shape[1]):
                        members = cells[k, comp[:, axis] == j]
                        if members.size:
                            g.total(marg[k, j], members)

    def node_counts(self) -> np.ndarray:
        nc = self.t.total.shape[-1]
        out = np.zeros((self.g.n_nodes, nc), dtype=np.int64)
        for ids, cnt in self.counts:
            out[ids] = cnt
        return out

    def concentration_nodes(self):
        """Nodes (and their equalities) for the concentration summary's figures."""
        t, g = self.t, self.g
        q_of = {"flags": "nf", "outcomes": "npos"}
        made = {}
        nc = t.total.shape[-1]
        for cg in t.controls:
            u = self.units[cg.name]
            ucnt = self.node_counts()[u]
            q = _quantities(ucnt, t.has_outcome)
            for measure, key in q_of.items():
                if key not in q:
                    continue
                sets = _top_sets(q[key])
                for name, members in sets.items():
                    kind = "row" if name == "half" else key
                    ids = g.add_nodes(1, summary=True)
                    self._put(ids, ucnt[members].sum(0, keepdims=True).reshape(1, nc))
                    made[(cg.name, measure, name)] = (int(ids[0]), kind, u[members])
        return made


def linked_masks(t: CellTables, min_cell: int) -> dict:
    """Hidden masks for every table and kind, protected together.

    Returns a dict with ``main[name][kind]`` (shape ``(G,)``), ``ctrl[(control,
    name)][kind]`` (``(K, G)``), ``total[kind]`` (bool), ``concentration[(control,
    measure, figure)]`` (bool, True = hide) and ``units_known[(control, kind)]``.
    The null-space checks are many small SVDs, run with one BLAS thread (more only
    add overhead to them, and on a busy machine each waits for the others).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _masks(t, min_cell)


def _masks(t: CellTables, min_cell: int) -> dict:
    """:func:`linked_masks` in the calling thread's BLAS settings."""
    b = _Builder(t)
    conc = b.concentration_nodes() if t.controls else {}
    cnt = b.node_counts()
    q = _quantities(cnt, t.has_outcome)
    n = q["n"]
    present = n > 0
    base_cons = b.g.cons[:b.base]
    m = min_cell
    off = m <= 1
    hidden: dict[str, np.ndarray] = {}
    known_units: dict[Any, Any] = {}
    sens_prev = np.zeros(n.size, dtype=bool)
    kinds = KINDS if t.has_outcome else ("row", "flag")
    for kind in kinds:
        if kind == "row":
            sens, start, value = _unsafe(n, m), np.zeros(n.size, bool), n
        elif kind == "flag":
            sens = _unsafe(q["nf"], m) | _unsafe(n - q["nf"], m)
            start, value = hidden["row"], q["nf"]
        elif kind == "outcome":
            sens = _unsafe(q["npos"], m) | _unsafe(n - q["npos"], m)
            start, value = hidden["row"], q["npos"]
        else:
            sens = sens_prev.copy()
            for key in ("tp", "fp", "fn", "tn"):
                sens |= _unsafe(q[key], m)
            start = hidden["row"] | hidden["flag"] | hidden["outcome"]
            value = n
        sens_prev = sens_prev | sens
        g = b.g
        g.cons = list(base_cons)
        want = {"row": "row", "flag": "nf", "outcome": "npos"}.get(kind)
        for node, ckind, members in conc.values():
            if ckind == want:
                g.total(node, members)
        system = _linked.system_of(g)  # once per kind: protection and the check below
        if off:
            h = np.zeros(n.size, dtype=bool)
        else:
            h = _linked.protect(g, value, present, start | sens, sens, m, system=system)
        hidden[kind] = h
        known0 = (np.asarray(g.published) & ~h) | ~present
        known, _ = _linked.determined(known0, system)
        for cname, u in b.units.items():  # no unit's small count is left unknown
            known_units[(cname, kind)] = bool((known[u] | ~_unsafe(value[u], m)).all())
    if not t.has_outcome:
        hidden["outcome"] = hidden["row"]
        hidden["errors"] = hidden["row"] | hidden["flag"]
    out: dict[str, Any] = {"main": {}, "ctrl": {}, "total": {}, "concentration": {},
                           "units_known": known_units}
    for a in t.attrs:
        out["main"][a.name] = {k: hidden[k][b.main[a.name]] for k in KINDS}
    for key, ids in b.cell.items():
        out["ctrl"][key] = {k: hidden[k][ids] for k in KINDS}
    out["total"] = {k: bool(hidden[k][b.T]) for k in KINDS}
    kind_of = {"flags": "flag", "outcomes": "outcome"}
    for (cname, measure, name), (node, ckind, _) in conc.items():
        kind = "row" if name == "half" else kind_of[measure]
        out["concentration"][(cname, measure, name)] = bool(hidden[kind][node])
    return out
