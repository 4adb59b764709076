"""Explanations: agreement with shap, and the booster's shap contributions."""

import re

import numpy as np
import pandas as pd
import pytest
import shap
from screening.models import BoostedRiskModel
from screening.models._points import one_hot


def test_contributions_agree_with_shap_linear(fitted, sim_train):
    """On the one-hot banded design with the integer points as coefficients, shap's
    LinearExplainer equals explain() minus its background mean (centring)."""
    X = sim_train[0]
    codes, _ = fitted._encode(X)
    sizes = [len(p) for p in fitted.band_points_]
    design = one_hot(codes, sizes).toarray()
    coef = np.concatenate(fitted.band_points_).astype(float)
    background = shap.maskers.Independent(design, max_samples=len(design))
    explainer = shap.LinearExplainer((coef, fitted.intercept_), background)
    rows = slice(0, 200)
    phi = explainer.shap_values(design[rows])
    starts = np.cumsum([0] + sizes)
    by_feature = np.column_stack([phi[:, a:b].sum(axis=1)
                                  for a, b in zip(starts[:-1], starts[1:])])
    parts = fitted.explain(X)
    centred = parts.iloc[rows] - parts.mean(axis=0)
    np.testing.assert_allclose(by_feature, centred.to_numpy(), atol=1e-9)
    np.testing.assert_allclose(explainer.expected_value,
                               fitted.decision_function(X).mean(), atol=1e-9)


def test_boosted_explain_is_additive_log_odds(sim_train):
    X, y, _ = sim_train
    m = BoostedRiskModel(max_iter=30, cv=2, random_state=0).fit(X, y)
    parts = m.explain(X.iloc[:100])
    assert list(parts.columns) == list(X.columns) and parts.index.equals(X.index[:100])
    raw = m.booster_.decision_function(m._matrix_known(X.iloc[:100]))
    base = shap.TreeExplainer(m.booster_).expected_value
    np.testing.assert_allclose(parts.sum(axis=1) + np.ravel(base)[-1], raw, atol=1e-6)
    proba = m.predict_proba(X)[:, 1]
    assert proba.min() > 0 and proba.max() < 1
    unseen = X.iloc[:3].assign(sen=pd.Series(["?", None, "K"], dtype="category",
                                             index=X.index[:3]))
    assert np.isfinite(m.predict_proba(unseen)).all()


def test_boosted_errors(sim_train):
    from screening.models._boosted import _BAD_METHOD, _ONE_CLASS

    X, y, _ = sim_train
    with pytest.raises(ValueError, match=re.escape(_BAD_METHOD.format("platt"))):
        BoostedRiskModel(method="platt").fit(X, y)
    with pytest.raises(ValueError, match=re.escape(_ONE_CLASS.format(0))):
        BoostedRiskModel().fit(X, np.zeros(len(y), dtype=int))


def test_boosted_all_missing_column(sim_train):
    X, y, _ = sim_train
    X = X.assign(empty=np.nan)
    m = BoostedRiskModel(max_iter=5, cv=2, random_state=0).fit(X, y)
    assert m.empty_columns_.tolist() == [X.shape[1] - 1]
    assert np.isfinite(m.predict_proba(X)).all()


def test_codes_layout_changes_no_total_or_reason(fitted, sim_train):
    """_encode returns column-major codes; the totals and the reasons read from them are
    those of the same codes in row-major layout."""
    from screening.models._explain import top_reasons, typical_points
    from screening.models._points import total_points

    X = sim_train[0]
    codes, index = fitted._encode(X)
    assert codes.flags.f_contiguous
    rows = np.ascontiguousarray(codes)
    card = {"points": fitted.band_points_}
    np.testing.assert_array_equal(total_points(card, codes), total_points(card, rows))
    base = typical_points(fitted.band_points_, fitted.band_counts_)
    for baseline in (None, base):
        args = (fitted.band_points_, fitted.bands_, fitted._labels())
        pd.testing.assert_frame_equal(
            top_reasons(*args, codes, len(fitted.bands_), index, baseline=baseline),
            top_reasons(*args, rows, len(fitted.bands_), index, baseline=baseline))


def test_reason_codes_are_every_reason(fitted, sim_train):
    """_reason_codes is reasons(X, k=<features>) with each text as a code (-1 blank)."""
    X = sim_train[0]
    p = len(fitted.bands_)
    codes, texts = fitted._reason_codes(X)
    want = fitted.reasons(X, k=p).to_numpy(dtype=object)
    assert codes.shape == want.shape == (len(X), p)
    np.testing.assert_array_equal(np.append(texts, "")[codes], want)
    assert len(set(texts)) == len(texts) and "" not in set(texts)
