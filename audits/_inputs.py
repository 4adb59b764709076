"""Turn the user's columns, arrays and Series into aligned numpy arrays.

Groups become integer codes plus string labels. Missing group values become
an explicit ``"Unknown"`` group (merged with a real group of that name, if any).
Intersections combine codes, and are labelled ``"sex × fsm"`` / ``"F × True"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

import numpy as np
import pandas as pd

from . import _messages as msg
from ._flag import flag_top

if TYPE_CHECKING:
    from ._typing import Column, Groups, Nested

UNKNOWN = "Unknown"
JOIN = " × "


@dataclass(frozen=True)
class Grouping:
    """One audited attribute: a code per row and a label per code."""

    name: str
    codes: np.ndarray  # int64, one per row, in 0..len(labels)-1
    labels: tuple[str, ...]
    subsets: tuple = ()  # index arrays of groups summing to a shown total (intersections)
    parts: tuple = ()  # names of the attributes an intersection combines
    components: np.ndarray | None = None  # (groups, parts): each part's group index


@overload
def column(frame: pd.DataFrame, value: None, role: str) -> None: ...
@overload
def column(frame: pd.DataFrame, value: Column, role: str) -> pd.Series: ...
def column(frame: pd.DataFrame, value: Column | None, role: str) -> pd.Series | None:
    """Return ``value`` as a Series aligned with ``frame`` (or None)."""
    if value is None:
        return None
    if isinstance(value, str):
        if value not in frame.columns:
            cols = ", ".join(map(repr, list(frame.columns)[:20]))
            raise KeyError(msg._COLUMN_MISSING.format(value, role, cols))
        return frame[value]
    if isinstance(value, (pd.Series, pd.Index)):
        s = pd.Series(value) if isinstance(value, pd.Index) else value
        if len(s) != len(frame):
            raise ValueError(msg._LENGTH_MISMATCH.format(role, len(s), len(frame)))
        if isinstance(value, pd.Index) or s.index.equals(frame.index):
            return pd.Series(s.to_numpy(), index=frame.index, name=s.name)
        if s.index.is_unique and frame.index.is_unique and s.index.sort_values().equals(
            frame.index.sort_values()
        ):
            return s.reindex(frame.index)
        raise ValueError(msg._INDEX_MISMATCH.format(role))
    arr = np.asarray(value)
    if arr.ndim != 1 or len(arr) != len(frame):
        raise ValueError(msg._LENGTH_MISMATCH.format(role, arr.size, len(frame)))
    return pd.Series(arr, index=frame.index)


def binary(series: pd.Series, role: str) -> np.ndarray:
    """0/1 or boolean values as a bool array; errors on missing or other values."""
    na = series.isna().to_numpy()
    if na.any():
        raise ValueError(msg._MISSING_VALUES.format(role, int(na.sum()), int(np.argmax(na))))
    values = series.to_numpy()
    if values.dtype == bool:
        return values
    try:
        num = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        num = None
    if num is None:
        bad = [v for v in values if v not in (0, 1)]
        raise ValueError(msg._BINARY_VALUES.format(role, len(bad), bad[0]))
    bad_mask = (num != 0) & (num != 1)
    if bad_mask.any():
        raise ValueError(
            msg._BINARY_VALUES.format(role, int(bad_mask.sum()), values[np.argmax(bad_mask)])
        )
    return num == 1


def numeric(series: pd.Series, role: str) -> np.ndarray:
    """A float array; errors on missing or non-numeric values."""
    if not (pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(
        series.dtype
    )):
        raise TypeError(msg._SCORE_VALUES.format(series.dtype))
    na = series.isna().to_numpy()
    if na.any():
        raise ValueError(msg._MISSING_VALUES.format(role, int(na.sum()), int(np.argmax(na))))
    return series.to_numpy(dtype=float)


def flags_from_score(score: np.ndarray, capacity: float | None = None,
                     threshold: float | None = None,
                     tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Flags from a score by the library's one rule, :func:`audits.flag_top`.

    >>> flags_from_score(np.array([0.2, 0.9, 0.5, 0.9]), capacity=2)
    array([False,  True, False,  True])
    >>> flags_from_score(np.array([0.2, 0.9, 0.5, 0.9]), capacity=0.75)
    array([False,  True,  True,  True])
    >>> flags_from_score(np.array([0.2, 0.9, 0.5]), threshold=0.5)
    array([False,  True,  True])
    """
    if capacity is not None and threshold is not None:
        raise ValueError(msg._CAPACITY_AND_THRESHOLD)
    if capacity is None and threshold is None:
        raise ValueError(msg._NEED_CAPACITY)
    return flag_top(score, capacity=capacity, threshold=threshold, tiebreak=tiebreak)


