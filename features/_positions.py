"""Positions of text values among distinct ones, by Arrow's hash tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _as_text(values: Any) -> Any:
    """``values`` as an Arrow ``large_string`` array (``TypeError`` if not text)."""
    import pyarrow as pa

    if hasattr(getattr(values, "array", values), "__arrow_array__"):
        a = pa.array(getattr(values, "array", values))
        if pa.types.is_string(a.type) or pa.types.is_large_string(a.type):
            return a.cast(pa.large_string())
    return pa.array(np.asarray(values, dtype=object), type=pa.large_string())


def index_in_each(values: list[Any], known: Any) -> list[np.ndarray]:
    """Position in ``known`` (distinct values) of each value of each ``v`` of
    ``values``, -1 where absent: ``Index(known).get_indexer(v)``, by one Arrow hash
    table when all are text (much faster)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        k = _as_text(known)
        v = [_as_text(x) for x in values]
    except (pa.ArrowException, TypeError):
        index = pd.Index(np.asarray(known, dtype=object), dtype=object)
        return [index.get_indexer(pd.Index(np.asarray(x, dtype=object), dtype=object))
                .astype(np.int64) for x in values]
    if not v:
        return []
    # chunks of chunks: a ChunkedArray given to pa.chunked_array would be read value by
    # value as a Python sequence
    chunks = [c for x in v for c in (x.chunks if isinstance(x, pa.ChunkedArray) else [x])]
    at = pc.index_in(pa.chunked_array(chunks, type=pa.large_string()), value_set=k)
    pos = pc.fill_null(at, -1).to_numpy().astype(np.int64)
    ends = np.cumsum([len(x) for x in v])
    return np.split(pos, ends[:-1])
