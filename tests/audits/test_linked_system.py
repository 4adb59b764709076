"""The flat-array form of the linked-suppression constraints matches the plain lists."""

import numpy as np
import pytest
from screening.audits import _audit, _linked


def _random_graph(rng, n_nodes=60, n_cons=40):
    g = _linked.Graph()
    g.add_nodes(n_nodes)
    for _ in range(n_cons):
        total = int(rng.integers(n_nodes))
        parts = rng.choice(n_nodes, size=int(rng.integers(0, 6)), replace=False)
        g.total(total, parts)
    return g


@pytest.mark.parametrize("seed", range(5))
def test_system_members_and_sums_match_the_lists(seed):
    rng = np.random.default_rng(seed)
    g = _random_graph(rng)
    system = _linked.system_of(g)
    for node in range(g.n_nodes):
        expected = [ci for ci, (ids, _) in enumerate(g.cons) for i in ids if i == node]
        assert system.members(node).tolist() == expected
    x = rng.integers(0, 5, size=system.ids.size)
    expected = [x[system.ptr[c]:system.ptr[c + 1]].sum() for c in range(len(g.cons))]
    assert system.per_constraint(x).tolist() == expected


@pytest.mark.parametrize("seed", range(5))
def test_elimination_matches_solving_one_unknown_at_a_time(seed):
    rng = np.random.default_rng(seed)
    g = _random_graph(rng)
    known0 = rng.random(g.n_nodes) < 0.6
    known, by = _linked._elimination(known0, _linked.system_of(g))
    # a plain fixed point: any constraint with one unknown gives it
    ref = known0.copy()
    changed = True
    while changed:
        changed = False
        for ids, _ in g.cons:
            unknown = ids[~ref[ids]]
            if len(set(unknown.tolist())) == 1 and len(unknown) == 1:
                ref[unknown[0]] = True
                changed = True
    assert (known == ref).all()
    for node, ci in by.items():  # each derived node is derived by a constraint holding it
        assert node in g.cons[ci][0]


def test_joined_names_match_a_join_per_row():
    rng = np.random.default_rng(0)
    names = [f"c{i}" for i in range(11)]  # more than one byte of pattern
    stack = rng.random((500, 11)) < 0.2
    expected = [",".join(names[j] for j in np.nonzero(r)[0]) for r in stack]
    assert _audit._joined_names(names, stack) == expected
    assert _audit._joined_names(names, stack[:0]) == []
