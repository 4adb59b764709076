"""Loading and writing record folders (CSV or Parquet)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _messages as M
from ._dates import parse_date
from ._errors import InputError, problem_frame
from ._records import TABLES, Records
from ._schema import REQUIRED
from ._typing import PathLike

METADATA_FILE = "metadata.json"
_FORMATS = ("csv", "parquet")
#: Optional tables written only when the records were given them.
_WRITTEN_WHEN_GIVEN = ("allocations", "episodes")


def _read_csv(path: Path) -> pd.DataFrame:
    header = _header(path)
    df = _read_csv_arrow(path, header)
    if df is None:
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _NotUtf8(path, exc) from None
    # pandas renames a repeated name (sex, sex.1): keep the file's names
    if len(header) == df.shape[1] and len(set(header)) < len(header):
        df.columns = header
    for i in range(df.shape[1]):  # '' (and whitespace) -> missing; values kept as written
        s = df.iloc[:, i]
        blank = _blank_cells(s)
        if blank.any():  # a whole new column: much faster than setting cells in place
            df.isetitem(i, s.where(~blank).array)
    return df


def _blank_cells(s: pd.Series) -> np.ndarray:
    """Cells of a text column that are empty or only whitespace (``str.strip() == ""``).

    Arrow's ``utf8_is_space`` (the same Unicode whitespace as ``str.strip``) stops at
    the first other character, so no stripped copy of the column is made. The usual
    column, where no cell is empty and none starts with a space or any other byte a
    whitespace character can start with, is told from the first bytes alone.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if hasattr(s.array, "__arrow_array__"):
        a = pa.array(s.array)
        if pa.types.is_string(a.type) or pa.types.is_large_string(a.type):
            if all(_starts_with_text(chunk) for chunk in pa.chunked_array(a).chunks):
                return np.zeros(len(a), dtype=bool)
            space = pc.utf8_is_space(a)
            if not pc.any(space).as_py() and not (pc.min(pc.binary_length(a)).as_py() == 0):
                return np.zeros(len(a), dtype=bool)  # the usual column: no mask to build
            blank = pc.or_(space, pc.equal(pc.binary_length(a), 0))
            return np.asarray(pc.fill_null(blank, False), dtype=bool)
    return (s.str.strip() == "").to_numpy(dtype=bool, na_value=False)


def _starts_with_text(chunk: Any) -> bool:
    """Whether every cell of an Arrow (large_)string array is a non-empty text whose first
    byte is printable ASCII (above the space, below 0x80), so none is blank. Whitespace
    characters (ASCII ones are bytes up to 0x20; any other starts with a byte from 0x80)
    cannot start such a cell. ``False`` only means "maybe": the caller checks fully.
    """
    import pyarrow as pa

    if chunk.null_count or len(chunk) == 0:
        return chunk.null_count == 0
    _, offsets_buf, data_buf = chunk.buffers()
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=width)[chunk.offset: chunk.offset + len(chunk) + 1]
    start = offsets[:-1]
    if (offsets[1:] == start).any():  # an empty cell
        return False
    first = np.frombuffer(data_buf, dtype=np.uint8)[start]
    return not bool(((first <= 0x20) | (first >= 0x80)).any())


def _header(path: Path) -> list[str]:
    """The file's column names as written (first CSV record), or ``[]`` if unreadable."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return next(csv.reader(fh), [])
    except (UnicodeDecodeError, csv.Error, OSError):
        return []


def _read_csv_arrow(path: Path, header: list[str]) -> pd.DataFrame | None:
    """Read a plain CSV file with pyarrow's reader, every cell as the text written.

    Gives the same frame as ``pandas.read_csv(dtype=str, keep_default_na=False)`` (an
    empty cell is ``""``) several times faster. Returns ``None`` for anything out of the
    ordinary (one column or none, a repeated or quoted header name, a row with too many
    or too few fields, text that is not UTF-8, an empty file), so the pandas reader
    handles it and reports it exactly as before.
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if len(header) < 2 or len(set(header)) < len(header):  # pandas skips blank-looking
        return None  # lines of a one-column file; pyarrow would keep them
    try:
        with open(path, "rb") as fh:
            first = fh.readline()
    except OSError:
        return None
    if b'"' in first or not first.strip():
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        # a line break inside a value needs quotes: a file without any is split into
        # blocks by its line breaks alone, and read by several threads at once
        quoted = _has_quote(path)
        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pcsv.ParseOptions(newlines_in_values=quoted),
            # large_string, as pandas stores text: to_pandas then copies nothing (with
            # string it casts every column, holding both copies of the text at once)
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.large_string() for n in names}, null_values=[],
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowException, OSError, ValueError):
        return None
    df = table.to_pandas()
    df.columns = header
    return df


def _has_quote(path: Path) -> bool:
    """Whether the file holds a double quote anywhere (one pass at memory speed)."""
    import mmap

    with open(path, "rb") as fh:
        if fh.seek(0, 2) == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
            return m.find(b'"') >= 0


