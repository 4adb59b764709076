"""The portable JSON scorecard: apply_json reproduces predict_proba to 1e-12."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from screening.models import RiskScorecard, apply_json
from screening.models._export import _BAD_SCHEMA, _MISSING_COLUMN

from .conftest import simulate


def _awkward_rows():
    """Missing values, unseen categories, extreme and boundary values."""
    return pd.DataFrame({
        "absence": [np.nan, 0.0, 1.0, -5.0, 0.05, 1e9],
        "suspensions": [np.nan, 0.0, 30.0, 1.0, 0.5, 2.0],
        "sen": pd.Series(["K", None, "never seen", "rare1", "E", "none"], dtype="category"),
        "looked_after": pd.array([True, None, False, True, False, None], dtype="boolean"),
        "moves": [0, 1, 2, 3, 4, 100],
    })


def test_json_document(fitted):
    card = json.loads(fitted.to_json())
    assert card["schema"] == "risk-scorecard" and card["schema_version"] == 2
    assert [f["name"] for f in card["features"]] == list(fitted.feature_names_in_)
    absence = card["features"][0]
    assert absence["label"] == "Absence last 12 months" and absence["type"] == "numeric"
    assert absence["cuts"] == sorted(absence["cuts"])
    assert absence["bands"][-1]["label"] == "missing"
    sen = card["features"][2]
    assert sen["bands"][-2]["unseen"] is True
    assert set(sen["bands"][-2]["categories"]) == {"rare1", "rare2"}
    prob = card["probability"]
    table = pd.DataFrame(prob["table"])
    low = sum(min(b["points"] for b in f["bands"]) for f in card["features"])
    assert table["points"].iloc[0] == low and (np.diff(table["points"]) == 1).all()
    np.testing.assert_allclose(
        table["probability"],
        1 / (1 + np.exp(-(prob["intercept"] + prob["slope"] * table["points"]))))


def test_apply_json_matches_predict_proba(fitted, tmp_path):
    X = pd.concat([simulate(500, seed=5)[0], _awkward_rows()], ignore_index=True)
    expected = fitted.predict_proba(X)[:, 1]
    for card in (fitted.to_json(), json.loads(fitted.to_json())):
        np.testing.assert_allclose(apply_json(card, X), expected, rtol=0, atol=1e-12)
    path = tmp_path / "card.json"
    fitted.to_json(path)
    np.testing.assert_allclose(apply_json(path, X), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(apply_json(str(path), X[X.columns[::-1]]), expected,
                               rtol=0, atol=1e-12)
    # object / string columns and a plain object array, in card order
    as_object = X.astype({"sen": "object", "looked_after": "object"})
    np.testing.assert_allclose(apply_json(fitted.to_json(), as_object.to_numpy()), expected,
                               rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(
    st.one_of(st.none(), st.floats(-1, 2, allow_nan=False)),
    st.one_of(st.none(), st.integers(0, 6)),
    st.sampled_from(["none", "K", "E", "rare1", "zzz", None]),
    st.sampled_from([True, False, None]),
    st.integers(0, 5),
), min_size=1, max_size=20))
def test_additivity_and_json_property(rows):
    """explain() sums to decision_function and the JSON agrees, on arbitrary rows."""
    model = _model()
    X = pd.DataFrame(rows, columns=["absence", "suspensions", "sen", "looked_after", "moves"])
    X = X.astype({"absence": "float64", "suspensions": "float64", "sen": "category",
                  "looked_after": "boolean", "moves": "int64"})
    parts = model.explain(X)
    decision = model.decision_function(X)
    np.testing.assert_allclose(parts.sum(axis=1).to_numpy() + model.intercept_, decision,
                               rtol=0, atol=1e-9)
    np.testing.assert_allclose(apply_json(model.to_json(), X),
                               model.predict_proba(X)[:, 1], rtol=0, atol=1e-12)


_CACHE = {}


def _model():
    if "m" not in _CACHE:
        X, y, _ = simulate(1500, seed=2)
        _CACHE["m"] = RiskScorecard(monotone={"absence": 1}, random_state=0).fit(X, y)
    return _CACHE["m"]


def test_apply_json_errors(fitted):
    card = json.loads(fitted.to_json())
    with pytest.raises(ValueError, match="not a risk scorecard JSON"):
        apply_json({**card, "schema_version": 99}, _awkward_rows())
    assert "{0}" in _BAD_SCHEMA
    with pytest.raises(ValueError, match=_MISSING_COLUMN.split("{0!r}")[0]):
        apply_json(card, _awkward_rows().drop(columns="sen"))
    with pytest.raises(ValueError, match="has 5 features but the array X has 2"):
        apply_json(card, np.zeros((3, 2)))


def test_numpy_fitted_card_round_trip():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(800, 3))
    X[rng.uniform(size=X.shape) < 0.05] = np.nan
    y = (X[:, 0] + rng.normal(size=800) > 0.5).astype(int)
    m = RiskScorecard(random_state=0).fit(X, y)
    np.testing.assert_allclose(apply_json(m.to_json(), X), m.predict_proba(X)[:, 1],
                               rtol=0, atol=1e-12)
