"""Cross-validation folds that keep a group together and spread the outcomes evenly.

scikit-learn's :class:`~sklearn.model_selection.StratifiedGroupKFold` assigns groups to
folds one at a time, each to the fold whose class mix it disturbs least: exact, but a
Python loop over groups (1.4 of 4.6 s of a scorecard fit on 7,000 pupils). For a binary
outcome the same aim is met in one sort: groups ordered by how many positive rows they
hold (then by size, then at random), dealt to the folds in turn, so every fold gets its
share of the positive groups and of the rows, within one group.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def grouped_folds(y: np.ndarray, groups: np.ndarray, n_splits: int,
                  seed: int | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(train, test)`` row indices of ``n_splits`` folds; no group in two folds.

    Parameters
    ----------
    y : array of 0/1
        The outcome of each row.
    groups : array
        A label per row (e.g. the pupil's UPN); rows with one label share a fold.
    n_splits : int
        Number of folds (at most the number of groups).
    seed : int or None
        Orders groups that tie on positives and size, so the folds are deterministic
        per seed.

    Examples
    --------
    >>> y = np.array([1, 0, 0, 1, 0, 0, 1, 0, 0])
    >>> g = np.array([0, 0, 1, 2, 2, 3, 4, 5, 5])
    >>> folds = list(grouped_folds(y, g, 3, seed=0))
    >>> [int(y[test].sum()) for _, test in folds]
    [1, 1, 1]
    >>> all(not set(g[tr]) & set(g[te]) for tr, te in folds)
    True
    """
    _, inverse = np.unique(np.asarray(groups), return_inverse=True)
    inverse = inverse.ravel()
    size = np.bincount(inverse)
    positives = np.bincount(inverse, weights=np.asarray(y, dtype=float))
    tie = np.random.default_rng(seed).permutation(size.size)
    order = np.lexsort((tie, -size, -positives))  # last key first: positives, size, tie
    fold_of_group = np.empty(size.size, dtype=np.int64)
    # dealt back and forth (0 1 2 2 1 0 ...), so the largest groups of each kind do not
    # all land in the first folds
    turn = np.arange(size.size) % (2 * n_splits)
    fold_of_group[order] = np.where(turn < n_splits, turn, 2 * n_splits - 1 - turn)
    fold = fold_of_group[inverse]
    rows = np.arange(fold.size)
    for k in range(n_splits):
        test = fold == k
        yield rows[~test], rows[test]