class _NotUtf8(Exception):
    """A CSV file that is not UTF-8, with the data row of the first undecodable byte."""

    def __init__(self, path: Path, exc: UnicodeDecodeError):
        super().__init__(str(exc))
        self.row = None
        try:
            text = path.read_bytes().decode("utf-8-sig", errors="replace")
            bad = text.find("\ufffd")
            if bad >= 0:  # lines before the bad character, less the header row
                self.row = text.count("\n", 0, bad)
        except OSError:
            pass


def _read(path: Path) -> pd.DataFrame:
    # one block per column: the same frame, without copying columns of a type together
    df = _read_csv(path) if path.suffix == ".csv" else pd.read_parquet(
        path, to_pandas_kwargs={"split_blocks": True})  # type: ignore[call-overload]  # stubs lag pandas 3
    df = df.reset_index(drop=True)
    df.index = pd.RangeIndex(1, len(df) + 1)  # 1-based data row of the file
    return df


def read_table(path: Path, name: str) -> pd.DataFrame:
    """Read one table file (CSV or Parquet), or raise a located :class:`InputError`.

    Used for a table given on its own (the suspensions beside CTFs): a file that is
    not UTF-8, is empty or cannot be parsed is reported with the table, the data row
    where known and what to do.
    """
    problem = None
    try:
        return _read(path)
    except _NotUtf8 as exc:
        problem = dict(row=exc.row, problem=M.NOT_UTF8.format(error=exc), fix=M.NOT_UTF8_FIX)
    except pd.errors.EmptyDataError:
        problem = dict(row=None, problem=M.EMPTY_FILE, fix=M.EMPTY_FILE_FIX.format(
            table=name, columns=", ".join(REQUIRED[name])))
    except (UnicodeDecodeError, ValueError, OSError, pd.errors.ParserError) as exc:
        problem = dict(row=None, problem=M.UNREADABLE_FILE.format(error=exc),
                       fix=M.UNREADABLE_FILE_FIX)
    raise InputError(problem_frame([dict(table=name, column=None, value=path.name,
                                         **problem)]))


