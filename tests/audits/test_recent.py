"""A recent cohort's outcome counts: labels matched per distinct label, as row by row."""

import numpy as np
import pandas as pd
import pytest
from screening.audits._inputs import JOIN, Grouping, encode
from screening.audits._recent import recent_counts


def _plain(recent, outcome, attrs, pooled):
    """The definition: each row's label (parts joined, pooled) looked up one by one."""
    counts, unmatched = {}, {}
    y = recent[outcome].to_numpy().astype(int)
    for g in attrs:
        per = []
        for part in g.parts or (g.name,):
            e = encode(recent[part], part)
            lab = np.asarray(e.labels, dtype=object)[e.codes]
            if part in pooled:
                lab = np.where(lab == pooled[part][0], pooled[part][1], lab)
            per.append(lab)
        lab = per[0] if len(per) == 1 else [JOIN.join(t) for t in zip(*per)]
        index = {v: i for i, v in enumerate(g.labels)}
        codes = np.array([index.get(v, -1) for v in lab], dtype=np.int64)
        ok = codes >= 0
        pos = np.bincount(codes[ok], weights=y[ok], minlength=len(g.labels))
        n = np.bincount(codes[ok], minlength=len(g.labels))
        counts[g.name] = np.stack([pos, n - pos], axis=-1).astype(np.int64)
        if (~ok).any():
            unmatched[g.name] = int((~ok).sum())
    return counts, unmatched


def _attrs():
    sex = Grouping("sex", np.zeros(0, np.int64), ("F", "M", "Unknown"))
    eth = Grouping("ethnicity", np.zeros(0, np.int64), ("WBRI", "Other"))
    both = Grouping(f"sex{JOIN}ethnicity", np.zeros(0, np.int64),
                    (f"F{JOIN}WBRI", f"M{JOIN}Other", f"Unknown{JOIN}Other"),
                    parts=("sex", "ethnicity"))
    return [sex, eth, both]


@pytest.mark.parametrize("n", [0, 1, 57])
def test_counts_match_row_by_row_lookup(n):
    rng = np.random.default_rng(n)
    recent = pd.DataFrame({
        "sex": pd.array(rng.choice(["F", "M", None, "X"], n), dtype="string"),
        "ethnicity": rng.choice(["WBRI", "Other", "Unknown", "WIRT"], n).astype(object),
        "outcome": rng.integers(0, 2, n),
    })
    attrs = _attrs()
    for pooled in ({}, {"ethnicity": ("Unknown", "Other")}):
        got = recent_counts(recent, "outcome", attrs, pooled)
        counts, unmatched = _plain(recent, "outcome", attrs, pooled)
        assert got["unmatched"] == unmatched and got["n_rows"] == n
        assert got["counts"].keys() == counts.keys()
        for name, c in counts.items():
            np.testing.assert_array_equal(got["counts"][name], c)
            assert got["counts"][name].dtype == c.dtype