def encode(series: pd.Series, name: str) -> Grouping:
    """Integer codes and string labels for one group column.

    Categorical columns keep their category order (unused categories are
    kept as empty groups); other columns are sorted. Missing values become
    ``"Unknown"``, listed last.

    >>> g = encode(pd.Series(["F", None, "M", "F"]), "sex")
    >>> g.labels, g.codes.tolist()
    (('F', 'M', 'Unknown'), [0, 2, 1, 0])
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        uniques = list(series.cat.categories)
    else:
        try:
            codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
        except TypeError:  # mixed types that cannot be sorted together
            s = series.astype(object).where(series.notna(), None)
            s = s.map(lambda v: None if v is None else str(v))
            codes, uniques = pd.factorize(s, sort=True, use_na_sentinel=True)
        codes = np.asarray(codes, dtype=np.int64)
        uniques = list(uniques)
    labels = [str(u) for u in uniques]
    if len(set(labels)) != len(labels):  # e.g. 1 and "1": merge by label
        merged, remap = [], []
        for lab in labels:
            if lab not in merged:
                merged.append(lab)
            remap.append(merged.index(lab))
        codes = np.where(codes >= 0, np.asarray(remap, dtype=np.int64)[codes], -1)
        labels = merged
    missing = codes < 0
    if missing.any():
        if UNKNOWN in labels:
            codes = np.where(missing, labels.index(UNKNOWN), codes)
        else:
            codes = np.where(missing, len(labels), codes)
            labels.append(UNKNOWN)
    return Grouping(name=name, codes=codes, labels=tuple(labels))


def intersect(parts: list[Grouping]) -> Grouping:
    """The intersection of several groupings; only combinations that occur are kept.

    >>> a = encode(pd.Series(["F", "M", "F"]), "sex")
    >>> b = encode(pd.Series([True, False, False]), "fsm")
    >>> g = intersect([a, b])
    >>> g.name, g.labels
    ('sex × fsm', ('F × False', 'F × True', 'M × False'))
    """
    combined = np.zeros(len(parts[0].codes), dtype=np.int64)
    for p in parts:
        combined = combined * len(p.labels) + p.codes
    uniq, codes = np.unique(combined, return_inverse=True)
    labels, comp = [], []
    for u in uniq:
        pieces, idx = [], []
        for p in reversed(parts):
            u, r = divmod(int(u), len(p.labels))
            pieces.append(p.labels[r])
            idx.append(r)
        labels.append(JOIN.join(reversed(pieces)))
        comp.append(tuple(reversed(idx)))
    comp = np.array(comp, dtype=np.int64).reshape(len(uniq), len(parts))
    subsets = [np.arange(len(uniq))]
    for axis in range(len(parts)):  # cells sharing all other components sum to a margin
        others = np.delete(comp, axis, axis=1)
        _, key = np.unique(others, axis=0, return_inverse=True)
        for k in np.unique(key):
            members = np.nonzero(key.ravel() == k)[0]
            if len(members) > 1:
                subsets.append(members)
    name = JOIN.join(p.name for p in parts)
    return Grouping(name=name, codes=codes.astype(np.int64).ravel(), labels=tuple(labels),
                    subsets=tuple(subsets), parts=tuple(p.name for p in parts),
                    components=comp)


def groupings(frame: pd.DataFrame, groups: Groups,
              intersections: Sequence[tuple[str, ...]] | None = None, *, min_cell: int = 0,
              nested: Nested | None = None, pool_unknown: bool = True
              ) -> tuple[list[Grouping], list[tuple[str, str, np.ndarray]],
                         dict[str, tuple[str, str]]]:
    """All audited attributes (each group column, then each intersection) and their nesting.

    Returns ``(attributes, nesting, pooled)``: ``nesting`` lists ``(fine, coarse,
    fine_to_coarse)`` for every pair where one attribute's groups lie inside the
    other's (found in the data, plus those ``nested`` declares); ``pooled`` maps an
    attribute to ``(unknown_label, pooled_into_label)`` when its ``"Unknown"`` group
    had 1 to ``min_cell - 1`` pupils and was counted with the largest group.
    """
    if isinstance(groups, (str, pd.Series)):
        groups = [groups]
    if isinstance(groups, pd.DataFrame):
        groups = [groups[c].rename(str(c)) for c in groups.columns]
    groups = list(groups) if groups is not None else []
    if not groups:
        raise ValueError(msg._NO_GROUPS)
    out: dict[str, Grouping] = {}
    for g in groups:
        if isinstance(g, str):
            name = g
        elif isinstance(g, pd.Series) and g.name is not None:
            name = str(g.name)
        else:
            raise TypeError(msg._GROUP_SPEC.format(g))
        out[name] = encode(column(frame, g, "groups"), name)
    declared = _declared(nested, list(out))
    nesting = detect_nesting(list(out.values()), declared)
    pooled: dict[str, tuple[str, str]] = {}
    if pool_unknown and min_cell > 1:
        out, nesting, pooled = _pool(out, nesting, min_cell)
    extra = {}
    for spec in intersections or ():
        if isinstance(spec, str) or len(spec) < 2 or not all(isinstance(s, str) for s in spec):
            raise ValueError(msg._INTERSECTION_SPEC.format(spec))
        parts = []
        for s in spec:
            if s in out:
                parts.append(out[s])
            else:
                if s not in extra:
                    one = {s: encode(column(frame, s, "intersections"), s)}
                    if pool_unknown and min_cell > 1:
                        one, _, _ = _pool(one, [], min_cell)
                    extra[s] = one[s]
                parts.append(extra[s])
        g = intersect(parts)
        out[g.name] = g
    return list(out.values()), nesting, pooled


def _declared(nested: Nested | None, names: list[str]) -> list[tuple[str, str]]:
    """``nested`` as (fine, coarse) pairs; checks the names."""
    if nested is None:
        return []
    if isinstance(nested, dict):
        pairs = list(nested.items())
    else:
        pairs = list(nested)
    out = []
    for pair in pairs:
        if (isinstance(pair, str) or len(pair) != 2
                or not all(isinstance(x, str) for x in pair)):
            raise ValueError(msg._NESTED_SPEC.format(pair))
        for x in pair:
            if x not in names:
                raise KeyError(msg._NESTED_UNKNOWN.format(x, names))
        out.append(tuple(pair))
    return out


def _map(fine: Grouping, coarse: Grouping) -> np.ndarray | None:
    """fine-group -> coarse-group index if every fine group lies in one coarse group."""
    Gc = len(coarse.labels)
    seen = np.bincount(fine.codes * Gc + coarse.codes,
                       minlength=len(fine.labels) * Gc).reshape(len(fine.labels), Gc) > 0
    per = seen.sum(1)
    if (per > 1).any():
        return None
    # empty fine groups (unused categories) map nowhere: give them coarse -1
    return np.where(per == 1, np.argmax(seen, axis=1), -1)


def detect_nesting(attrs: list[Grouping], declared: Sequence[tuple[str, str]] = ()
                   ) -> list[tuple[str, str, np.ndarray]]:
    """Pairs (fine, coarse, map) of attributes whose groups nest, e.g. ethnicity codes.

    >>> fine = encode(pd.Series(["WBRI", "WIRT", "BCRB", "WBRI"]), "ethnicity")
    >>> coarse = encode(pd.Series(["White", "White", "Black", "White"]), "major")
    >>> [(f, c, m.tolist()) for f, c, m in detect_nesting([fine, coarse])]
    [('ethnicity', 'major', [0, 1, 1])]
    """
    by = {a.name: a for a in attrs}
    out, done = [], set()
    for fine_name, coarse_name in declared:
        fmap = _map(by[fine_name], by[coarse_name])
        if fmap is None:
            raise ValueError(msg._NESTED_NOT.format(fine_name, coarse_name))
        out.append((fine_name, coarse_name, fmap))
        done.add((fine_name, coarse_name))
    for f in attrs:
        for c in attrs:
            if f is c or (f.name, c.name) in done or (c.name, f.name) in done:
                continue
            nf = int((np.bincount(f.codes, minlength=len(f.labels)) > 0).sum())
            ncs = int((np.bincount(c.codes, minlength=len(c.labels)) > 0).sum())
            if ncs < 2 or ncs > nf or nf >= len(f.codes):
                continue
            fmap = _map(f, c)
            if fmap is not None:
                out.append((f.name, c.name, fmap))
                done.add((f.name, c.name))
    return out


def _pool(out: dict[str, Grouping], nesting: list[tuple[str, str, np.ndarray]], min_cell: int
          ) -> tuple[dict[str, Grouping], list[tuple[str, str, np.ndarray]],
                     dict[str, tuple[str, str]]]:
    """Count a tiny ``"Unknown"`` group with the attribute's largest group.

    A group of 1 to ``min_cell - 1`` pupils whose value is unknown would otherwise be
    suppressed, and the rule that no suppressed count can be recovered by subtraction
    would then hide a second group too (for ``fsm``, that is ``FSM = True``: the group
    the audit exists to show). Nested attributes pool consistently (the coarse Unknown
    goes to the coarse group of the fine target).
    """
    pooled = {}
    new = dict(out)
    children = {c: (f, m) for f, c, m in nesting}
    target = {}
    for name, g in out.items():
        if UNKNOWN not in g.labels:
            continue
        u = g.labels.index(UNKNOWN)
        n = np.bincount(g.codes, minlength=len(g.labels))
        if not 0 < n[u] < min_cell:
            continue
        known = np.where(np.arange(len(n)) == u, -1, n)
        if known.max() <= 0:
            continue
        target[name] = int(np.argmax(known))
    for coarse, (fine, fmap) in children.items():  # follow the fine attribute's choice
        if coarse in target and fine in target and fmap[target[fine]] >= 0:
            target[coarse] = int(fmap[target[fine]])
    for name, t in target.items():
        g = out[name]
        u = g.labels.index(UNKNOWN)
        codes = np.where(g.codes == u, t, g.codes)
        new[name] = Grouping(name=name, codes=codes, labels=g.labels)
        pooled[name] = (UNKNOWN, g.labels[t])
    kept = []
    for f, c, _ in nesting:  # pooling must keep every nesting; else undo the finer one
        m = _map(new[f], new[c])
        if m is None:
            new[f] = out[f]
            pooled.pop(f, None)
            m = _map(new[f], new[c])
            if m is None:
                new[c] = out[c]
                pooled.pop(c, None)
                m = _map(new[f], new[c])
        assert m is not None  # the attributes as given nest: detect_nesting found the map
        kept.append((f, c, m))
    return new, kept, pooled
