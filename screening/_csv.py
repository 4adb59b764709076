"""CSV files for people: no cell a spreadsheet would run as a formula.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or
``@`` (and some also one that starts with a tab or carriage return) as a formula, so a
UPN, school name or group label such as ``=HYPERLINK("http://...")`` in an export
would run when a colleague opens the file. Every CSV the library writes for people
(scores, audits, drift, case lists) goes through :func:`write_csv`, which prefixes
such text with an apostrophe (``'=HYPERLINK(...)``), the usual defence (OWASP, "CSV
injection"): the spreadsheet shows the text and runs nothing. Numbers stay numbers:
numeric columns are written as they are, and text that is just a number (``-3``,
``+0.5``, ``-1e-3``) is left alone because a spreadsheet reads it as that number,
never as a formula. Lines end in CRLF, so a carriage return inside a text is quoted
and cannot start a new row. The JSON output keeps the original values.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_RE = re.compile(_NUMBER)


def neutralise(value):
    """``value`` with an apostrophe in front if a spreadsheet would run it as a formula.

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://x", "click")')
    '\\'=HYPERLINK("http://x", "click")'
    >>> neutralise("@SUM(A1)"), neutralise("-0.5"), neutralise(-0.5), neutralise("A123")
    ("'@SUM(A1)", '-0.5', -0.5, 'A123')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not (
            _NUMBER_RE.fullmatch(value)):
        return "'" + value
    return value


def _safe_text(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        if pd.api.types.is_object_dtype(cats.dtype) or pd.api.types.is_string_dtype(
                cats.dtype):
            new = [neutralise(c) for c in cats]
            if new != list(cats):
                return s.cat.rename_categories(new)
        return s
    if not (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)):
        return s  # numbers, booleans and dates are never formulas
    arr = s.astype("object").to_numpy(copy=True)
    is_str = np.fromiter((isinstance(v, str) for v in arr), bool, len(arr))
    if not is_str.any():
        return s
    strings = pd.Series(arr[is_str], dtype=object)
    risky = (strings.str.startswith(FORMULA_START) & ~strings.str.fullmatch(_NUMBER)
             ).to_numpy(dtype=bool)
    if not risky.any():
        return s
    at = np.flatnonzero(is_str)[risky]
    arr[at] = ["'" + v for v in arr[at]]
    return pd.Series(arr, index=s.index, name=s.name)


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot run as formulas.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"upn": ["=1+1", "A1"], "risk": [-0.2, 0.4]})
    >>> spreadsheet_safe(df).to_dict("list")
    {'upn': ["'=1+1", 'A1'], 'risk': [-0.2, 0.4]}
    """
    out = pd.DataFrame({i: _safe_text(frame.iloc[:, i]) for i in range(frame.shape[1])},
                       index=frame.index)
    out.columns = [neutralise(str(c)) if isinstance(c, str) else c for c in frame.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Write ``frame`` as a spreadsheet-safe CSV (no index unless asked); return the path.

    Lines end in CRLF (RFC 4180), so a field holding a carriage return or a line feed
    is quoted and cannot split its row: with bare LF line ends a lone CR inside a text
    would be written unquoted, and a spreadsheet would start a new row there, whose
    first cell could be a formula.
    """
    kwargs.setdefault("index", False)
    kwargs.setdefault("lineterminator", "\r\n")
    spreadsheet_safe(frame).to_csv(path, **kwargs)
    return Path(path)