def load_records(folder: PathLike) -> Records:
    """Load a folder of tables in the input contract into :class:`Records`.

    Each table is read from ``NAME.csv`` (UTF-8, header row) or ``NAME.parquet``,
    where ``NAME`` is one of ``pupils, enrolments, attendance, attendance_marks,
    suspensions, sen, allocations, episodes``; other files are ignored.
    ``suspensions`` is required (a header row and no rows means none). CSV cells
    are read as text, so validation sees exactly what the file says; blank cells are
    missing. An optional ``metadata.json`` may give ``{"extract_date": "YYYY-MM-DD"}``.

    Tables are checked lazily: :meth:`Records.validate` (or the first use of a
    table) raises :class:`InputError` with every problem, located by table, column
    and the 1-based data row of the file.

    Parameters
    ----------
    folder : str or path-like
        The folder holding the tables.

    Returns
    -------
    Records

    Raises
    ------
    FileNotFoundError
        If ``folder`` is not a folder.
    InputError
        If a file cannot be read, or a table is given both as CSV and Parquet.

    See Also
    --------
    write_records : the inverse.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"upn": ["P1"], "date_of_birth": ["01/05/2013"], "sex": ["f"]}
    ...              ).to_csv(f"{folder}/pupils.csv", index=False)
    >>> pd.DataFrame({"upn": ["P1"], "school": ["100001"], "entry_date": ["2018-09-01"]}
    ...              ).to_csv(f"{folder}/enrolments.csv", index=False)
    >>> pd.DataFrame(columns=["upn", "date", "session", "code"]
    ...              ).to_csv(f"{folder}/attendance_marks.csv", index=False)
    >>> pd.DataFrame(columns=["upn", "start_date", "category"]  # required; may be empty
    ...              ).to_csv(f"{folder}/suspensions.csv", index=False)
    >>> rec = load_records(folder)
    >>> rec.pupils[["upn", "date_of_birth", "sex"]].values.tolist()
    [['P1', Timestamp('2013-05-01 00:00:00'), 'F']]
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder} is not a folder. Pass the folder holding pupils.csv, "
            "enrolments.csv, ... (or .parquet files).")
    tables: dict[str, pd.DataFrame] = {}
    problems: list[dict[str, Any]] = []
    for name in TABLES:
        paths = [folder / f"{name}.{ext}" for ext in _FORMATS]
        present = [p for p in paths if p.is_file()]
        if len(present) > 1:
            problems.append(dict(table=name, row=None, column=None, value=None,
                                 problem=M.TWO_FILES.format(table=name),
                                 fix=M.TWO_FILES_FIX))
            continue
        if not present:
            continue
        try:
            tables[name] = _read(present[0])
        except _NotUtf8 as exc:
            problems.append(dict(table=name, row=exc.row, column=None, value=present[0].name,
                                 problem=M.NOT_UTF8.format(error=exc), fix=M.NOT_UTF8_FIX))
        except pd.errors.EmptyDataError:
            problems.append(dict(table=name, row=None, column=None, value=present[0].name,
                                 problem=M.EMPTY_FILE, fix=M.EMPTY_FILE_FIX.format(
                                     table=name, columns=", ".join(REQUIRED[name]))))
        except (UnicodeDecodeError, ValueError, OSError, pd.errors.ParserError) as exc:
            problems.append(dict(table=name, row=None, column=None, value=present[0].name,
                                 problem=M.UNREADABLE_FILE.format(error=exc),
                                 fix=M.UNREADABLE_FILE_FIX))
    if "suspensions" not in tables and not problems and any(
            (folder / f"{t}.{ext}").is_file() for t in ("pupils", "enrolments")
            for ext in _FORMATS):  # required, may have no rows: absent is not "none"
        problems.append(dict(table="suspensions", row=None, column=None, value=None,
                             problem=M.MISSING_TABLE.format(table="suspensions"),
                             fix=M.MISSING_SUSPENSIONS_FIX))
    if problems:
        raise InputError(problem_frame(problems))
    extract_date = None
    meta = folder / METADATA_FILE
    if meta.is_file():
        value = None
        try:
            content = json.loads(meta.read_text(encoding="utf-8"))
            if not isinstance(content, dict):
                raise ValueError("the file must hold a JSON object such as "
                                 '{"extract_date": "2025-03-31"}')
            value = content.get("extract_date")
            # the contract's one rule: ISO or DD/MM/YYYY (day first); no numbers
            extract_date = None if value is None else parse_date(
                value, what="extract_date in metadata.json")
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(problem_frame([dict(
                table=METADATA_FILE, row=None, column="extract_date", value=value,
                problem=M.UNREADABLE_FILE.format(error=exc),
                fix='Write {"extract_date": "YYYY-MM-DD"} (or "DD/MM/YYYY") or remove '
                    'the file.')])) from None
    return Records(**tables, source=str(folder), extract_date=extract_date)


def _iso(dates: pd.Series) -> pd.Series:
    """Format dates as ``YYYY-MM-DD`` (each distinct date once; NaT -> missing)."""
    codes, uniq = pd.factorize(dates, use_na_sentinel=True)
    text = np.append(pd.DatetimeIndex(uniq).strftime("%Y-%m-%d").to_numpy(dtype=object), [None])
    return pd.Series(text[codes], index=dates.index, dtype=object)


def write_records(records: Records, folder: PathLike, format: str = "csv") -> Path:
    """Write the normalised tables of ``records`` to ``folder``.

    Dates are written as ISO ``YYYY-MM-DD``. Attendance rows aggregated from
    marks are not written (the marks are, and are aggregated again on loading),
    and ``allocations`` and ``episodes`` only when the records were given them, so
    ``load_records(write_records(r, d))`` equals ``r`` (see :func:`records_equal`).
    The extract date, if any, goes to ``metadata.json``.

    Parameters
    ----------
    records : Records
        Valid records (they are validated first).
    folder : str or path-like
        Created if needed; existing table files are overwritten.
    format : {"csv", "parquet"}, default="csv"

    Returns
    -------
    pathlib.Path
        The folder.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["P1"], "date_of_birth": ["2013-05-01"], "sex": ["F"]}),
    ...     enrolments=pd.DataFrame({"upn": ["P1"], "school": ["1"],
    ...                              "entry_date": ["2018-09-01"]}),
    ...     attendance_marks=pd.DataFrame({"upn": ["P1"], "date": ["2023-01-09"],
    ...                                    "session": ["AM"], "code": ["/"]}))
    >>> from screening.features._records import records_equal
    >>> records_equal(rec, load_records(write_records(rec, tempfile.mkdtemp(), "parquet")))
    True
    """
    if format not in _FORMATS:
        raise ValueError(f"format must be one of {_FORMATS}, got {format!r}.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = records.tables()
    tables["attendance"] = records.given_attendance()
    tables["attendance_marks"] = tables["attendance_marks"].drop(columns="code_class")
    for name in TABLES:
        df = tables[name]
        if name == "attendance_marks" and len(df) == 0 and len(tables["attendance"]):
            continue
        for other in _FORMATS:
            (folder / f"{name}.{other}").unlink(missing_ok=True)
        if name in _WRITTEN_WHEN_GIVEN and records.raw.get(name) is None:
            continue  # an optional table that was never given is not written
        if format == "csv":
            out = df.copy()
            for c in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[c].dtype):
                    out[c] = _iso(out[c])
            out.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8")
        else:
            df.to_parquet(folder / f"{name}.parquet", index=False)
    meta = {"extract_date": None if records.extract_date is None
            else records.extract_date.strftime("%Y-%m-%d")}
    (folder / METADATA_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return folder
