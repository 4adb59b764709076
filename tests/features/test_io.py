"""Loading and writing record folders: CSV and Parquet, row numbers, round trips."""

import json

import pandas as pd
import pytest
from screening.features import InputError, Records, load_records
from screening.features import _messages as M
from screening.features._io import write_records
from screening.features._records import records_equal


def _write_csv(tables, folder):
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    return folder


def test_load_csv_reads_text_and_numbers_rows_from_one(tables, tmp_path):
    tables["pupils"].loc[1, "sex"] = "unknown"
    _write_csv(tables, tmp_path)
    rec = load_records(tmp_path)
    assert rec.raw["pupils"]["upn"].tolist()[0] == "B801200005001"
    with pytest.raises(InputError) as exc:
        rec.validate()
    p = exc.value.problems
    assert p[["table", "row", "column", "value"]].values.tolist() == [
        ["pupils", 2, "sex", "unknown"]]


def test_csv_keeps_leading_zeros_and_blank_is_missing(tables, tmp_path):
    tables["enrolments"]["school"] = ["0100001", "0100001", "0100002"]
    _write_csv(tables, tmp_path)
    rec = load_records(tmp_path)
    assert rec.enrolments["school"].tolist()[0] == "0100001"
    assert rec.enrolments["leaving_date"].isna().tolist() == [True, False, True]


def test_metadata_extract_date(tables, tmp_path):
    _write_csv(tables, tmp_path)
    (tmp_path / "metadata.json").write_text(json.dumps({"extract_date": "2024-06-30"}))
    rec = load_records(tmp_path)
    assert rec.extract_date == pd.Timestamp("2024-06-30") == rec.data_end


def test_missing_folder_and_required_files(tables, tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        load_records(tmp_path / "nope")
    tables.pop("pupils")
    _write_csv(tables, tmp_path)
    with pytest.raises(InputError) as exc:
        load_records(tmp_path).validate()
    assert M.MISSING_TABLE.format(table="pupils") in set(exc.value.problems["problem"])


def test_unreadable_file_and_two_formats(tables, tmp_path):
    _write_csv(tables, tmp_path)
    (tmp_path / "sen.csv").write_bytes(b"upn,start_date\n\xff\xfe,\x80\n")
    tables["suspensions"].to_parquet(tmp_path / "suspensions.parquet")
    with pytest.raises(InputError) as exc:
        load_records(tmp_path)
    problems = exc.value.problems["problem"].tolist()
    assert problems[0] == M.TWO_FILES.format(table="suspensions")
    assert problems[1].startswith(M.NOT_UTF8.split("{")[0])
    assert exc.value.problems["row"].tolist()[1] == 1  # the data row of the first bad byte


def test_a_latin1_csv_is_located_at_its_row(tables, tmp_path):
    _write_csv(tables, tmp_path)
    text = (tmp_path / "pupils.csv").read_text().splitlines()
    text[3] = text[3] + "\u00e9"  # data row 3 gets a latin-1 e-acute
    (tmp_path / "pupils.csv").write_bytes(("\n".join(text) + "\n").encode("latin-1"))
    with pytest.raises(InputError) as exc:
        load_records(tmp_path)
    p = exc.value.problems.iloc[0]
    assert (p["table"], p["row"], p["problem"].split(":")[0]) == (
        "pupils", 3, M.NOT_UTF8.split(":")[0])
    assert "UTF-8" in p["fix"]


def test_a_folder_without_suspensions_is_refused(tables, tmp_path):
    _write_csv(tables, tmp_path)
    (tmp_path / "suspensions.csv").unlink()
    with pytest.raises(InputError) as exc:
        load_records(tmp_path)
    p = exc.value.problems.iloc[0]
    assert (p["table"], p["problem"]) == ("suspensions",
                                          M.MISSING_TABLE.format(table="suspensions"))
    assert "may have no rows" in p["fix"]
    # a header-only file is the way to say "no suspensions"
    pd.DataFrame(columns=["upn", "start_date", "category"]).to_csv(
        tmp_path / "suspensions.csv", index=False)
    assert len(load_records(tmp_path).suspensions) == 0


def test_a_repeated_csv_column_is_located(tables, tmp_path):
    _write_csv(tables, tmp_path)
    lines = (tmp_path / "pupils.csv").read_text().splitlines()
    lines = [lines[0] + ",sex"] + [line + ",F" for line in lines[1:]]
    (tmp_path / "pupils.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as exc:
        load_records(tmp_path).validate()
    p = exc.value.problems
    assert p[["table", "column", "problem"]].values.tolist() == [
        ["pupils", "sex", M.DUPLICATE_COLUMN.format(column="sex")]]


@pytest.mark.parametrize("value", ["12/01/2025", "2025-01-12"])
def test_metadata_extract_date_by_the_contract_rule(tables, tmp_path, value):
    _write_csv(tables, tmp_path)
    (tmp_path / "metadata.json").write_text(json.dumps({"extract_date": value}))
    assert load_records(tmp_path).extract_date == pd.Timestamp("2025-01-12")


@pytest.mark.parametrize("value", [20250331, "20250331", "March 2025", True, [2025, 3, 31]])
def test_metadata_extract_date_refuses_what_is_not_a_date(tables, tmp_path, value):
    _write_csv(tables, tmp_path)
    (tmp_path / "metadata.json").write_text(json.dumps({"extract_date": value}))
    with pytest.raises(InputError) as exc:
        load_records(tmp_path)
    p = exc.value.problems.iloc[0]
    assert (p["table"], p["column"]) == ("metadata.json", "extract_date")
    assert "YYYY-MM-DD" in p["problem"] and "DD/MM/YYYY" in p["fix"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_then_load_gives_equal_records(tables, tmp_path, fmt):
    tables["attendance_marks"] = pd.DataFrame({
        "upn": ["P3", "P3"], "date": ["09/01/2023", "09/01/2023"], "session": ["AM", "PM"],
        "code": ["/", "N"]})
    tables["pupils"]["house"] = ["red", "blue", None]  # extra column, kept
    rec = Records(**tables, extract_date="2024-06-30")
    back = load_records(write_records(rec, tmp_path, format=fmt))
    assert records_equal(rec, back) and rec.equals(back)
    assert len(back.attendance) == len(rec.attendance) == 3
    assert back.extract_date == pd.Timestamp("2024-06-30")


def test_csv_parquet_round_trip_is_exact(tables, tmp_path):
    rec = Records(**tables)
    from_csv = load_records(write_records(rec, tmp_path / "c", format="csv"))
    from_parquet = load_records(write_records(from_csv, tmp_path / "p", format="parquet"))
    again = load_records(write_records(from_parquet, tmp_path / "c2", format="csv"))
    assert records_equal(from_csv, from_parquet) and records_equal(from_parquet, again)
    assert from_parquet.extract_date is None
    text = (tmp_path / "c" / "pupils.csv").read_text()
    assert "2012-05-01" in text and "00:00" not in text


def test_records_differ(tables):
    a = Records(**tables)
    tables["attendance"].loc[0, "sessions_authorised"] = "5"
    assert not records_equal(a, Records(**tables))


def test_write_rejects_unknown_format(tables, tmp_path):
    with pytest.raises(ValueError, match="format must be one of"):
        write_records(Records(**tables), tmp_path, format="xlsx")
