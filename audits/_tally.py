"""The counted inputs of one audit, kept so that audits of many frames merge exactly.

Every number an audit publishes is a function of its inputs' joint counts: how many
rows share each combination of group values, control values, covariates, flag,
outcome and score. :class:`Tally` keeps exactly that (one row per distinct
combination with a ``count``), plus the settings the audit was made with. Tallies of
several frames add up: concatenating them and summing the counts of equal rows gives
the tally of the concatenated frames, and the audit rebuilt from it
(:func:`screening.audits.merge_audits`) equals the audit of the concatenated frames:
rates, ratios, intervals and p-values are recomputed from the merged counts, Unknown
groups are pooled by their national size, and suppression is applied to the merged
tables as published.

Why the joint counts and not each table's cells (``AuditReport.cells``)? Cells per
attribute do not add up to everything a report shows: whether a small Unknown group
is pooled depends on its merged size (and pooling changes intersections and
breakdowns); score deciles, AUCs and adjusted ratios need the joint distribution. The
joint counts hold nothing the audited frame did not (and are never published: not in
``to_dict``, CSV or HTML); with a scorecard's few distinct scores they are much
smaller than the frame.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ._typing import Column, Groups

#: Reserved column names of the tally (start with a space: no frame column clashes).
FLAG, OUTCOME, SCORE, COUNT = " flag", " outcome", " score", " count"


@dataclass(frozen=True, eq=False, repr=False)
class Tally:
    """Joint counts of an audit's inputs and the settings it was made with."""

    table: pd.DataFrame           # one row per distinct input combination, " count"
    recent: pd.DataFrame | None   # the recent cohort's joint counts, or None
    settings: dict = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return int(self.table[COUNT].sum())

    def __repr__(self) -> str:
        return f"Tally({len(self.table)} distinct rows for {self.n_rows} counted)"


def group_series(frame: pd.DataFrame, groups: Groups,
                 column: Callable[..., pd.Series]) -> list[tuple[str, pd.Series]]:
    """``(name, values)`` of each audited group, as :func:`audit` reads ``groups``."""
    if isinstance(groups, (str, pd.Series)):
        groups = [groups]
    if isinstance(groups, pd.DataFrame):
        groups = [groups[c].rename(str(c)) for c in groups.columns]
    out = []
    for g in list(groups or []):
        name = g if isinstance(g, str) else str(g.name)
        out.append((name, column(frame, g, "groups")))
    return out


def count_rows(columns: dict) -> pd.DataFrame:
    """Distinct rows of ``columns`` (name -> aligned values) with their ``COUNT``.

    >>> count_rows({"sex": ["F", "M", "F", None], "flag": [1, 0, 1, 0]})
       sex  flag   count
    0    F     1       2
    1    M     0       1
    2  NaN     0       1
    """
    df = pd.DataFrame({k: (v.reset_index(drop=True) if isinstance(v, pd.Series)
                           else np.asarray(v)) for k, v in columns.items()})
    key = np.zeros(len(df), dtype=np.int64)
    radix = 1
    for name in df.columns:  # one mixed-radix integer per row (missing values: code 0)
        codes, uniques = pd.factorize(df[name], use_na_sentinel=True)
        size = len(uniques) + 1
        if radix * size >= 2**62:  # too many combinations for one integer: compress
            _, key = np.unique(key, return_inverse=True)
            radix = int(key.max()) + 1
        key = key * size + (codes.astype(np.int64) + 1)
        radix *= size
    _, first, counts = np.unique(key, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")  # first-seen order
    out = df.iloc[first[order]].reset_index(drop=True)
    out[COUNT] = counts[order].astype(np.int64)
    return out


def add(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The tally of the concatenated frames: equal rows' counts summed."""
    both = pd.concat(tables, ignore_index=True)
    keys = [c for c in both.columns if c != COUNT]
    if not keys:
        return both[[COUNT]].sum().to_frame().T
    out = both.groupby(keys, dropna=False, sort=False, observed=True)[COUNT].sum()
    return out.reset_index()


def _compact(s: pd.Series) -> pd.Series:
    """Text columns as categoricals with sorted categories: what the audit reads them as
    anyway (labels are sorted), in a fraction of the memory."""
    if s.dtype != object:
        return s
    present = s.dropna()
    if len(present) and all(isinstance(v, str) for v in present.unique()):
        return s.astype(pd.CategoricalDtype(sorted(present.unique())))
    return s


def expand(table: pd.DataFrame) -> pd.DataFrame:
    """One row per counted row (the frame the counts came from, rows grouped)."""
    reps = table[COUNT].to_numpy(dtype=np.int64)
    idx = np.repeat(np.arange(len(table)), reps)
    cols = {c: _compact(table[c]).iloc[idx].reset_index(drop=True)
            for c in table.columns if c != COUNT}
    return pd.DataFrame(cols)


def build(frame: pd.DataFrame, *, groups: Groups,
          intersections: Sequence[tuple[str, ...]] | None, controls: Sequence[str] | None,
          adjust: Sequence[str] | None, flag: Column | None, outcome: Column | None,
          score: Column | None, recent: pd.DataFrame | None, recent_outcome: Column | None,
          settings: dict[str, Any]) -> Tally:
    """The :class:`Tally` of one audit's inputs (``flag``/``outcome``/``score`` arrays)."""
    from ._inputs import binary, column

    cols: dict = {}
    named = group_series(frame, groups, column)
    for name, s in named:
        cols[name] = s
    names = [n for n, _ in named]
    parts = [p for spec in intersections or () for p in spec if p not in cols]
    for name in [*parts, *(controls or ()), *(adjust or ())]:
        if name not in cols:
            cols[name] = column(frame, name, "groups")
    cols[FLAG] = np.asarray(flag, dtype=bool)
    if outcome is not None:
        cols[OUTCOME] = np.asarray(outcome, dtype=bool)
    if score is not None:
        cols[SCORE] = np.asarray(score, dtype=float)
    rec = None
    if recent is not None:
        wanted = [c for c in dict.fromkeys([*names, *parts, *(adjust or ())])
                  if c in recent.columns]
        rcols: dict[str, Any] = {c: recent[c] for c in wanted}
        assert recent_outcome is not None  # audit() refused a recent cohort without it
        rcols[OUTCOME] = binary(column(recent, recent_outcome, "recent_outcome"),
                                "recent_outcome").astype(bool)
        rec = count_rows(rcols)
    return Tally(table=count_rows(cols), recent=rec, settings=dict(settings, groups=names))
