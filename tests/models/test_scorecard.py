"""Behaviour of RiskScorecard: bands, monotonicity, reading, errors, calibration."""

import re

import numpy as np
import pandas as pd
import pytest
from screening.models import RiskScorecard
from screening.models._scorecard import (
    _MONOTONE_CATEGORICAL,
    _ONE_CLASS,
    _ONLY_BINARY,
    _PARAM,
    _UNKNOWN_FEATURE,
)

from .conftest import simulate


def _ordered_points(model, feature):
    j = [s["name"] for s in model.bands_].index(feature)
    return model.band_points_[j][:-1]  # without the missing band


def test_card_structure(fitted, sim_train):
    card = fitted.scorecard_
    assert list(card.columns) == ["feature", "label", "band", "points", "n", "rate", "basis"]
    assert (card["basis"] == np.where(card["n"] > 0, "training rows", "feature average")).all()
    assert set(card["feature"]) == {"absence", "suspensions", "sen", "looked_after", "moves"}
    top = fitted.rounding_report_["max_points"]
    assert card["points"].between(0, top).all() and 5 <= top <= 100
    assert card["points"].max() == top
    # every feature has a missing band; each non-empty band honours the minimum support
    assert (card.groupby("feature")["band"].last() == "missing").all()
    min_rows = int(np.ceil(fitted.min_band_size_ * len(sim_train[1])))
    ordered = card[(card["band"] != "missing") & (card["n"] > 0)
                   & card["feature"].isin(["absence", "moves"])]
    assert (ordered["n"] >= min_rows).all()
    # rare categories are pooled, common ones keep their own band
    sen = card.loc[card["feature"] == "sen", "band"].tolist()
    assert sen == ["E", "K", "none", "any other value", "missing"]
    assert card.set_index(["feature", "band"]).loc[("looked_after", "yes"), "points"] > 0
    assert fitted.points_.loc[("sen", "E")] >= fitted.points_.loc[("sen", "none")]
    assert np.isfinite(fitted.rounding_loss_) and abs(fitted.rounding_loss_) < 0.01


def test_monotone_constraints_hold_and_force_merges():
    rng = np.random.default_rng(3)
    n = 3000
    u = rng.uniform(0, 1, n)
    # a U-shaped truth: an increasing constraint must merge the falling part away
    p = 0.05 + 0.4 * (u - 0.45) ** 2 + 0.2 * (u > 0.8)
    y = (rng.uniform(size=n) < p).astype(int)
    X = pd.DataFrame({"u": u, "v": rng.normal(size=n)})
    free = RiskScorecard(random_state=0).fit(X, y)
    assert np.any(np.diff(_ordered_points(free, "u")) < 0)  # the data really is U-shaped
    for direction in (1, -1):
        m = RiskScorecard(monotone={"u": direction}, random_state=0).fit(X, y)
        steps = direction * np.diff(_ordered_points(m, "u"))
        assert (steps >= 0).all()
        assert (direction * np.diff(m.band_coef_[0][:-1]) >= 0).all()


def test_monotone_fitted_features(fitted):
    for feature in ("absence", "suspensions"):
        assert (np.diff(_ordered_points(fitted, feature)) >= 0).all()


def test_printing_uses_column_names_and_labels(fitted):
    text = str(fitted)
    assert "Absence last 12 months (absence)" in text
    assert "SEN status (sen)" in text and "suspensions" in text
    assert not re.search(r"\bx0\b", text)
    html = fitted._repr_html_()
    assert "Absence last 12 months" in html and "<table>" in html
    assert "RiskScorecard(" in str(RiskScorecard())
    assert RiskScorecard()._repr_html_().startswith("<pre>")


def test_numpy_input_is_named_x0(sim_train):
    X, y, _ = sim_train
    m = RiskScorecard(random_state=0).fit(X[["absence", "moves"]].to_numpy(), y)
    assert list(m.scorecard_["feature"].unique()) == ["x0", "x1"]
    assert not hasattr(m, "feature_names_in_")


