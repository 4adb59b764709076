"""Linked small-cell suppression across everything one audit publishes.

Every count an audit shows (a group's pupils, flags, outcomes, confusion counts; in
the main table, an intersection, a nested attribute, a breakdown by school) is a sum
of pupils, so the published numbers are tied together by equalities:

* the cohort total is the sum of every attribute's groups;
* a coarse group (``ethnicity_major = White``) is the sum of its fine groups
  (``WBRI + WIRT + WOTH + WROM``): *nesting*, detected from the data or declared;
* an intersection's cells sum to both margins;
* in a breakdown by a control (school), a group's cells over the schools sum to the
  main table, and each school's cells over the groups sum to the school's total: a
  number no table prints, but one that any fully shown row of any attribute reveals,
  and the concentration summary publishes sums of the largest schools' totals.

This module builds that system once for the whole audit, as *nodes* (every published
cell, plus a node for each school total and each concentration figure) and
*constraints* (a total equals the sum of its parts), and decides what to hide for
one kind of count at a time (pupils, flags, outcomes, the confusion counts):

1. hide every node whose count (or its complement, e.g. ``n - n_flagged``) is from 1
   to ``min_cell - 1``;
2. find every hidden small count that the published equalities still determine:
   first by elimination (a constraint with one unknown gives it), then exactly, by
   the null space of the equalities over each connected block of unknowns (a count is
   determined when every solution of the published equalities agrees on it);
3. for each such count, hide one more published node in a constraint that links it
   (preferring a concentration figure, then the smallest count of at least
   ``min_cell``, then the smallest non-zero count), and repeat until nothing small is
   determined.

The test suite checks the result from the outside, as an intruder would: it bounds
every hidden count by linear programming over all published numbers of an audit
(with non-negativity of the pupil-level cross-classification) and asserts that no
count from 1 to ``min_cell - 1`` is determined or confined to that range.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

#: Largest block of linked unknowns solved exactly; larger blocks use elimination only.
MAX_BLOCK = 2500
_MAX_ROUNDS = 10_000


@dataclass
class Graph:
    """Nodes and equality constraints (``sum(coef * value) == 0``) of one audit."""

    n_nodes: int = 0
    published: list = field(default_factory=list)  # bool per node: printed somewhere
    hideable: list = field(default_factory=list)   # bool: may be blanked (not the total)
    summary: list = field(default_factory=list)    # bool: a concentration figure
    rank: list = field(default_factory=list)       # how much a table loses by a blank
    cons: list = field(default_factory=list)       # (ids array, coefs array)

    def add_nodes(self, count: int, *, published: bool = True, summary: bool = False,
                  hideable: bool | None = None, rank: int = 0) -> np.ndarray:
        ids = np.arange(self.n_nodes, self.n_nodes + count)
        self.n_nodes += count
        self.rank.extend([rank] * count)
        self.published.extend([published] * count)
        self.hideable.extend([published if hideable is None else hideable] * count)
        self.summary.extend([summary] * count)
        return ids

    def total(self, total_id: int, part_ids: np.ndarray) -> None:
        """``value[total_id] == sum(value[part_ids])``."""
        part_ids = np.asarray(part_ids, dtype=np.int64).ravel()
        if part_ids.size == 0:
            return
        # filled in place: an audit adds tens of thousands of these
        ids = np.empty(part_ids.size + 1, dtype=np.int64)
        ids[0] = total_id
        ids[1:] = part_ids
        coefs = np.ones(part_ids.size + 1)
        coefs[0] = -1.0
        self.cons.append((ids, coefs))


class _System:
    """A graph's constraints as flat arrays, built once per protection run.

    ``ids[ptr[c]:ptr[c + 1]]`` (and ``coefs``) are the members of constraint ``c``, and
    ``members(node)`` the constraints a node appears in, in constraint order, so every
    per-constraint count is one vectorised pass instead of a Python loop.
    """

    def __init__(self, cons: list[tuple[np.ndarray, Any]], n_nodes: int):
        self.cons = cons
        lens = np.fromiter((len(ids) for ids, _ in cons), dtype=np.int64, count=len(cons))
        self.ptr = np.concatenate([[0], np.cumsum(lens)])
        if cons:
            self.ids = np.concatenate([np.asarray(ids, dtype=np.int64) for ids, _ in cons])
            self.coefs = np.concatenate([np.asarray(c, dtype=float) for _, c in cons])
        else:
            self.ids, self.coefs = np.zeros(0, np.int64), np.zeros(0)
        self.con = np.repeat(np.arange(len(cons)), lens)
        order = np.argsort(self.ids, kind="stable")
        self._mcon = self.con[order]
        self._mptr = np.searchsorted(self.ids[order], np.arange(n_nodes + 1))

    def members(self, node: int) -> np.ndarray:
        """Constraints holding ``node`` (once per appearance), in constraint order."""
        return self._mcon[self._mptr[node]:self._mptr[node + 1]]

    def ids_of(self, ci: int) -> np.ndarray:
        return self.ids[self.ptr[ci]:self.ptr[ci + 1]]

    def per_constraint(self, x: np.ndarray) -> np.ndarray:
        """Sum of ``x`` (one value per member entry) over each constraint."""
        cs = np.concatenate([[0], np.cumsum(x)])
        return cs[self.ptr[1:]] - cs[self.ptr[:-1]]


def _elimination(known: np.ndarray, system: _System) -> tuple[np.ndarray, dict[int, int]]:
    """Known nodes after repeatedly solving constraints with a single unknown."""
    known = known.copy()
    unknown_count = system.per_constraint((~known[system.ids]).astype(np.int64))
    by = {}
    stack = np.flatnonzero(unknown_count == 1).tolist()
    while stack:
        ci = stack.pop()
        if unknown_count[ci] != 1:
            continue
        ids = system.ids_of(ci)
        node = int(ids[~known[ids]][0])
        known[node] = True
        by[node] = ci
        for cj in system.members(node).tolist():
            unknown_count[cj] -= 1
            if unknown_count[cj] == 1:
                stack.append(cj)
    return known, by


def determined(known: np.ndarray, system: _System) -> tuple[np.ndarray, dict[int, int]]:
    """Every node whose value the published equalities fix, and a constraint per node.

    Returns ``(known, by)`` where ``known`` adds the determined nodes and ``by`` maps a
    newly determined node to a constraint it appears in (where to complement).
    """
    known, by = _elimination(known, system)
    unk = np.nonzero(~known)[0]
    if unk.size == 0:
        return known, by
    pos = np.full(known.size, -1, dtype=np.int64)
    pos[unk] = np.arange(unk.size)
    # one row per constraint with two or more unknowns, holding its unknown entries
    entry_unknown = ~known[system.ids]
    multi = system.per_constraint(entry_unknown.astype(np.int64)) >= 2
    entries = entry_unknown & multi[system.con]
    row_con = np.flatnonzero(multi)
    r = row_con.size
    if r == 0:
        return known, by
    row_of = np.cumsum(multi) - 1
    rows = row_of[system.con[entries]]
    cols = pos[system.ids[entries]]
    vals = system.coefs[entries]
    a = coo_matrix((vals, (rows, cols)), shape=(r, unk.size)).tocsr()
    comp, row_comp = _blocks(rows, cols, r, unk.size)
    known = known.copy()
    for cidx, ridx in _grouped(comp, row_comp):
        if cidx.size < 2 or ridx.size == 0 or cidx.size > MAX_BLOCK:
            continue
        sub = a[ridx][:, cidx].toarray()
        # x_i is fixed by sub @ x = b iff e_i lies in the row space of sub, i.e. iff the
        # projection of e_i on that space (spanned by the right singular vectors of the
        # non-zero singular values) has length 1
        _, sv, vt = np.linalg.svd(sub, full_matrices=False)
        rank = int((sv > 1e-9 * max(1.0, sv.max(initial=0.0))).sum())
        fixed = (vt[:rank] ** 2).sum(axis=0) > 1 - 1e-7
        for j in np.nonzero(fixed)[0]:
            node = int(unk[cidx[j]])
            known[node] = True
            by[node] = row_con[int(ridx[np.nonzero(sub[:, j])[0][0]])]
    return known, by


def _blocks(rows: list[int], cols: list[int], n_rows: int,
            n_cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Block of every unknown and every constraint row: unknowns linked through rows.

    The components of the bipartite graph of unknowns and constraint rows (an edge
    where a row holds an unknown): the blocks of ``a.T @ a != 0`` without forming it,
    which for a total over every school is dense in the schools (its square).
    """
    r = np.asarray(rows, dtype=np.int64)
    c = np.asarray(cols, dtype=np.int64)
    g = coo_matrix((np.ones(r.size, dtype=np.int8), (c, n_cols + r)),
                   shape=(n_cols + n_rows, n_cols + n_rows))
    _, labels = connected_components(g, directed=False)
    return labels[:n_cols], labels[n_cols:]


