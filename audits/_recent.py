"""A recent cohort's outcomes, counted in the audited groups of the current cohort.

A screen's flags have no outcomes yet. To say whether a group is flagged in
proportion to how often it actually had the outcome, the audit takes a *recent*
cohort (for a screen: the latest census whose outcome window is complete) and counts
its outcomes in the same groups. Groups are matched by label; a recent pupil whose
group does not occur in the current cohort is left out and counted in
``params["recent_unmatched"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _messages as msg
from ._inputs import JOIN, UNKNOWN, binary, column, encode

if TYPE_CHECKING:
    from ._inputs import Grouping
    from ._typing import Column


def _part(recent: pd.DataFrame, name: str,
          pooled: dict[str, tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of one column of the recent cohort and the label of each code (pooled)."""
    if name not in recent.columns:
        raise KeyError(msg._RECENT_GROUPS.format(name))
    g = encode(recent[name], name)
    vocab = np.asarray(g.labels, dtype=object)
    if name in pooled:
        unknown, into = pooled[name]
        vocab = np.where(vocab == unknown, into, vocab)
    return g.codes, vocab


def _row_labels(per: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of each row's label (the parts' labels joined) and the label of each code.

    Each distinct combination of the parts' codes is joined once, not once per row.
    """
    if len(per) == 1:
        return per[0]
    combined = np.zeros(len(per[0][0]), dtype=np.int64)
    for codes, vocab in per:
        combined = combined * len(vocab) + codes
    uniq, inverse = np.unique(combined, return_inverse=True)
    texts = []
    for u in uniq.tolist():
        pieces = []
        for _, vocab in reversed(per):
            u, r = divmod(u, len(vocab))
            pieces.append(vocab[r])
        texts.append(JOIN.join(reversed(pieces)))
    return inverse.reshape(-1), np.asarray(texts, dtype=object)


def recent_counts(recent: pd.DataFrame, recent_outcome: Column | None, attrs: list[Grouping],
                  pooled: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """``{"counts": {attribute: (G, 2) [outcome, no outcome]}, "n_rows", "unmatched"}``."""
    if not isinstance(recent, pd.DataFrame):
        raise TypeError(msg._RECENT_TYPE.format(type(recent).__name__))
    if recent_outcome is None:
        raise ValueError(msg._RECENT_OUTCOME)
    y = binary(column(recent, recent_outcome, "recent_outcome"), "recent_outcome")
    parts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    counts, unmatched = {}, {}
    for g in attrs:
        names = g.parts or (g.name,)
        for part in names:
            if part not in parts:
                parts[part] = _part(recent, part, pooled)
        # every row's label is looked up by its distinct label, not row by row
        row_code, texts = _row_labels([parts[part] for part in names])
        index = {v: i for i, v in enumerate(g.labels)}
        lookup = np.array([index.get(v, -1) for v in texts], dtype=np.int64)
        codes = lookup[row_code]
        ok = codes >= 0
        G = len(g.labels)
        pos = np.bincount(codes[ok], weights=y[ok].astype(float), minlength=G)
        n = np.bincount(codes[ok], minlength=G)
        counts[g.name] = np.stack([pos, n - pos], axis=-1).astype(np.int64)
        if (~ok).any():
            unmatched[g.name] = int((~ok).sum())
    return {"counts": counts, "n_rows": len(recent), "unmatched": unmatched,
            "unknown": UNKNOWN}
