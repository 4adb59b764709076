"""Read a text column of plain integers (session counts in a CSV file) in Arrow, in one pass.

A column of 13.7 million attendance counts holds a few hundred distinct values, so the
text parsers factorise it (hash every cell) and parse each distinct value once. When every
cell is blank or a plain integer, Arrow's own cast reads the column directly, without a
hash table. The fast path is taken only when it cannot differ from the text parsers: every
byte of the text is a digit or a minus sign (so no spaces to strip, no fraction, exponent,
``+`` or hexadecimal ``0x..``, which Arrow would read and ``pandas.to_numeric`` would not),
and Arrow's cast accepts every cell; anything else gives ``None`` and the column goes the
usual way, so every problem is found and located exactly as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

_DIGIT_0, _DIGIT_9, _MINUS = ord("0"), ord("9"), ord("-")


def integer_column(s: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """``(values as float64 with NaN for blanks, blank mask)`` of an Arrow text column
    of plain integers, or ``None`` when it holds anything else (or is not Arrow text).

    Blanks are missing cells (the CSV reader makes empty and whitespace cells missing).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"):
        return None
    arr = pa.chunked_array(s.array.__arrow_array__())
    if not all(_digits_only(chunk) for chunk in arr.chunks):
        return None
    try:
        ints = pc.cast(arr, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    blank = (np.asarray(ints.is_null(), dtype=bool) if ints.null_count
             else np.zeros(len(s), dtype=bool))
    # int64 -> float64 rounds as numpy's astype does (pandas.to_numeric gives int64 first)
    values = pc.cast(ints, pa.float64()).to_numpy()  # nulls -> NaN
    return np.asarray(values, dtype=np.float64), blank


def _digits_only(chunk: Any) -> bool:
    """Whether the text bytes of one Arrow (large_)string array are all digits or '-'."""
    import pyarrow as pa

    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
        return False
    if len(chunk) == 0:
        return True
    _, offsets_buf, data_buf = chunk.buffers()
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=width)[chunk.offset: chunk.offset + len(chunk) + 1]
    lo, hi = int(offsets[0]), int(offsets[-1])
    if hi == lo:
        return True
    data = np.frombuffer(data_buf, dtype=np.uint8)[lo:hi]
    # bytes of null cells lie in the range too: the CSV reader leaves them empty
    return bool(((data >= _DIGIT_0) & (data <= _DIGIT_9) | (data == _MINUS)).all())
