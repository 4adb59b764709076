"""Hostile or damaged CTFs: each a located InputError naming the file and element."""

import re
import warnings
from pathlib import Path

import pytest
from screening.features import InputError, is_ctf_folder, read_ctf

FIX = Path(__file__).parents[1] / "fixtures" / "ctf"
BASE = (FIX / "full_y6_to_y7.xml").read_text()
YEAR = re.search(r"<Year>\d+</Year>", BASE).group(0)
POSSIBLE = re.search(r"<SessionsPossible>\d+</SessionsPossible>", BASE).group(0)
YEAR_DATA = "CTfile/CTFpupilData/Pupil[1]/Attendance/YearData[1]"


def _problems(tmp_path, text, **kwargs):
    f = tmp_path / "x.xml"
    f.write_bytes(text) if isinstance(text, bytes) else f.write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InputError) as exc:
            read_ctf(f, **kwargs).validate()
    return exc.value.problems


@pytest.mark.parametrize("old,new,column,text", [
    (POSSIBLE, "<SessionsPossible>inf</SessionsPossible>", f"{YEAR_DATA}/SessionsPossible",
     "'inf' is not a whole number"),
    (POSSIBLE, "<SessionsPossible>1\u00b2</SessionsPossible>",
     f"{YEAR_DATA}/SessionsPossible", "is not a whole number"),
    (YEAR, "<Year>99999</Year>", f"{YEAR_DATA}/Year", "'99999' is not an academic year"),
    (YEAR, "<Year>202\u00b9</Year>", f"{YEAR_DATA}/Year", "is not an academic year"),
    ('encoding="UTF-8"', 'encoding="x-unknown-42"', "CTfile", "unknown encoding"),
    ("<SchoolHistory>", "<SchoolHistory>" + "<School>" * 5000 + "</School>" * 5000,
     "CTfile", "nested too deeply"),
])
def test_a_damaged_value_is_located(tmp_path, old, new, column, text):
    p = _problems(tmp_path, BASE.replace(old, new, 1))
    hit = p[p["column"] == column]
    assert len(hit) == 1 and text in hit["problem"].iloc[0], p.values.tolist()
    assert hit["row"].iloc[0] == "x.xml"


def test_a_huge_marks_string_is_refused_quickly(tmp_path):
    marks = ("<AttendSessions><AttendanceStartDate>2021-09-01</AttendanceStartDate>"
             "<AttendanceMarks>" + "/" * 2_000_000 + "</AttendanceMarks></AttendSessions>")
    p = _problems(tmp_path, BASE.replace("</YearData>", marks + "</YearData>", 1))
    assert len(p) == 1
    assert p["column"].iloc[0] == f"{YEAR_DATA}/AttendSessions/AttendanceMarks"
    assert "at most 732 sessions" in p["problem"].iloc[0]


@pytest.mark.parametrize("content,row,text", [
    ("upn,start_date,category\nB801200005001,2024-01-10,FIXD\u00e9\n".encode("latin-1"),
     1, "not UTF-8"),
    (b"", None, "file is empty"),
])
def test_a_bad_suspensions_file_beside_ctfs_is_located(tmp_path, content, row, text):
    (tmp_path / "s.csv").write_bytes(content)
    p = _problems(tmp_path, BASE, suspensions=tmp_path / "s.csv")
    assert p["table"].tolist() == ["suspensions"] and text in p["problem"].iloc[0]
    assert p["row"].iloc[0] == row or (row is None and p["row"].isna().all())
    assert p["value"].iloc[0] == "s.csv"


def test_a_root_written_ctfile_in_capitals_is_a_ctf_folder(tmp_path):
    (tmp_path / "a.xml").write_text(BASE.replace("<CTfile>", "<CTFILE>")
                                    .replace("</CTfile>", "</CTFILE>"))
    assert is_ctf_folder(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert len(read_ctf(tmp_path).pupils) > 0


def test_a_folder_of_only_malformed_xml_is_taken_for_ctfs(tmp_path):
    (tmp_path / "a.xml").write_bytes(b"\x00\x01 not XML <")
    (tmp_path / "b.xml").write_text("")
    assert is_ctf_folder(tmp_path)  # so read_ctf, not "add pupils.csv", tells the user
    with pytest.raises(InputError) as exc:
        read_ctf(tmp_path)
    assert "malformed XML" in exc.value.problems["problem"].iloc[0]
    (tmp_path / "pupils.csv").write_text("upn\n")
    assert not is_ctf_folder(tmp_path)  # beside tables: a folder of tables
