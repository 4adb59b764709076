"""One output per audience: no pack holds another school's pupil, the overview holds none."""

import re
from types import SimpleNamespace

import pandas as pd
import pytest

import screening
from screening._packs import (
    CASE_LIST_AUDIENCE,
    HANDOVER_AUDIENCE,
    SCHOOL_AUDIENCE,
    _evaluation_summary,
    file_names,
    overview_audit,
)

MARCH = "2024-03-20"  # Year 6 screened before the September move


def _like(fitted, **params):
    scr = screening.Screener(n_boot=20, **params)
    scr.__dict__.update({k: v for k, v in fitted.__dict__.items() if k.endswith("_")})
    return scr


@pytest.fixture(scope="module")
def march(la, fitted):
    alloc = la.allocations(MARCH)
    records = screening.Records(**{**la.records.raw, "allocations": alloc},
                                extract_date=la.extract_date)
    return _like(fitted, capacity=0.05, capacity_by="school").screen(records, as_of=MARCH)


@pytest.fixture(scope="module")
def packs(march, tmp_path_factory):
    folder = tmp_path_factory.mktemp("packs")
    march.write_packs(folder)
    return folder


def _upns_in(text, upns):
    return {u for u in upns if u in text}


def test_the_files_named_in_the_spec(packs, march):
    assert {p.name for p in packs.iterdir()} == {
        "overview.html", "case_list.html", "case_list.csv", "schools", "handover",
        "README.txt"}
    schools = set(march.scores["school"].astype(str))
    assert {p.stem for p in (packs / "schools").iterdir()} == schools
    assert {p.suffix for p in (packs / "schools").iterdir()} == {".html", ".csv"}


def test_overview_holds_no_pupil(packs, march):
    text = (packs / "overview.html").read_text(encoding="utf-8")
    assert _upns_in(text, march.scores["upn"]) == set()
    assert "no pupil-level data" in text
    assert "reason_1" not in text and "<th>upn</th>" not in text
    # the audit is there, suppressed by its own rules, without the breakdown by school
    # (the per-school rule makes each school's number of flags public)
    shown = overview_audit(march)
    assert shown.html_fragment() in text
    assert "school" in set(march.audit.by_control["control"])
    assert "school" not in set(shown.by_control["control"])
    assert "year_group" in set(shown.by_control["control"])
    assert "tables by school are left out" in text


def test_each_school_pack_holds_only_its_pupils(packs, march):
    s = march.scores.assign(school=march.scores["school"].astype(str))
    everyone = set(s["upn"])
    for school, part in s.groupby("school"):
        own = set(part["upn"])
        table = pd.read_csv(packs / "schools" / f"{school}.csv", dtype={"upn": str})
        assert set(table["upn"]) == own
        assert (table["audience"] == SCHOOL_AUDIENCE.format(school=school)).all()
        html = (packs / "schools" / f"{school}.html").read_text(encoding="utf-8")
        assert _upns_in(html, everyone) == set(part.loc[part["flagged"], "upn"])
        audience = SCHOOL_AUDIENCE.format(school=school).replace("'", "&#x27;")
        assert html.count(audience) == 2  # top and bottom of the page


def test_case_list_is_every_flagged_pupil(packs, march):
    cases = pd.read_csv(packs / "case_list.csv", dtype={"upn": str})
    assert list(cases["upn"]) == list(march.flagged["upn"])
    assert (cases["audience"] == CASE_LIST_AUDIENCE).all()
    assert "RESTRICTED" in (packs / "case_list.html").read_text(encoding="utf-8")


def test_handover_holds_exactly_the_pupils_allocated_there(packs, march, la):
    alloc = la.allocations(MARCH)
    cohort = alloc[alloc["upn"].isin(march.scores["upn"])]
    assert len(cohort) > 100 and set(march.allocations["upn"]) == set(cohort["upn"])
    everyone = set(march.scores["upn"])
    files = sorted((packs / "handover").glob("*.csv"))
    assert {p.stem for p in files} == set(cohort["school"])
    for path in files:
        table = pd.read_csv(path, dtype={"upn": str, "destination": str})
        expected = set(cohort.loc[cohort["school"] == path.stem, "upn"])
        assert set(table["upn"]) == expected
        assert (table["destination"] == path.stem).all()
        assert (table["audience"] == HANDOVER_AUDIENCE.format(school=path.stem)).all()
        html = path.with_suffix(".html").read_text(encoding="utf-8")
        assert _upns_in(html, everyone) == expected
    # incoming pupils are Year 6 now; allocations change no score
    assert set(march.scores.loc[march.scores["upn"].isin(cohort["upn"]), "year_group"]) == {6}


def test_allocations_change_no_score(la, fitted, march):
    _, plain = _like(fitted, capacity=0.05, capacity_by="school")._score(
        la.records, pd.Timestamp(MARCH))
    pd.testing.assert_frame_equal(plain, march.scores)


def test_allocations_decided_after_the_census_are_not_known(la):
    alloc = la.allocations(MARCH).assign(decided_date=pd.Timestamp("2024-04-16"))
    records = screening.Records(**{**la.records.raw, "allocations": alloc},
                                extract_date=la.extract_date)
    assert len(screening.features.allocations_at(records, MARCH)) == 0
    assert len(screening.features.allocations_at(records, "2024-05-01")) == len(alloc)
    assert len(screening.features.allocations_at(records, "2024-11-01")) == 0  # moved


def test_school_codes_become_safe_distinct_file_names():
    names = file_names(["100001", "../../x", "a b", "a_b"])
    assert names["../../x"] == "x" and names["a b"] == "a_b" and names["a_b"] == "a_b-2"
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", n) for n in names.values())


def test_evaluation_measures_that_would_show_a_small_count_are_withheld():
    def ev(n, base, precision, recall):
        m = pd.Series({"auc": 0.8, "average_precision": 0.3, "brier": 0.05,
                       "calibration_error": 0.01, "precision_at_capacity": precision,
                       "recall_at_capacity": recall, "n": n, "base_rate": base})
        return SimpleNamespace(metrics=m, as_of=pd.Timestamp("2023-10-05"))

    big = _evaluation_summary(ev(2000, 0.05, 0.4, 0.4), 10)  # 40 hits of 100 outcomes
    assert "precision at capacity 0.400" in big
    small = _evaluation_summary(ev(2000, 0.05, 0.05, 0.06), 10)  # 6 hits
    assert "0.050" not in small and "withheld" in small