def test_unseen_and_missing_values(fitted):
    X = pd.DataFrame({"absence": [np.nan, 0.01], "suspensions": [np.nan, 0.0],
                      "sen": pd.Series(["brand new", None], dtype="object"),
                      "looked_after": pd.array([None, False], dtype="boolean"),
                      "moves": [np.nan, 0]})
    parts = fitted.explain(X)
    other = fitted.points_.loc[("sen", "any other value")]
    assert parts.loc[0, "sen"] == other  # unseen category -> other band
    # no missing values in training for these: their missing bands carry no information
    # and score the feature's training-average log-odds, not the lowest band
    for feature in ("suspensions", "looked_after", "moves"):
        j = [s["name"] for s in fitted.bands_].index(feature)
        coef, counts = fitted.band_coef_[j], fitted.band_counts_[j]
        average = np.dot(coef, counts) / counts.sum()
        assert counts[-1] == 0 and coef[-1] == pytest.approx(average)
        assert parts.loc[0, feature] == round(fitted.scale_ * average)
        assert fitted.scorecard_.set_index(["feature", "band"]).loc[
            (feature, "missing"), "basis"] == "feature average"
    assert parts.loc[0, "absence"] == fitted.points_.loc[("absence", "missing")]
    assert np.isfinite(fitted.predict_proba(X)).all()


def test_explain_and_reasons(fitted, sim_train):
    X = sim_train[0].iloc[:300].set_index(pd.RangeIndex(1000, 1300))
    parts = fitted.explain(X)
    assert parts.index.equals(X.index) and list(parts.columns) == list(X.columns)
    np.testing.assert_array_equal(parts.sum(axis=1).to_numpy() + fitted.intercept_,
                                  fitted.decision_function(X))
    reasons = fitted.reasons(X, k=3, relative_to="zero")
    assert list(reasons.columns) == ["reason_1", "reason_2", "reason_3"]
    first = reasons["reason_1"].iloc[int(np.argmax(parts.max(axis=1).to_numpy()))]
    assert re.fullmatch(r".+: .+ \(\+\d+ points?\)", first)
    # the top reason carries the row's largest contribution
    top = parts.max(axis=1).astype(int)
    shown = reasons["reason_1"].str.extract(r"\+(\d+) point")[0].astype(float)
    assert (shown.fillna(0).astype(int) == top).all()
    assert ((reasons == "") | reasons.apply(lambda c: c.str.contains("point"))).all().all()
    wide = fitted.reasons(X.iloc[:5], k=7, relative_to="zero")
    assert list(wide.columns)[-1] == "reason_7" and (wide["reason_7"] == "").all()
    assert "Absence last 12 months" in " ".join(reasons.to_numpy().ravel())
    with pytest.raises(ValueError, match="k must be a whole number"):
        fitted.reasons(X, k=0)


def test_deterministic_given_random_state(sim_train):
    X, y, _ = sim_train
    a = RiskScorecard(random_state=1).fit(X, y).predict_proba(X)
    b = RiskScorecard(random_state=1).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_calibrated_out_of_sample(fitted):
    X, y, p_true = simulate(20000, seed=11)
    p = fitted.predict_proba(X)[:, 1]
    bins = np.clip((p * 10).astype(int), 0, 9)
    ece = sum(abs(y[bins == b].mean() - p[bins == b].mean()) * (bins == b).mean()
              for b in np.unique(bins))
    assert ece < 0.02
    # the 2,500 training rows have a rate of 0.175 against 0.167 here (sampling noise
    # of about 0.008): the mean risk follows the training rate
    assert abs(p.mean() - y.mean()) < 0.015
    assert np.corrcoef(p, p_true)[0, 1] > 0.8
    # a monotone map of the score
    order = np.argsort(fitted.decision_function(X))
    assert (np.diff(p[order]) >= 0).all()


@pytest.mark.parametrize("params, name", [
    ({"max_points": 0}, "max_points"), ({"max_bands": 1}, "max_bands"),
    ({"min_band_size": 0.0}, "min_band_size"), ({"min_band_size": 1.5}, "min_band_size"),
    ({"C": -1.0}, "C"), ({"n_splits": 1}, "n_splits"), ({"monotone": [1]}, "monotone"),
    ({"monotone": {"absence": 2}}, "monotone"),
])
def test_parameter_errors(sim_train, params, name):
    X, y, _ = sim_train
    prefix = re.escape(_PARAM.split("{1}")[0].format(name))
    with pytest.raises(ValueError, match=prefix):
        RiskScorecard(**params).fit(X, y)


