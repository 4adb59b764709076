"""flag_top: choose which rows to flag, by capacity or by threshold, with a fixed tie rule."""

import numbers

import numpy as np
import pandas as pd

_ONE_OF = (
    "flag_top needs exactly one of capacity= or threshold=, got {0}. Pass capacity=0.05 "
    "(a fraction of rows) or capacity=50 (a number of rows), or threshold=0.2 (a risk)."
)
_BAD_CAPACITY = (
    "capacity must be a fraction between 0 and 1 (exclusive) or a whole number of rows "
    ">= 1, got {0!r}. For 5% of rows pass capacity=0.05; for 50 rows pass capacity=50."
)
_BAD_THRESHOLD = (
    "threshold must be a probability between 0 and 1, got {0!r}. Pass for example "
    "threshold=0.2 to flag every row with risk >= 0.2."
)
_TIEBREAK_LENGTH = (
    "tiebreak has {0} values but scores has {1}; pass one key per row (for example the "
    "pupil id column aligned with scores)."
)
_SCORES_SHAPE = "scores must be one-dimensional, got shape {0}. Pass one score per row."


def _n_to_flag(capacity, n):
    if isinstance(capacity, bool) or not isinstance(capacity, numbers.Real):
        raise ValueError(_BAD_CAPACITY.format(capacity))
    if 0 < capacity < 1:
        # floor, with a tolerance so that 0.29 * 100 flags 29 rows, not 28
        return int(np.floor(capacity * n + 1e-9))
    if capacity >= 1 and float(capacity).is_integer():
        return min(int(capacity), n)
    raise ValueError(_BAD_CAPACITY.format(capacity))


def flag_top(scores, *, capacity=None, threshold=None, tiebreak=None):
    """Flag the highest-risk rows, up to a capacity or above a threshold.

    Rule: rows are ranked by score (highest first), ties by ``tiebreak`` (ascending),
    remaining ties by position (first first); the first ``n`` rows are flagged, where
    ``n = floor(capacity * len(scores))`` for a fraction ``0 < capacity < 1`` and
    ``n = capacity`` (at most all rows) for a whole number. With ``threshold``, every row
    with ``score >= threshold`` is flagged. Missing (NaN) scores are never flagged.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Risk scores (probabilities), higher is riskier.
    capacity : float or int, optional
        Fraction of rows (0 < c < 1) or number of rows (whole number >= 1) to flag.
    threshold : float, optional
        Flag every row whose score is at least this probability.
    tiebreak : array-like of shape (n_samples,), optional
        Sort key breaking ties in score, ascending (for example a pupil id).

    Returns
    -------
    ndarray of bool of shape (n_samples,)

    Examples
    --------
    >>> flag_top([0.1, 0.5, 0.5, 0.2], capacity=2).tolist()
    [False, True, True, False]
    >>> flag_top([0.1, 0.5, 0.5, 0.2], capacity=1, tiebreak=["b", "z", "a", "c"]).tolist()
    [False, False, True, False]
    >>> flag_top([0.1, 0.5, 0.3], threshold=0.3).tolist()
    [False, True, True]
    """
    given = [name for name, v in (("capacity", capacity), ("threshold", threshold))
             if v is not None]
    if len(given) != 1:
        raise ValueError(_ONE_OF.format("both" if given else "neither"))
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 1:
        raise ValueError(_SCORES_SHAPE.format(scores.shape))
    n = scores.shape[0]
    valid = ~np.isnan(scores)
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not (
                0 <= threshold <= 1):
            raise ValueError(_BAD_THRESHOLD.format(threshold))
        return valid & (np.where(valid, scores, -np.inf) >= threshold)
    k = min(_n_to_flag(capacity, n), int(valid.sum()))
    if tiebreak is None:
        key = np.zeros(n, dtype=np.intp)
    else:
        tiebreak = np.asarray(tiebreak)
        if tiebreak.shape[0] != n:
            raise ValueError(_TIEBREAK_LENGTH.format(tiebreak.shape[0], n))
        key = pd.Series(tiebreak).rank(method="dense").to_numpy()
    order = np.lexsort((np.arange(n), key, -np.where(valid, scores, -np.inf)))
    flags = np.zeros(n, dtype=bool)
    flags[order[:k]] = True
    return flags
