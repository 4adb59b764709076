"""The optional allocations and episodes tables of the input contract."""

import warnings

import pandas as pd
import pytest
from screening.features import InputError, Records, concat_records, load_records
from screening.features import _messages as M
from screening.features._io import write_records
from screening.features._records import records_equal

EXTRACT = "2024-06-30"


def _allocations():
    return pd.DataFrame({
        "upn": ["B801200005001", "R674123101121", "P3"],
        "school": [" 140001", "140001", "140002"],
        "start_date": ["04/09/2024", "04/09/2024", "05/09/2024"],
        "decided_date": ["2024-03-01", None, "2024-03-01"],
    })


def _episodes():
    return pd.DataFrame({
        "upn": ["R674123101121", "R674123101121", "P3"],
        "kind": ["child_in_need", " early_help ", "young_carer"],
        "start_date": ["2021-02-01", "2022-05-10", "2023-01-09"],
        "end_date": ["2021-11-30", None, "2025-01-31"],  # a planned end may be future
    })


def _records(tables, **extra):
    return Records(**tables, **extra, extract_date=EXTRACT)


def _problems(tables, **extra):
    with pytest.raises(InputError) as exc:
        _records(tables, **extra).validate()
    return exc.value.problems


def _where(problems, text):
    hit = problems[problems["problem"] == text]
    return sorted(zip(hit["table"], hit["row"], hit["column"], hit["value"]), key=str)


def test_valid_tables_are_normalised(tables):
    rec = _records(tables, allocations=_allocations(), episodes=_episodes())
    rec.validate()
    a, e = rec.allocations, rec.episodes
    assert list(a.columns) == ["upn", "school", "start_date", "decided_date"]
    assert list(e.columns) == ["upn", "kind", "start_date", "end_date"]
    assert a["school"].tolist() == ["140001", "140001", "140002"]
    assert a["start_date"].tolist() == [pd.Timestamp("2024-09-04")] * 2 + [
        pd.Timestamp("2024-09-05")]  # slashes are day first
    assert a["decided_date"].isna().tolist() == [False, True, False]
    assert e["kind"].tolist() == ["child_in_need", "early_help", "young_carer"]
    assert e["end_date"].isna().tolist() == [False, True, False]
    assert {str(t) for t in a.dtypes} == {"string", "datetime64[ns]"}
    assert str(e["kind"].dtype) == "string"


def test_absent_tables_are_empty(tables):
    rec = _records(tables)
    assert len(rec.allocations) == 0 and len(rec.episodes) == 0
    assert list(rec.allocations.columns) == ["upn", "school", "start_date", "decided_date"]
    assert rec.episodes["start_date"].dtype == "datetime64[ns]"


def test_missing_required_columns(tables):
    p = _problems(tables, allocations=_allocations().drop(columns="school"),
                  episodes=_episodes().drop(columns=["kind", "start_date"]))
    assert _where(p, M.MISSING_COLUMN.format(column="school")) == [
        ("allocations", None, "school", None)]
    assert [w[:3] for w in _where(p, M.MISSING_COLUMN.format(column="kind"))] == [
        ("episodes", None, "kind")]
    assert [w[:3] for w in _where(p, M.MISSING_COLUMN.format(column="start_date"))] == [
        ("episodes", None, "start_date")]


def test_unparseable_dates_are_located(tables):
    alloc = _allocations()
    alloc.loc[1, "decided_date"] = "early March"
    alloc.loc[2, "start_date"] = "2024-09-05"  # the column is mostly DD/MM/YYYY
    ep = pd.DataFrame({"upn": ["P3"] * 3, "kind": ["cin"] * 3,
                       "start_date": ["01/02/2021", "30/02/2021", "03/04/2021"]})
    p = _problems(tables, allocations=alloc, episodes=ep)
    assert _where(p, M.BAD_DATE) == [("allocations", 1, "decided_date", "early March")]
    assert _where(p, M.MIXED_DATE_FORMAT.format(fmt="DD/MM/YYYY")) == [
        ("allocations", 2, "start_date", "2024-09-05")]
    assert _where(p, M.IMPOSSIBLE_DATE) == [("episodes", 1, "start_date", "30/02/2021")]