def test_data_errors(sim_train):
    X, y, _ = sim_train
    with pytest.raises(ValueError, match=re.escape(_ONE_CLASS.split("(")[0])):
        RiskScorecard().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match=re.escape(_ONLY_BINARY.split(" The")[0])):
        RiskScorecard().fit(X, np.arange(len(y)) % 3)
    unknown = _UNKNOWN_FEATURE.format("monotone", ["absense"], "")[:40]
    with pytest.raises(ValueError, match=re.escape(unknown)):
        RiskScorecard(monotone={"absense": 1}).fit(X, y)
    with pytest.raises(ValueError, match=re.escape(_MONOTONE_CATEGORICAL.format("sen", 1))):
        RiskScorecard(monotone={"sen": 1}).fit(X, y)
    bad = X.assign(absence=X["absence"].where(X.index != 3, np.inf))
    with pytest.raises(ValueError, match="infinite values"):
        RiskScorecard().fit(bad, y)


def test_string_object_and_nullable_columns(sim_train):
    X, y, _ = sim_train
    X = X.assign(sen=X["sen"].astype("str"),
                 looked_after=X["looked_after"].astype(object),
                 moves=pd.array(X["moves"], dtype="Int64"))
    X.loc[X.index[:50], "moves"] = pd.NA
    m = RiskScorecard(random_state=0).fit(X, y)
    kinds = {s["name"]: s["kind"] for s in m.bands_}
    assert kinds == {"absence": "numeric", "suspensions": "numeric", "sen": "categorical",
                     "looked_after": "bool", "moves": "numeric"}
    assert m.points_.loc[("moves", "missing")] >= 0
    np.testing.assert_allclose(m.explain(X).sum(axis=1) + m.intercept_,
                               m.decision_function(X))


def test_cross_fitting_folds_and_fallback():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=200)})
    y = np.zeros(200, dtype=int)
    y[:3] = 1
    assert RiskScorecard(random_state=0).fit(X, y).n_splits_ == 3
    y[1:3] = 0
    with pytest.warns(UserWarning, match="fitted in sample"):
        m = RiskScorecard(random_state=0).fit(X, y)
    assert m.n_splits_ == 0 and np.isfinite(m.predict_proba(X)).all()


def test_notebook_display(fitted):
    bundle = fitted._repr_mimebundle_()
    assert "Absence last 12 months" in bundle["text/html"]
    assert "text/html" in RiskScorecard()._repr_mimebundle_()


def test_value_formats_change_only_the_label_text(sim_train):
    X, y, _ = sim_train
    plain = RiskScorecard(random_state=0).fit(X, y)
    pretty = RiskScorecard(random_state=0, value_formats={"absence": "{:.0%}"}).fit(X, y)
    labels = pretty.scorecard_.loc[pretty.scorecard_["feature"] == "absence", "band"]
    assert labels.str.contains("%").sum() >= 2
    np.testing.assert_array_equal(plain.predict_proba(X), pretty.predict_proba(X))
    with pytest.raises(ValueError, match="value_formats"):
        RiskScorecard(value_formats={"nope": "{:.0%}"}).fit(X, y)


def test_reasons_relative_to_typical_skip_bands_most_rows_share(fitted, sim_train):
    from screening.models._explain import typical_points

    X = sim_train[0].iloc[:400]
    parts = fitted.explain(X)
    base = pd.Series(typical_points(fitted.band_points_, fitted.band_counts_),
                     index=parts.columns)
    above = parts.sub(base, axis=1)
    reasons = fitted.reasons(X, k=3)
    # a row shows exactly as many reasons as features above typical (up to k)
    shown = (reasons != "").sum(axis=1)
    np.testing.assert_array_equal(shown.to_numpy(), np.minimum((above > 0).sum(axis=1), 3))
    # the first reason carries the most points among the features above typical, and
    # the points shown never rise from one reason to the next
    best = parts.where(above > 0).max(axis=1)
    rows = shown > 0
    pts = reasons.apply(lambda c: c.str.extract(r"\(\+(\d+) point")[0].astype(float))
    np.testing.assert_array_equal(pts["reason_1"][rows].to_numpy(), best[rows].to_numpy())
    assert ((pts["reason_1"] >= pts["reason_2"]) | pts["reason_2"].isna()).all()
    assert ((pts["reason_2"] >= pts["reason_3"]) | pts["reason_3"].isna()).all()
    with pytest.raises(ValueError, match="relative_to"):
        fitted.reasons(X, relative_to="mean")
