"""Notes of an audit table: each cell's notes joined in the order they were added."""

import numpy as np
import pytest
from screening.audits._table import _join_notes


def _plain(marks, texts, shape):
    """The definition: a list of notes per cell, appended mask by mask, then joined."""
    notes = [[[] for _ in range(shape[1])] for _ in range(shape[0])]
    for mask, text in zip(marks, texts):
        for k, g in zip(*np.nonzero(mask)):
            notes[k][g].append(text)
    out = np.empty(shape, dtype=object)
    for k in range(shape[0]):
        for g in range(shape[1]):
            out[k, g] = "; ".join(notes[k][g])
    return out, np.array([[bool(x) for x in row] for row in notes], dtype=bool).reshape(shape)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (1, 1), (7, 5), (40, 12)])
@pytest.mark.parametrize("n_masks", [0, 1, 9, 17])
def test_joined_notes_are_the_cells_notes_in_order(shape, n_masks):
    rng = np.random.default_rng(n_masks * 100 + shape[0])
    marks = [rng.random(shape) < rng.choice([0.0, 0.1, 0.5, 1.0]) for _ in range(n_masks)]
    texts = [f"note {j}" for j in range(n_masks)]
    got, noted = _join_notes(marks, texts, shape)
    want, want_noted = _plain(marks, texts, shape)
    assert got.shape == shape and got.dtype == object
    assert got.tolist() == want.tolist()
    np.testing.assert_array_equal(noted, want_noted)