def test_end_before_start_and_blank_kind(tables):
    ep = _episodes()
    ep.loc[0, "end_date"] = "2021-01-31"
    ep.loc[2, "kind"] = "  "
    p = _problems(tables, episodes=ep)
    assert _where(p, M.END_BEFORE_START.format(end="end_date", start="start_date")) == [
        ("episodes", 0, "end_date", "2021-01-31")]
    assert [w[:3] for w in _where(p, M.EMPTY_VALUE)] == [("episodes", 2, "kind")]


def test_unknown_pupils_and_duplicate_rows(tables):
    alloc = pd.concat([_allocations(), _allocations().iloc[[0]]], ignore_index=True)
    ep = _episodes()
    ep.loc[1, "upn"] = "GHOST"
    p = _problems(tables, allocations=alloc, episodes=ep)
    assert _where(p, M.UNKNOWN_PUPIL) == [("episodes", 1, "upn", "GHOST")]
    assert _where(p, M.DUPLICATE_ROW) == [("allocations", 3, None, "B801200005001")]


def test_which_dates_may_lie_after_the_extract(tables):
    alloc, ep = _allocations(), _episodes()
    alloc.loc[0, "decided_date"] = "2024-07-01"  # a decision not yet made: a problem
    ep.loc[1, "start_date"] = "2024-08-01"  # an episode not yet started: a problem
    p = _problems(tables, allocations=alloc, episodes=ep)
    future = M.FUTURE_DATE.format(extract="2024-06-30")
    assert [w[:3] for w in _where(p, future)] == [("allocations", 0, "decided_date"),
                                                  ("episodes", 1, "start_date")]
    # planned: allocation starts (September) and episode ends
    assert "start_date" in set(p.loc[p["table"] == "episodes", "column"])
    assert not ((p["table"] == "allocations") & (p["column"] == "start_date")).any()
    assert not ((p["table"] == "episodes") & (p["column"] == "end_date")).any()


def test_data_end_counts_decisions_and_episode_starts(tables):
    alloc = _allocations()
    rec = Records(**tables, allocations=alloc, episodes=_episodes())
    assert rec.data_end == pd.Timestamp("2024-03-01")  # not the September start date
    ep = _episodes().assign(end_date=None)
    alloc = alloc.assign(decided_date=None)
    rec = Records(**tables, allocations=alloc, episodes=ep)
    assert rec.data_end == pd.Timestamp("2023-07-20")  # the latest enrolment leaving date


def test_new_tables_are_keyword_only(tables):
    with pytest.raises(TypeError):
        Records(*[tables[k] for k in ("pupils", "enrolments", "attendance", "suspensions",
                                      "sen")], None, _allocations())


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_load_and_write_round_trip(tables, tmp_path, fmt):
    rec = _records(tables, allocations=_allocations(), episodes=_episodes())
    folder = write_records(rec, tmp_path / "with", format=fmt)
    assert (folder / f"allocations.{fmt}").exists() and (folder / f"episodes.{fmt}").exists()
    back = load_records(folder)
    assert records_equal(rec, back)
    assert back.episodes["kind"].tolist() == ["child_in_need", "early_help", "young_carer"]
    # absent tables are not written, and stale files of an earlier write are removed
    plain = write_records(_records(tables), tmp_path / "with", format=fmt)
    assert not (plain / f"allocations.{fmt}").exists()
    assert len(load_records(plain).allocations) == 0


def test_csv_problems_are_located_by_file_row(tables, tmp_path):
    for name, df in tables.items():
        df.to_csv(tmp_path / f"{name}.csv", index=False)
    ep = _episodes()
    ep.loc[2, "start_date"] = "soon"
    ep.to_csv(tmp_path / "episodes.csv", index=False)
    rec = load_records(tmp_path)
    with pytest.raises(InputError) as exc:
        rec.validate()
    assert _where(exc.value.problems, M.BAD_DATE) == [("episodes", 3, "start_date", "soon")]


def test_concat_counts_each_allocation_and_episode_once(tables):
    a = Records(**tables, allocations=_allocations(), episodes=_episodes(), source="la")
    b_alloc = _allocations().assign(start_date=["2024-09-04", "2024-09-04", "2024-09-05"])
    b = Records(allocations=b_alloc, episodes=_episodes().iloc[:1], source="school")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # exact copies: no conflict warning
        both = concat_records([a, b])
    assert len(both.raw["allocations"]) == 3 and len(both.raw["episodes"]) == 3
    assert set(both.duplicates["table"]) == {"allocations", "episodes"}
    both = Records(**{k: v for k, v in both.raw.items()}, extract_date=EXTRACT)
    assert len(both.allocations) == 3