def _grouped(comp: np.ndarray,
             row_comp: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(unknowns, rows)`` index arrays of each block, in block order."""
    n = int(max(comp.max(initial=-1), row_comp.max(initial=-1))) + 1
    c_order = np.argsort(comp, kind="stable")
    r_order = np.argsort(row_comp, kind="stable")
    c_cut = np.searchsorted(comp[c_order], np.arange(n + 1))
    r_cut = np.searchsorted(row_comp[r_order], np.arange(n + 1))
    for b in range(n):
        yield c_order[c_cut[b]:c_cut[b + 1]], r_order[r_cut[b]:r_cut[b + 1]]


def system_of(graph: Graph) -> _System:
    """The graph's constraints as flat arrays (see :class:`_System`)."""
    return _System(graph.cons, graph.n_nodes)


def _aliases(graph):
    """Pairs of nodes that are equal by a two-member constraint (a one-code major group)."""
    pairs = [ids for ids, coefs in graph.cons if len(ids) == 2 and coefs[0] == -coefs[1]]
    return [(int(a), int(b)) for a, b in pairs]


def protect(graph: Graph, value: np.ndarray, present: np.ndarray, hidden: np.ndarray,
            sensitive: np.ndarray, min_cell: int, *,
            system: _System | None = None) -> np.ndarray:
    """Grow ``hidden`` until no ``sensitive`` hidden node is determined.

    Parameters
    ----------
    value : counts of this kind per node (what the cells would show).
    present : nodes with at least one pupil (empty cells are known zeros).
    hidden : published nodes hidden up front; unpublished nodes start unknown.
    sensitive : nodes that must stay undetermined (small counts, or complements).
    system : ``system_of(graph)``, when the caller has it already (it is built from
        the constraints, which protection reads but never changes).
    """
    published = np.asarray(graph.published, dtype=bool)
    hideable = np.asarray(graph.hideable, dtype=bool)
    summary = np.asarray(graph.summary, dtype=bool)
    cons = graph.cons
    if system is None:
        system = system_of(graph)
    aliases = _aliases(graph)
    hidden = hidden.copy() & published
    value = np.asarray(value, dtype=float)
    big = value >= min_cell
    # preference for a complement: the least valuable table first (a concentration
    # figure, a breakdown cell, an intersection cell, then a main-table group); within
    # it the smallest count >= min_cell, then the smallest non-zero count, then a cell
    # that is empty of this kind but has pupils
    rank = np.asarray(graph.rank, dtype=float)
    size = np.where(big, 1.0, np.where(value > 0, 2.0, 3.0))
    key = np.where(summary, 0.0, rank + 1.0) * 1e14 + size * 1e11 + value
    exact = False
    for _ in range(_MAX_ROUNDS):
        for a, b in aliases:  # equal cells are hidden together
            if hidden[a] != hidden[b]:
                hidden[a] = hidden[b] = hideable[a] and hideable[b] or hidden[a] or hidden[b]
        known0 = (published & ~hidden) | ~present
        if exact:
            known, by = determined(known0, system)
        else:
            known, by = _elimination(known0, system)
        leaks = np.nonzero(known & ~known0 & sensitive)[0]
        if leaks.size == 0 and exact:
            # no small count is determined; now make sure none is confined either: in
            # every total that holds a small hidden count, the hidden part must add up
            # to at least min_cell (else the intruder knows each part is below it)
            narrow = _narrow(system, known, sensitive, value, min_cell, hideable, present,
                             hidden)
            if not narrow:
                return hidden
            for ci in narrow:
                ids = cons[ci][0]
                ok = hideable[ids] & present[ids] & ~hidden[ids]
                cand = ids[ok]
                if cand.size == 0:
                    continue
                big_first = np.where(value[cand] >= min_cell, 0.0, 1.0) * 1e14 + \
                    rank[cand] * 1e11 + value[cand]
                hidden[int(cand[np.argmin(big_first)])] = True
            exact = False
            continue
        if leaks.size == 0:
            exact = True  # elimination is quiet: now the exact check
            continue
        changed, used = False, set()
        for node in leaks:
            con = by.get(int(node))
            if con in used:  # one new blank per constraint per round
                continue
            pick = _complement(int(node), con, cons, system, hidden, hideable,
                               present, known0, key, by)
            if pick is not None:
                hidden[pick] = True
                changed = True
                used.add(con)
        if not changed:
            return hidden  # nothing left that could be hidden (every linked cell is)
        exact = False
    return hidden


def _narrow(system, known, sensitive, value, min_cell, hideable, present, hidden):
    """Constraints whose unknown part holds a small count and adds up to under min_cell."""
    ids = system.ids
    unk = ~known[ids]
    has_small = system.per_constraint((unk & sensitive[ids]).astype(np.int64)) > 0
    total = system.per_constraint(np.where(unk, value[ids], 0.0))
    ok = system.per_constraint((hideable[ids] & present[ids] & ~hidden[ids]).astype(np.int64))
    return np.flatnonzero(has_small & (total > 0) & (total < min_cell) & (ok > 0)).tolist()


def _complement(node, con, cons, system, hidden, hideable, present, known0, key, by):
    """The best node to hide so that ``node`` is no longer determined (or None).

    Searches the constraints around ``node`` outwards (through unknown nodes) and
    returns the preferred shown, hideable, non-empty node of the nearest ring.
    """
    rings = []
    if con is not None:  # the deriving constraint, and the chain that derived its members
        first: list[Any] = []
        todo, done = [con], {node}
        while todo and len(first) < 200:
            ci = todo.pop()
            if ci in first:
                continue
            first.append(ci)
            for i in cons[ci][0]:
                i = int(i)
                if i not in done and i in by:
                    done.add(i)
                    todo.append(by[i])
        rings.append(first)
    rings.append(system.members(node).tolist())
    frontier = rings.pop(0)
    seen_c, seen_n = set(), {node}
    while frontier:
        best, best_key, nxt = None, np.inf, []
        for ci in frontier:
            if ci in seen_c:
                continue
            seen_c.add(ci)
            ids = cons[ci][0]
            ok = hideable[ids] & present[ids] & ~hidden[ids]
            if ok.any():
                cand = ids[ok]
                j = int(cand[np.argmin(key[cand])])
                if key[j] < best_key:
                    best, best_key = j, key[j]
            for i in ids:
                i = int(i)
                if i not in seen_n and not known0[i]:
                    seen_n.add(i)
                    nxt.extend(system.members(i).tolist())
        if best is not None:
            return best
        frontier = rings.pop(0) + nxt if rings else nxt
    return None
