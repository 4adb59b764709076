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


def _labels(recent: pd.DataFrame, name: str) -> np.ndarray:
    if name not in recent.columns:
        raise KeyError(msg._RECENT_GROUPS.format(name))
    g = encode(recent[name], name)
    return np.asarray(g.labels, dtype=object)[g.codes]


def recent_counts(recent: pd.DataFrame, recent_outcome: Column | None, attrs: list[Grouping],
                  pooled: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """``{"counts": {attribute: (G, 2) [outcome, no outcome]}, "n_rows", "unmatched"}``."""
    if not isinstance(recent, pd.DataFrame):
        raise TypeError(msg._RECENT_TYPE.format(type(recent).__name__))
    if recent_outcome is None:
        raise ValueError(msg._RECENT_OUTCOME)
    y = binary(column(recent, recent_outcome, "recent_outcome"), "recent_outcome")
    labels = {}
    counts, unmatched = {}, {}
    for g in attrs:
        names = g.parts or (g.name,)
        per = []
        for part in names:
            if part not in labels:
                lab = _labels(recent, part)
                if part in pooled:
                    unknown, into = pooled[part]
                    lab = np.where(lab == unknown, into, lab)
                labels[part] = lab
            per.append(labels[part])
        lab = per[0] if len(per) == 1 else np.array(
            [JOIN.join(t) for t in zip(*per)], dtype=object)
        index = {v: i for i, v in enumerate(g.labels)}
        codes = np.array([index.get(v, -1) for v in lab], dtype=np.int64)
        ok = codes >= 0
        G = len(g.labels)
        pos = np.bincount(codes[ok], weights=y[ok].astype(float), minlength=G)
        n = np.bincount(codes[ok], minlength=G)
        counts[g.name] = np.stack([pos, n - pos], axis=-1).astype(np.int64)
        if (~ok).any():
            unmatched[g.name] = int((~ok).sum())
    return {"counts": counts, "n_rows": len(recent), "unmatched": unmatched,
            "unknown": UNKNOWN}
