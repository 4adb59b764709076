"""Bands where the evidence is, settings chosen inside fit without leaks, unseen = average."""

import numpy as np
import pandas as pd
import pytest
from screening.models import RiskScorecard
from screening.models import _scorecard as scorecard_module
from screening.models._scorecard import C_GRID, SIZE_GRID

from .conftest import simulate


def _rare_signal(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    rare = rng.uniform(size=n) < 0.03
    noise = rng.normal(size=n)
    p = np.where(rare, 0.30, 0.03)
    y = (rng.uniform(size=n) < p).astype(int)
    return pd.DataFrame({"rare": rare, "noise": noise}), y


def test_rare_strong_binary_feature_gets_its_own_band():
    X, y = _rare_signal()
    assert 0.02 < X["rare"].mean() < 0.04  # below the old 5%-of-rows floor
    card = RiskScorecard(monotone={"rare": 1}, random_state=0).fit(X, y).scorecard_
    rows = card.set_index(["feature", "band"])
    assert rows.loc[("rare", "yes"), "points"] > rows.loc[("rare", "no"), "points"]
    assert rows.loc[("rare", "yes"), "points"] > 0


def test_a_thin_band_without_outcomes_is_merged():
    X, y = _rare_signal()
    y = np.where(X["rare"], 0, y)  # the rare value now holds no outcome at all...
    X = X.iloc[:1000]
    y = y[:1000]  # ...and is too small for its few expected outcomes to be evidence
    m = RiskScorecard(min_band_size=1, C=1.0, random_state=0).fit(X, y)
    assert m.scorecard_.query("feature == 'rare'")["band"].tolist() == ["no or yes",
                                                                       "missing"]


def test_unseen_category_scores_the_feature_average():
    rng = np.random.default_rng(2)
    n = 3000
    level = rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1])
    p = pd.Series(level).map({"a": 0.05, "b": 0.15, "c": 0.4}).to_numpy()
    y = (rng.uniform(size=n) < p).astype(int)
    X = pd.DataFrame({"level": pd.Series(level, dtype=object)})
    m = RiskScorecard(random_state=0).fit(X, y)
    points = m.points_
    seen = [points.loc[("level", v)] for v in ("a", "b", "c")]
    unseen = m.explain(pd.DataFrame({"level": ["never seen"]})).iloc[0, 0]
    average = np.dot(m.band_coef_[0], m.band_counts_[0]) / m.band_counts_[0].sum()
    assert unseen == round(m.scale_ * average)
    assert min(seen) < unseen < max(seen)  # neither the lowest band nor the highest


def test_identical_pupil_with_a_recent_suspension_ranks_higher(sim_train):
    X, y, _ = sim_train
    m = RiskScorecard(monotone={"suspensions": 1}, random_state=0).fit(X, y)
    calm = X[X["suspensions"] == 0].iloc[:50].copy()
    suspended = calm.assign(suspensions=1.0)
    assert (m.predict_proba(suspended)[:, 1] > m.predict_proba(calm)[:, 1]).all()


def test_cross_validation_never_bands_the_rows_it_scores(sim_train, monkeypatch):
    X, y, _ = sim_train
    groups = np.arange(len(y)) // 3  # three rows per "pupil"
    banded, scored = [], []
    fit_specs, encode = scorecard_module.fit_specs, scorecard_module.encode

    def spy_fit_specs(columns, *args, **kwargs):
        banded.append(set(columns[0].index))
        return fit_specs(columns, *args, **kwargs)

    def spy_encode(spec, col):
        if banded:
            scored.append((len(banded), set(col.index)))
        return encode(spec, col)

    monkeypatch.setattr(scorecard_module, "fit_specs", spy_fit_specs)
    monkeypatch.setattr(scorecard_module, "encode", spy_encode)
    m = RiskScorecard(n_splits=3, random_state=0).fit(X, y, groups=groups)
    assert len(banded) == 3 * len(SIZE_GRID)  # bands refitted in every fold
    cv_scored = [(k, rows) for k, rows in scored if len(rows) < len(y)]
    assert cv_scored
    for k, rows in cv_scored:
        assert not rows & banded[k - 1]
        assert not set(groups[list(rows)]) & set(groups[list(banded[k - 1])])
    assert m.n_splits_ == 3


def test_noise_cannot_look_better_than_the_base_rate_out_of_fold():
    # were bands or points fitted on the rows they are scored on, 200-level noise would
    # beat the constant prediction out of fold; honest folds cannot
    rng = np.random.default_rng(5)
    n = 3000
    X = pd.DataFrame({"id": pd.Series(rng.integers(0, 200, n).astype(str), dtype=object),
                      "u": rng.uniform(size=n)})
    y = (rng.uniform(size=n) < 0.2).astype(int)
    m = RiskScorecard(min_band_size=10, min_band_events=0, random_state=0).fit(X, y)
    rate = y.mean()
    entropy = -(rate * np.log(rate) + (1 - rate) * np.log(1 - rate))
    assert m.cv_results_["mean_log_loss"].min() > entropy - 0.002


def test_settings_are_chosen_exposed_and_deterministic(sim_train):
    X, y, _ = sim_train
    a = RiskScorecard(random_state=3).fit(X, y)
    b = RiskScorecard(random_state=3).fit(X, y)
    assert a.C_ in C_GRID and a.min_band_size_ in SIZE_GRID
    assert len(a.cv_results_["C"]) == len(C_GRID) * len(SIZE_GRID)
    best = int(np.argmin(a.cv_results_["mean_log_loss"]))
    assert (a.cv_results_["C"][best], a.cv_results_["min_band_size"][best]) == (
        a.C_, a.min_band_size_)
    pd.testing.assert_frame_equal(a.scorecard_, b.scorecard_)
    assert a.intercept_ == b.intercept_ and a.slope_ == b.slope_
    fixed = RiskScorecard(C=0.3, min_band_size=0.05, random_state=3).fit(X, y)
    assert (fixed.C_, fixed.min_band_size_) == (0.3, 0.05)
    assert len(fixed.cv_results_["C"]) == 1


def test_groups_must_match_the_rows(sim_train):
    X, y, _ = sim_train
    with pytest.raises(ValueError, match="groups has 3 entries"):
        RiskScorecard().fit(X, y, groups=[1, 2, 3])


def test_few_outcomes_fall_back_to_fixed_settings():
    X, y, _ = simulate(200, seed=1)
    y = np.zeros_like(y)
    y[:1] = 1
    with pytest.warns(UserWarning, match="too few for"):
        m = RiskScorecard(random_state=0).fit(X, y)
    assert (m.C_, m.min_band_size_) == (scorecard_module.C_FALLBACK,
                                        scorecard_module.SIZE_FALLBACK)
    assert len(m.cv_results_["C"]) == 0
