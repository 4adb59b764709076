"""The fast (pyarrow) CSV reader gives exactly the frame the pandas reader gives."""

import pandas as pd
import pytest
from screening.features._io import _header, _read_csv, _read_csv_arrow

# plain files the pyarrow reader takes, and unusual ones it must hand to pandas
CASES = {
    "plain": (b"upn,sex\nA1,M\nA2,F\n", True),
    "blank and whitespace cells": (b"upn,sex\nA1,  \n,F\n\n", True),
    "no-break and ideographic spaces": (
        "upn,sex\nA1,\u00a0\nA2,\u3000 \n\u00e9,F\n".encode(), True),
    "control whitespace": (b"upn,sex\nA1,\x1c\nA2,\t\x0b\n", True),
    "quotes inside and around cells": (b'a,b\nab"c,"d""e"\n', True),
    "quoted line break": (b'a,b\n1,"x\r\ny"\n', True),
    "windows line ends": (b"a,b\r\n1,2\r\n", True),
    "header only": (b"a,b\n", True),
    "byte order mark": (b"\xef\xbb\xbfupn,sex\nA1,M\n", True),
    "one column with a whitespace line": (b"upn\nA\n   \n\nB\n", False),
    "whitespace line in two columns": (b"a,b\n1,2\n   \n3,4\n", False),
    "too many fields": (b"a,b\n1,2\n3,4,5\n", False),
    "too few fields": (b"a,b\n1\n", False),
    "repeated header name": (b"a,a\n1,2\n", False),
    "quoted header": (b'"a",b\n1,2\n', False),
}


def _pandas(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for i in range(df.shape[1]):
        s = df.iloc[:, i]
        df.isetitem(i, s.where(s.str.strip() != ""))
    return df


@pytest.mark.parametrize("case", sorted(CASES))
def test_fast_reader_matches_pandas_or_steps_aside(case, tmp_path):
    data, fast = CASES[case]
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    assert (_read_csv_arrow(path, _header(path)) is not None) == fast
    try:
        want = _pandas(path)
    except Exception as exc:  # the same error, raised by the same reader
        with pytest.raises(type(exc), match=str(exc)):
            _read_csv(path)
        return
    got = _read_csv(path)
    if case == "repeated header name":
        want.columns = ["a", "a"]  # the loader keeps the file's names
    pd.testing.assert_frame_equal(got, want)
    assert list(got.dtypes) == list(want.dtypes)


def test_not_utf8_is_left_to_pandas(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n\xe9,1\n")
    assert _read_csv_arrow(path, ["a", "b"]) is None


@pytest.mark.parametrize("data,quoted", [(b"", False), (b"a,b\n1,2\n", False),
                                         (b'a,b\n1,"2"\n', True), (b'a,b\n1,x"y\n', True)])
def test_quotes_are_found_anywhere_in_the_file(data, quoted, tmp_path):
    from screening.features._io import _has_quote

    path = tmp_path / "t.csv"
    path.write_bytes(data)
    assert _has_quote(path) is quoted


@pytest.mark.parametrize("cells", [["a", "b"], ["a", ""], ["a", " "], ["a", "\u00a0"],
                                   ["a", "\u2003x"], ["\u00e9", "x"], ["a", " b"], ["a\t", "b"],
                                   ["a", "\x1f"], [], ["a", None]])
def test_blank_cells_is_str_strip(cells):
    """The first-byte shortcut never misses a blank cell (empty or whitespace only)."""
    from screening.features._io import _blank_cells

    s = pd.Series(cells, dtype="str")
    expected = [isinstance(v, str) and v.strip() == "" for v in cells]
    assert _blank_cells(s).tolist() == expected
    assert _blank_cells(s.iloc[1:]).tolist() == expected[1:]  # a slice of the Arrow data
