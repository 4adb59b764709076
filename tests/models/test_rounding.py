"""Integer points that carry their weight: the rounding rule and its reported cost."""

import numpy as np
from screening.models import RiskScorecard
from screening.models._points import ROUNDING_TOLERANCE
from sklearn.metrics import roc_auc_score

from .conftest import simulate


def _exact_score(model, X):
    codes, _ = model._encode(X)
    return sum(c[codes[:, j]] for j, c in enumerate(model.band_coef_))


def test_report_matches_the_training_scores(fitted, sim_train):
    X, y, _ = sim_train
    report = fitted.rounding_report_
    assert set(report) == {"auc_exact", "auc_points", "log_loss_exact", "log_loss_points",
                           "max_proba_diff", "max_points"}
    assert np.isclose(report["auc_points"], roc_auc_score(y, fitted.score_points(X)))
    assert np.isclose(report["auc_exact"], roc_auc_score(y, _exact_score(fitted, X)))
    assert np.isclose(report["log_loss_points"] - report["log_loss_exact"],
                      fitted.rounding_loss_)
    assert report["max_points"] == max(int(p.max()) for p in fitted.band_points_)
    assert 0 <= report["max_proba_diff"] < 0.05
    assert abs(fitted.rounding_loss_) < 1e-3
    assert "Rounding to points" in str(fitted)


def test_auto_points_keep_the_rounding_loss_within_tolerance(fitted):
    # the strongest band got the fewest points meeting the tolerance (or the most tried)
    report = fitted.rounding_report_
    assert report["max_proba_diff"] <= ROUNDING_TOLERANCE or report["max_points"] >= 80
    assert all(np.issubdtype(p.dtype, np.integer) for p in fitted.band_points_)


def test_a_small_cap_costs_more_than_auto():
    X, y, _ = simulate(4000, seed=3)
    fixed = dict(C=1.0, min_band_size=0.05, random_state=0)
    auto = RiskScorecard(**fixed).fit(X, y)
    capped = RiskScorecard(max_points=2, **fixed).fit(X, y)
    assert max(int(p.max()) for p in capped.band_points_) <= 2
    assert capped.rounding_report_["max_points"] <= 2
    assert capped.rounding_loss_ > auto.rounding_loss_
    assert (capped.rounding_report_["max_proba_diff"]
            > auto.rounding_report_["max_proba_diff"])
    # the exact score is the same card before rounding
    assert np.isclose(capped.rounding_report_["auc_exact"], auto.rounding_report_["auc_exact"])
