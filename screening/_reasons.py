"""Reasons that say something about the pupil: a band nearly every classmate shares is not one.

A scorecard's reasons are the bands that add the most points above a typical training
pupil. Some bands hold for (almost) everyone in a year group of the screened cohort:
"New to the school" for every September Year 7, or a school-context band when every
incoming pupil gets the same default. Such a reason tells the reader nothing about the
child, so it is not listed: it still adds its points to the risk, and the result lists
it once (``ScreeningResult.shared_reasons``) instead of in every row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

#: A reason held by at least this share of a year group's screened pupils is shared.
SHARED_SHARE = 0.95
#: Year groups with fewer screened pupils keep every reason (too few to tell).
MIN_PUPILS = 30


def distinguishing_reasons(all_reasons: pd.DataFrame, year_group: ArrayLike,
                           k: int = 3) -> tuple[pd.DataFrame, dict[Any, list[str]]]:
    """The first ``k`` reasons of each row that most of its year group does not share.

    Parameters
    ----------
    all_reasons : DataFrame
        Every reason of each row, most points first (``reason_1`` .. ``reason_m``,
        ``""`` or missing when none).
    year_group : array-like
        The year group of each row.
    k : int, default=3

    Returns
    -------
    (DataFrame, dict)
        ``reason_1`` .. ``reason_k``, and the reasons left out, by year group.

    Examples
    --------
    >>> r = pd.DataFrame({"reason_1": ["New: +3"] * 40,
    ...                   "reason_2": ["Absence: +2"] + [""] * 39})
    >>> out, shared = distinguishing_reasons(r, [7] * 40, k=2)
    >>> out.iloc[0].tolist(), out.iloc[1].tolist(), shared
    (['Absence: +2', ''], ['', ''], {7: ['New: +3']})
    """
    texts = all_reasons.to_numpy(dtype=object)
    n, m = texts.shape
    codes, vocab = _codes(texts.ravel())
    return distinguishing_reason_codes(codes.reshape(n, m), vocab, year_group, k,
                                       index=all_reasons.index)


def distinguishing_reason_codes(codes: np.ndarray, vocab: np.ndarray, year_group: ArrayLike,
                                k: int = 3, *, index: pd.Index | None = None,
                                ) -> tuple[pd.DataFrame, dict[Any, list[str]]]:
    """:func:`distinguishing_reasons` of reasons given as codes into their texts.

    Parameters
    ----------
    codes : ndarray of shape (n, m)
        Every reason of each row, most points first, as an index into ``vocab``; -1
        when none. Equal texts must share a code.
    vocab : ndarray of object
        The texts.
    year_group : array-like
    k : int, default=3
    index : Index, optional
        Index of the returned frame (a RangeIndex by default).
    """
    n, m = codes.shape
    years = np.asarray(year_group)
    blank = np.array([str(t) == "" for t in vocab] + [True], dtype=bool)  # code -1: none
    keep = ~blank[codes]
    shared = {}
    for year in pd.unique(years):
        rows = np.flatnonzero(years == year)
        if len(rows) < MIN_PUPILS:
            continue
        # a text appears at most once per row, so its count is the pupils holding it
        counts = np.bincount(codes[rows].ravel() + 1, minlength=len(vocab) + 1)
        common = np.r_[counts[1:], 0] >= SHARED_SHARE * len(rows)  # last: code -1
        common &= ~blank
        if common.any():
            shared[int(year) if isinstance(year, (int, np.integer)) else year] = sorted(
                str(t) for t in vocab[common[:-1]])
            keep[rows] &= ~common[codes[rows]]
    out = np.full((n, k), "", dtype=object)
    # the j-th kept text of a row is where the running count of kept texts reaches j
    seen = np.cumsum(keep, axis=1)
    for j in range(min(k, m)):
        at = keep & (seen == j + 1)
        has = at.any(axis=1)
        out[has, j] = vocab[codes[has, at[has].argmax(axis=1)]]
    frame = pd.DataFrame(out, columns=[f"reason_{j + 1}" for j in range(k)],
                         index=index)
    return frame, shared


def _codes(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of ``texts`` into their distinct values, -1 for ``""`` or missing.

    Most rows have only a few reasons and the texts come from a small vocabulary (one
    per band of the card), so only the non-blank ones are hashed.
    """
    codes = np.full(len(texts), -1, dtype=np.intp)
    try:
        present = np.asarray(texts != "", dtype=bool)
    except TypeError:  # pd.NA has no truth value: hash everything
        present = np.ones(len(texts), dtype=bool)
    found, vocab = pd.factorize(texts[present])
    codes[present] = found
    return codes, np.asarray(vocab, dtype=object)
