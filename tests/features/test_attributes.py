"""Audit attributes: the ethnicity group of each pupil, worked out per distinct code."""

import numpy as np
import pandas as pd
import pytest
from screening.features._attributes import _per_distinct
from screening.features._codes import ethnicity_audit_group


def _group(codes):
    return ethnicity_audit_group(codes).fillna("Unknown").to_numpy()


@pytest.mark.parametrize("values", [
    ["WBRI", " wrom", None, "WBRI", "XX", "REFU", "WIRT", "", "abcd", None],
    [None, None],
    ["BAFR"],
    [],
])
@pytest.mark.parametrize("dtype", ["string", "string[python]", "str"])
def test_per_distinct_is_the_rowwise_group(values, dtype):
    s = pd.Series(values, dtype=dtype, index=np.arange(100, 100 + len(values)))
    want = _group(s)
    got = _per_distinct(_group, s)
    assert got.dtype == want.dtype and got.tolist() == want.tolist()
