"""Positions of text among distinct values, from any mix of Arrow chunks and objects."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from screening.features._positions import index_in_each


@pytest.mark.parametrize("kind", ["chunked", "array", "object", "index"])
def test_positions_equal_get_indexer(kind):
    known = pd.Index(["A", "B", "C", "D"], dtype="string")
    parts = [["B", "Z", "A"], [], ["D", "D", "Q", "C"]]
    if kind == "chunked":
        values = [pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(
            [pa.array(p[:1], pa.large_string()), pa.array(p[1:], pa.large_string())])))
            for p in parts]
    elif kind == "array":
        values = [pd.array(p, dtype="str") for p in parts]
    elif kind == "object":
        values = [np.array(p, dtype=object) for p in parts]
    else:
        values = [pd.Index(p, dtype="string") for p in parts]
    got = index_in_each(values, known)
    for g, p in zip(got, parts):
        np.testing.assert_array_equal(g, known.get_indexer(pd.Index(p, dtype="string")))
        assert g.dtype == np.int64
