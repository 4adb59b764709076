"""Each table's warnings are found right after its parse; the warnings table is unchanged."""

import pandas as pd
import pytest
from screening.features import Records, _validate
from screening.features._problems import MAX_ROWS_PER_PROBLEM, Problems

import screening


@pytest.fixture(scope="module")
def tables():
    la = screening.datasets.make_local_authority(n_pupils=3000, seed=5)
    t = {k: v.copy() for k, v in la.records.raw.items() if isinstance(v, pd.DataFrame)}
    t["pupils"]["ethnicity"] = t["pupils"]["ethnicity"].astype(object)
    t["pupils"].loc[t["pupils"].index[: MAX_ROWS_PER_PROBLEM + 200], "ethnicity"] = "ZZZZ"
    t["enrolments"]["phase"] = t["enrolments"]["phase"].astype(object)
    t["enrolments"].loc[t["enrolments"].index[[3, 40]], "phase"] = "weird"
    t["attendance"].loc[t["attendance"].index[[1, 7, 9]], "sessions_possible"] = 999
    return t, la.extract_date


def _warnings(tables, extract_date):
    t, _ = tables
    return Records(**{k: v.copy() for k, v in t.items()}, extract_date=extract_date).validate()


def test_warnings_found_early_equal_those_found_at_the_end(tables, monkeypatch):
    early = _warnings(tables, tables[1])
    kinds = set(early["problem"])
    assert len(kinds) >= 4 and early["problem"].str.contains("more row").any()
    monkeypatch.setattr(_validate, "WARNED_TABLES", ())  # none found early
    late = _warnings(tables, tables[1])
    pd.testing.assert_frame_equal(early, late, check_exact=True)


def test_extend_lists_the_other_rows_after_these():
    a, b, both = Problems(), Problems(), Problems()
    for P, tables in ((a, ["pupils"]), (b, ["sen"]), (both, ["pupils", "sen"])):
        for t in tables:
            P.add(t, "upn", "odd", "fix it", rows=list(range(MAX_ROWS_PER_PROBLEM + 5)))
            P.add(t, None, "note", "none", rows=[None])
    a.extend(b)
    pd.testing.assert_frame_equal(a.frame(), both.frame())
    with pytest.raises(AssertionError, match="overlap"):
        a.extend(b)
