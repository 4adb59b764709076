"""build() and describe(): shape, dtypes, the feature dictionary, errors, invariances."""

import re

import numpy as np
import pandas as pd
import pytest
from screening.features._args import NOT_RECORDS as _NOT_RECORDS
from screening.features._build import build
from screening.features._dictionary import describe

from screening import features

T = "2023-10-05"


def make_records(**overrides):
    tables = dict(
        pupils=pd.DataFrame({"upn": ["A", "B", "C", "D"], "sex": ["M", "F", "F", "M"],
                             "date_of_birth": ["2013-01-15", "2012-02-02", "2014-06-06",
                                               "2011-10-10"],
                             "ethnicity": ["WBRI", "BCRB", None, "WROM"],
                             "fsm": ["Y", "N", "Y", None]}),
        enrolments=pd.DataFrame({"upn": ["A", "B", "C", "D", "D"],
                                 "school": ["S1", "S1", "S2", "S3", "AP1"],
                                 "entry_date": ["2018-09-03", "2018-09-03", "2019-09-02",
                                                "2023-09-04", "2023-09-20"],
                                 "phase": ["primary", "primary", "primary", "secondary",
                                           "ap"]}),
        attendance=pd.DataFrame({"upn": ["A", "B"], "period_start": ["2023-01-03"] * 2,
                                 "period_end": ["2023-07-21"] * 2,
                                 "sessions_possible": [200, 200],
                                 "sessions_authorised": [10, 30],
                                 "sessions_unauthorised": [0, 20]}),
        suspensions=pd.DataFrame({"upn": ["B"], "start_date": ["2023-03-01"],
                                  "category": ["FIXD"], "reason": ["DB"]}),
        sen=pd.DataFrame({"upn": ["C"], "start_date": ["2021-01-01"], "provision": ["K"],
                          "primary_need": ["ASD"]}),
    )
    tables.update(overrides)
    return features.Records(**{k: v for k, v in tables.items() if v is not None})


@pytest.fixture(scope="module")
def X():
    return build(make_records(), T)


def test_describe_matches_build_columns(X):
    d = describe()
    assert list(d.columns) == ["feature", "domain", "meaning", "unit", "direction", "kind",
                               "label", "fairness_note"]
    assert d["feature"].tolist() == [c for c in X.columns if c != "school"]
    assert X.columns[:2].tolist() == ["school", "year_group"]
    assert d["feature"].is_unique and d["label"].is_unique
    assert set(d["direction"]) <= {-1, 0, 1}
    assert set(d["kind"]) == {"numeric", "bool", "categorical"}
    assert d["meaning"].str.len().gt(20).all() and d["unit"].str.len().gt(0).all()
    assert d.loc[d["domain"] == "school", "fairness_note"].str.contains(
        "school practice").all()


def test_kinds_match_dtypes(X):
    kind = describe().set_index("feature")["kind"]
    for c, k in kind.items():
        dtype = X[c].dtype
        if k == "categorical":
            assert isinstance(dtype, pd.CategoricalDtype), c
            assert describe().set_index("feature").loc[c, "direction"] == 0
        elif k == "bool":
            zero_one = dtype == "float64" and set(X[c].dropna()) <= {0, 1}
            assert dtype == np.dtype(bool) or zero_one, c
        else:
            assert np.issubdtype(dtype, np.number), c


def test_no_protected_characteristics_among_features():
    names = set(describe()["feature"])
    for protected in ("sex", "ethnicity", "ethnicity_major", "fsm", "eal", "looked_after"):
        assert protected not in names


def test_one_row_per_pupil_none_dropped(X):
    assert X.index.tolist() == ["A", "B", "C", "D"] and X.index.name == "upn"
    assert X.loc["D", "school"] == "S3" and X.loc["D", "dual_registered"]
    assert X.loc["C", "attendance_missing"] and np.isnan(X.loc["C", "absence_rate_12m"])


def test_same_categories_at_every_census():
    rec = make_records()
    a, b = build(rec, T), build(rec, "2022-10-06")
    for c in ("sen_provision", "sen_primary_need"):
        assert a[c].dtype == b[c].dtype


def test_row_order_does_not_matter(X):
    rec = make_records()
    shuffled = features.Records(**{
        k: v.sample(frac=1, random_state=1) for k, v in rec.raw.items() if v is not None})
    pd.testing.assert_frame_equal(build(shuffled, T), X)


def test_optional_tables_absent():
    Xs = build(make_records(suspensions=None, sen=None), T)
    assert not Xs["any_exclusion_24m"].any()
    assert (Xs["sen_provision"] == "none").all()
    assert Xs["school_suspension_rate_12m"].eq(0).all()


def test_empty_cohort_keeps_columns_and_dtypes(X):
    E = build(make_records(), "2010-10-07")
    assert len(E) == 0 and list(E.columns) == list(X.columns)
    assert E.index.name == "upn"
    for c in ("sen_provision", "sen_primary_need"):
        assert E[c].dtype == X[c].dtype


def test_not_records():
    with pytest.raises(TypeError, match=re.escape(_NOT_RECORDS.format("dict"))):
        build({"pupils": pd.DataFrame()}, T)


def test_audit_attributes_values():
    a = features.audit_attributes(make_records(), T)
    assert a.index.tolist() == ["A", "B", "C", "D"]
    assert a["sex"].tolist() == ["M", "F", "F", "M"]
    assert a["fsm"].tolist() == [True, False, True, pd.NA]
    # a blank code is audited as 'Unknown' (like REFU/NOBT), not dropped
    assert a["ethnicity_major"].tolist() == ["White", "Black", "Unknown",
                                             "Gypsy, Roma and Traveller"]
    assert a["sen"].tolist() == ["none", "none", "SEN support", "none"]
    assert a["eal"].isna().all() and a["looked_after"].isna().all()
    assert a["school"].tolist() == ["S1", "S1", "S2", "S3"]


def test_a_feature_without_a_dictionary_row_fails_loudly(monkeypatch):
    from screening.features import _suspension

    short = tuple(s for s in _suspension.FEATURES if s.name != "suspensions_24m")
    monkeypatch.setattr(_suspension, "FEATURES", short)
    with pytest.raises(RuntimeError, match=r"undeclared: \['suspensions_24m'\]"):
        build(make_records(), T)


def test_a_dictionary_row_without_a_feature_fails_loudly(monkeypatch):
    from screening.features import _school
    from screening.features._spec import FeatureSpec

    ghost = FeatureSpec("ghost", "school", "Not computed.", unit="count", direction=1,
                        kind="numeric", label="Ghost")
    monkeypatch.setattr(_school, "FEATURES", (*_school.FEATURES, ghost))
    with pytest.raises(RuntimeError, match=r"declared but not returned: \['ghost'\]"):
        build(make_records(), T)


def test_model_hints_follow_the_dictionary():
    d = describe().set_index("feature")
    hints = features.model_hints()
    for name, direction in hints["monotone"].items():
        assert d.loc[name, "direction"] == direction != 0
        assert d.loc[name, "kind"] != "categorical"
    assert set(hints["feature_labels"]) == set(d.index)
    assert hints["value_formats"]["absence_rate_12m"] == "{:.1%}"
    assert "sen_provision" not in hints["value_formats"]
    with pytest.raises(ValueError, match="not features"):
        features.model_hints(["absence", "year_group"])
