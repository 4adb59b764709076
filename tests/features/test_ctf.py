"""Reading and writing Common Transfer Files (features._ctf, features._ctf_write)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from screening.features import InputError, Records
from screening.features._ctf import _NO_FILES, CTFWarning, is_ctf_folder, read_ctf
from screening.features._ctf_marks import tokenise_marks
from screening.features._ctf_reader import BAD_DATE as _BAD_DATE
from screening.features._ctf_reader import MISSING_REQUIRED as _MISSING_REQUIRED
from screening.features._ctf_reader import NOT_CTF as _NOT_CTF
from screening.features._ctf_write import _NOT_LAESTAB, _NOT_WRITTEN, write_ctf
from screening.features._xml import HOSTILE as _HOSTILE
from screening.features._xml import MALFORMED as _MALFORMED

FIX = Path(__file__).parents[1] / "fixtures" / "ctf"
T = pd.Timestamp


def _read(name, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CTFWarning)
        return read_ctf(FIX / name if isinstance(name, str) else name, **kw)


def _prefix(message):
    return message.split("{")[0]


@pytest.fixture(scope="module")
def full():
    return _read("full_y6_to_y7.xml")


# --------------------------------------------------------------------------- full file
def test_full_pupils(full):
    p = full.pupils.set_index("upn")
    assert list(p.index) == ["B801200005001", "U801234514001", "H801234514002"]
    assert p.loc["B801200005001", "date_of_birth"] == T("2012-11-03")
    assert p["sex"].tolist() == ["F", "M", "F"]
    assert p["ethnicity"].tolist() == ["WBRI", "BCRB", "WROM"]
    # FSM spell 2019-01..2020-03 lies in the 6 years before 2024-07-10; 2010..2017 does not;
    # no FSMhistory in a full file means not eligible.
    assert p["fsm"].tolist() == [True, False, False]
    # First language ENG; first language SOM (home language ENG ignored); no Languages.
    assert p["eal"].tolist()[:2] == [False, True]
    assert pd.isna(p.loc["H801234514002", "eal"])
    assert p["looked_after"].tolist() == [False, True, False]
    assert p["nc_year_actual"].tolist() == ["6", "6", "6"]


def test_full_enrolments(full):
    e = full.enrolments
    assert len(e) == 5
    moved = e[(e["upn"] == "U801234514001") & (e["school"] == "8013001")].iloc[0]
    assert moved["entry_date"] == T("2017-09-05") and moved["leaving_date"] == T("2021-12-17")
    assert moved["leaving_reason"] == "MOVED"
    # The source school is missing from Zofia's SchoolHistory: added from 1 Sep of her first
    # attendance year there, and noted.
    added = e[(e["upn"] == "H801234514002") & (e["school"] == "8012345")]
    assert added["entry_date"].tolist() == [T("2020-09-01")]
    assert added["leaving_date"].isna().all()
    notes = full.ctf_warnings
    assert notes["element"].str.endswith("Pupil[3]/SchoolHistory").any()
    # No enrolment is invented at the destination school by default.
    assert "8014001" not in set(e["school"])
    # Everyone is on roll at a census in June 2024.
    t = T("2024-06-06")
    on = e[(e["entry_date"] < t) & (e["leaving_date"].isna() | (e["leaving_date"] >= t))]
    assert set(on["upn"]) == set(full.pupils["upn"])


def test_full_attendance(full):
    a = full.attendance.set_index(["upn", "school", "period_start"]).sort_index()
    assert len(a) == 9
    row = a.loc[("B801200005001", "8012345", T("2021-09-01"))]
    assert row["period_end"] == T("2022-08-31")
    assert (row["sessions_possible"], row["sessions_authorised"],
            row["sessions_unauthorised"]) == (380, 10, 4)
    # The current year ends at the file's DateTime, not on 31 August.
    assert a.loc[("B801200005001", "8012345", T("2023-09-01")), "period_end"] == T("2024-07-10")
    # Two schools in one year are two rows.
    assert len(a.loc[("U801234514001", slice(None), T("2021-09-01"))]) == 2
    # SessionsUnauthorised missing: possible - attended - authorised = 300 - 270 - 20.
    assert a.loc[("H801234514002", "8012345", T("2020-09-01")), "sessions_unauthorised"] == 10
    assert full.ctf_warnings["problem"].str.contains("derived as possible").any()


def test_full_sen(full):
    s = full.sen.sort_values("start_date")
    assert s["upn"].unique().tolist() == ["B801200005001"]
    assert s["provision"].tolist() == ["K", "E"]
    assert s["primary_need"].tolist() == ["SEMH", "ASD"]  # rank 1, not document order
    assert s["end_date"].iloc[0] == T("2023-03-31") and pd.isna(s["end_date"].iloc[1])


def test_full_is_valid_records(full):
    assert isinstance(full, Records)
    full.validate()
    assert len(full.suspensions) == 0
    assert full.extract_date == T("2024-07-10")


def test_as_of_moves_the_fsm_window():
    later = _read("full_y6_to_y7.xml", as_of="2026-05-01")  # window starts 2020-05-01
    assert later.pupils["fsm"].tolist() == [False, False, False]


def test_enrol_at_destination_adds_incoming_cohort():
    rec = _read("full_y6_to_y7.xml", enrol_at_destination="2024-09-04")
    dest = rec.enrolments[rec.enrolments["school"] == "8014001"]
    assert sorted(dest["upn"]) == sorted(rec.pupils["upn"])
    assert (dest["entry_date"] == T("2024-09-04")).all()
    assert (dest["phase"] == "secondary").all()
    # The open primary enrolments end the day before: a move, not dual registration.
    primary = rec.enrolments[rec.enrolments["school"] == "8012345"]
    assert (primary["leaving_date"] == T("2024-09-03")).all()
    t = T("2024-10-03")
    on = rec.enrolments[(rec.enrolments["entry_date"] < t)
                        & (rec.enrolments["leaving_date"].isna()
                           | (rec.enrolments["leaving_date"] >= t))]
    assert on["school"].tolist() == ["8014001"] * 3


def test_enrol_at_unknown_destination_is_noted_not_invented():
    rec = _read("gender_era_v15.xml", enrol_at_destination="2015-09-02")
    assert set(rec.enrolments["school"]) == {"8012345"}
    assert rec.ctf_warnings["element"].eq("CTfile/Header/DestSchool").any()


# --------------------------------------------------------------------------- other files
def test_partial_file_leaves_unknowns_missing():
    rec = _read("partial_mtc.xml")
    p = rec.pupils
    assert len(p) == 2
    assert p[["fsm", "eal", "looked_after"]].isna().all().all()
    assert len(rec.enrolments) == 0 and len(rec.attendance) == 0
    assert (rec.ctf_warnings["value"] == "8012345").sum() == 2  # source school not added


def test_gender_era_file():
    rec = _read("gender_era_v15.xml")
    p = rec.pupils.set_index("upn")
    assert p["sex"].tolist() == ["M", "F"]
    assert p["eal"].tolist() == [False, True]  # bare <Type>ENG</Type> / <Type>URD</Type>
    assert p["fsm"].tolist() == [True, False]
    assert rec.raw["sen"]["provision"].tolist() == ["P", "S"]
    assert rec.sen.set_index("upn")["provision"].to_dict() == {
        "A801234514005": "K", "P801234514006": "E"}
    assert rec.sen["primary_need"].tolist() == ["BESD", "MLD"]  # unranked single need
    a = rec.attendance
    assert a["period_end"].max() == T("2015-07-08")


def test_session_marks_both_code_sets():
    rec = _read("marks_2024_codes.xml")
    m = rec.raw["attendance_marks"]
    ada = m[m["upn"] == "D801234515008"]
    assert ada["code"].tolist() == list("/\\/\\JJ/\\I/") + ["/", "\\", "C1", "C2", "/", "\\",
                                                           "N", "-"]
    assert ada["session"].tolist()[:4] == ["AM", "PM", "AM", "PM"]
    # Friday 6 Sep is followed by Monday 9 Sep: weekends are skipped.
    autumn = ada[ada["school"] == "8014001"]
    assert autumn["date"].drop_duplicates().tolist() == [
        T("2024-09-04"), T("2024-09-05"), T("2024-09-06"), T("2024-09-09")]
    ravi = m[m["upn"] == "P801234515007"]
    assert ravi["code"].tolist() == ["/", "\\", "J1", "J1", "Y7", "Y7", "K", "K"]
    # Years with marks give no YearData totals row (never counted twice); others do.
    raw_att = rec.raw["attendance"]
    assert raw_att[["upn", "period_start"]].values.tolist() == [
        ["P801234515007", T("2023-09-01")]]
    assert len(rec.ctf_warnings) == 0  # totals agree with the marks
    cls = rec.attendance_marks.set_index(["upn", "date", "session"])["code_class"]
    assert cls[("D801234515008", T("2024-07-17"), "AM")] == "PRESENT"  # J before Aug 2024
    assert cls[("P801234515007", T("2024-09-05"), "AM")] == "AUTH"  # J1
    assert cls[("D801234515008", T("2024-09-09"), "PM")] == "MISSING"


def test_marks_disagreeing_with_totals_are_noted(tmp_path):
    text = (FIX / "marks_2024_codes.xml").read_text()
    bad = tmp_path / "bad.xml"
    bad.write_text(text.replace("<SessionsPossible>7</SessionsPossible>",
                                "<SessionsPossible>9</SessionsPossible>"))
    with pytest.warns(CTFWarning):
        rec = read_ctf(bad)
    notes = rec.ctf_warnings
    assert notes["problem"].str.contains("SessionsPossible is 9 but the marks give 7").any()


@pytest.mark.parametrize("text, tokens", [
    ("/\\/\\", ["/", "\\", "/", "\\"]),
    ("C1C2Y7N", ["C1", "C2", "Y7", "N"]),
    ("/ \\ Y1 #", ["/", "\\", "Y1", "#"]),
    ("J1,J1,-", ["J1", "J1", "-"]),
    ("", []),
])
def test_tokenise_marks(text, tokens):
    assert tokenise_marks(text) == tokens


def test_namespaced_file_reads_like_plain():
    rec = _read("namespaced.xml")
    assert rec.pupils["upn"].tolist() == ["Z801234510010"]
    assert rec.enrolments["school"].tolist() == ["8012345"]
    assert len(rec.ctf_warnings) == 0


def test_near_miss_names_warn_and_are_listed():
    with pytest.warns(CTFWarning, match="near_miss_names.xml: 6 CTF note"):
        rec = read_ctf(FIX / "near_miss_names.xml")
    notes = rec.ctf_warnings.set_index("value")["problem"]
    assert "read as 'CTfile'" in notes["CTFile"]
    assert "read as 'CTFpupilData'" in notes["CTFPupilData"]
    assert "read as 'DOB'" in notes["DateOfBirth"]
    assert "read as 'SENhistory'" in notes["Senhistory"]
    assert "did you mean 'Ethnicity'" in notes["Ethnicty"]
    assert "not read" in notes["FavouriteColour"]
    # Case slips and the alias were read; the typo was not.
    assert rec.pupils["date_of_birth"].tolist() == [T("2012-12-12")]
    assert rec.sen["provision"].tolist() == ["K"]
    assert rec.pupils["ethnicity"].isna().all()


# --------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("name, message", [
    ("billion_laughs.xml", _HOSTILE), ("external_entity.xml", _HOSTILE),
    ("malformed.xml", _MALFORMED)])
def test_hostile_or_malformed_xml_is_refused(name, message):
    with pytest.raises(InputError) as err:
        read_ctf(FIX / "hostile" / name)
    prob = err.value.problems
    assert prob["table"].tolist() == ["ctf"] and prob["row"].tolist() == [name]
    assert prob["problem"].iloc[0].startswith(_prefix(message))


def test_not_a_ctf_is_refused(tmp_path):
    f = tmp_path / "other.xml"
    f.write_text("<SchoolCensus><Header/></SchoolCensus>")
    with pytest.raises(InputError) as err:
        read_ctf(f)
    assert err.value.problems["problem"].iloc[0] == _NOT_CTF.format("SchoolCensus")


def test_no_files_is_refused(tmp_path):
    with pytest.raises(InputError) as err:
        read_ctf(tmp_path)
    assert err.value.problems["problem"].iloc[0] == _NO_FILES.format(str(tmp_path))


def test_missing_upn_and_dob_and_bad_dates_are_all_listed(tmp_path):
    text = (FIX / "namespaced.xml").read_text()
    f = tmp_path / "broken.xml"
    f.write_text(text.replace("<ctf:UPN>Z801234510010</ctf:UPN>", "")
                 .replace("2013-02-14", "")
                 .replace("2017-09-04", "04/09/2017"))
    with pytest.raises(InputError) as err:
        read_ctf(f)
    prob = err.value.problems.set_index("column")["problem"]
    base = "CTfile/CTFpupilData/Pupil[1]"
    assert prob[f"{base}/UPN"] == _MISSING_REQUIRED.format("UPN")
    assert prob[f"{base}/DOB"] == _MISSING_REQUIRED.format("DOB")
    assert prob[f"{base}/SchoolHistory/School[1]/EntryDate"] == _BAD_DATE.format("04/09/2017")
    assert (err.value.problems["row"] == "broken.xml").all()


# --------------------------------------------------------------------------- folders
def test_is_ctf_folder(tmp_path):
    assert is_ctf_folder(FIX)
    assert is_ctf_folder(FIX / "namespaced.xml")
    assert not is_ctf_folder(FIX.parent)  # no xml at the top level
    assert not is_ctf_folder(tmp_path)
    (tmp_path / "pupils.csv").write_text("upn\n")
    (tmp_path / "b.xml").write_text((FIX / "hostile" / "billion_laughs.xml").read_text())
    assert not is_ctf_folder(tmp_path)  # detection never expands entities


def test_read_folder_combines_files():
    rec = _read(".")
    assert rec.pupils["upn"].is_unique
    assert len(rec.pupils) == 11
    assert rec.extract_date == T("2024-10-18")
    assert set(rec.ctf_warnings["file"]) == {"full_y6_to_y7.xml", "partial_mtc.xml",
                                             "near_miss_names.xml"}


def test_same_pupil_in_two_files_counted_once(tmp_path):
    text = (FIX / "namespaced.xml").read_text()
    (tmp_path / "a.xml").write_text(text)
    later = text.replace("2024-07-10T09:30:00", "2024-07-25T09:30:00").replace(
        "<ctf:EntryDate>2017-09-04</ctf:EntryDate>",
        "<ctf:EntryDate>2017-09-04</ctf:EntryDate><ctf:LeavingDate>2024-07-19</ctf:LeavingDate>")
    (tmp_path / "b.xml").write_text(later)
    with pytest.warns(UserWarning, match="different values"):
        rec = read_ctf([tmp_path / "b.xml", tmp_path / "a.xml"])  # sorted by DateTime
    assert len(rec.pupils) == 1 and len(rec.enrolments) == 1
    assert rec.enrolments["leaving_date"].iloc[0] == T("2024-07-19")  # the later file wins
    d = rec.duplicates.set_index("table")
    assert d.loc["pupils", "kind"] == "exact" and d.loc["enrolments", "kind"] == "conflict"
    assert d.loc["enrolments", "kept"].endswith("b.xml")


@pytest.mark.parametrize("form", ["csv", "frame"])
def test_suspensions_merge(tmp_path, form):
    susp = pd.DataFrame({"upn": ["U801234514001", "U801234514001"],
                         "start_date": ["12/03/2024", "12/03/2024"],
                         "category": ["FIXD", "FIXD"], "sessions": ["4", "4"],
                         "reason": ["PP", "PP"]})
    if form == "csv":
        source = tmp_path / "suspensions.csv"
        susp.to_csv(source, index=False)
    else:
        source = susp
    rec = _read("full_y6_to_y7.xml", suspensions=source)
    s = rec.suspensions
    assert len(s) == 1  # the repeated row is counted once
    assert s["start_date"].iloc[0] == T("2024-03-12")
    assert s["category"].iloc[0] == "suspension" and s["sessions"].iloc[0] == 4.0
    assert rec.duplicates["table"].tolist() == ["suspensions"]


# --------------------------------------------------------------------------- round trip
_PUPIL_COLS = ["upn", "date_of_birth", "sex", "ethnicity", "fsm", "eal", "looked_after"]
_ENROL_COLS = ["upn", "school", "entry_date", "leaving_date", "leaving_reason"]


def _sorted(df, cols):
    return df[cols].sort_values(cols).reset_index(drop=True)


@pytest.mark.parametrize("name", ["full_y6_to_y7.xml", "marks_2024_codes.xml",
                                  "gender_era_v15.xml"])
def test_round_trip(tmp_path, name):
    rec = _read(name)
    files = write_ctf(rec, tmp_path / "out")
    back = _read(files)
    pd.testing.assert_frame_equal(_sorted(back.pupils, _PUPIL_COLS),
                                  _sorted(rec.pupils, _PUPIL_COLS))
    pd.testing.assert_frame_equal(_sorted(back.enrolments, _ENROL_COLS),
                                  _sorted(rec.enrolments, _ENROL_COLS))
    for table in ("attendance", "sen", "attendance_marks"):
        mine, theirs = getattr(rec, table), getattr(back, table)
        cols = [c for c in mine.columns if c != "school" or table != "attendance"]
        pd.testing.assert_frame_equal(_sorted(theirs, cols), _sorted(mine, cols))
    assert back.extract_date == rec.extract_date


def test_write_single_file_and_what_is_not_carried(tmp_path):
    rec = Records(
        pupils=pd.DataFrame({"upn": ["B801200005001", "R674123101121"],
                             "date_of_birth": ["2012-11-03", "2013-01-01"],
                             "sex": ["F", "M"], "fsm": [True, None]}),
        enrolments=pd.DataFrame({"upn": ["B801200005001", "R674123101121"],
                                 "school": ["8012345", "123456"],
                                 "entry_date": ["2017-09-04", "2018-09-04"],
                                 "phase": ["primary", "primary"]}),
        attendance=pd.DataFrame({"upn": ["B801200005001"] * 2, "school": ["8012345"] * 2,
                                 "period_start": ["2022-09-01", "2023-01-04"],
                                 "period_end": ["2022-12-20", "2023-04-01"],
                                 "sessions_possible": [140, 120],
                                 "sessions_authorised": [4, 6],
                                 "sessions_unauthorised": [1, 2]}),
        suspensions=pd.DataFrame({"upn": ["B801200005001"], "start_date": ["2023-05-01"],
                                  "category": ["FIXD"]}))
    with pytest.warns(CTFWarning) as rec_w:
        files = write_ctf(rec, tmp_path / "one.xml", date_time="2024-07-10",
                          sex_element="Gender")
    messages = [str(w.message) for w in rec_w]
    assert _NOT_WRITTEN.format("suspensions", 1) in messages
    assert _NOT_LAESTAB.format(["123456"]) in messages
    assert files == [tmp_path / "one.xml"]
    assert "<Gender>F</Gender>" in files[0].read_text()
    back = _read(files)
    assert len(back.suspensions) == 0 and back.enrolments["phase"].isna().all()
    assert back.pupils["fsm"].tolist() == [True, False]  # NA is not carried by a full CTF
    # Two terms become one academic-year row with the summed sessions.
    a = back.attendance
    assert a[["period_start", "sessions_possible", "sessions_authorised",
              "sessions_unauthorised"]].values.tolist() == [[T("2022-09-01"), 260, 10, 3]]
    assert set(back.enrolments["school"]) == {"8012345", "123456"}


# --------------------------------------------------------------------------- features
def test_features_build_from_ctf():
    from screening import features

    year6 = features.build(_read("full_y6_to_y7.xml"), as_of="2024-06-06", year_groups=(6,))
    assert sorted(year6.index) == ["B801200005001", "H801234514002", "U801234514001"]
    assert set(year6["school"]) == {"8012345"} and set(year6["year_group"]) == {6}
    incoming = features.build(_read("full_y6_to_y7.xml", enrol_at_destination="2024-09-04"),
                              as_of="2024-10-03", year_groups=(7,))
    assert len(incoming) == 3 and set(incoming["school"]) == {"8014001"}


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(InputError) as err:
        read_ctf([FIX / "namespaced.xml", tmp_path / "nope.xml"])
    assert err.value.problems["problem"].tolist() == ["file not found"]
