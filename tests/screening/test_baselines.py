"""Every evaluation judges the screen beside simple baselines and the school-context choice."""

import numpy as np
import pandas as pd

import screening
from screening import features


def test_comparison_holds_every_baseline_on_the_same_pupils(evaluation, fitted):
    t = evaluation.comparison
    assert t["model"].tolist() == ["this screen", "school-only rule", "simple rule",
                                   "plain logistic regression", "with school context"]
    n_flagged = int(evaluation.scores["flagged"].sum())
    assert (t["n_flagged"] == n_flagged).all()  # the same capacity for every row
    me = t.set_index("model").loc["this screen"]
    assert me["auc"] == evaluation.metrics["auc"]
    assert me["precision_at_capacity"] == evaluation.metrics["precision_at_capacity"]
    assert t[["auc", "average_precision"]].notna().all().all()


def test_school_only_rule_is_the_school_rate_ranking(evaluation, la):
    from sklearn.metrics import roc_auc_score

    X = features.build(la.records, as_of=evaluation.as_of, year_groups=(5, 6, 7))
    y = evaluation.scores.set_index("upn")["outcome"].reindex(X.index.astype(str))
    auc = roc_auc_score(y.to_numpy(), X["school_suspension_rate_12m"].fillna(0).to_numpy())
    school = evaluation.comparison.set_index("model").loc["school-only rule"]
    assert school["auc"] == auc


def test_school_context_share_and_verdict(evaluation, result):
    school = evaluation.school_context
    assert school["in_model"] is False
    assert 0 < school["share_of_flagged_points"] < 1
    text = evaluation.comparison_summary
    assert "school-only rule" in text and "%" in text
    html = result.to_html(evaluation=evaluation)
    assert "Against simple baselines" in html and "plain logistic regression" in html


def test_summary_says_when_the_screen_does_not_beat_the_school_rule(evaluation):
    import dataclasses

    t = evaluation.comparison.copy()
    t.loc[t["model"] == "school-only rule", ["auc", "precision_at_capacity"]] = 1.0
    worse = dataclasses.replace(evaluation, comparison=t)
    assert "does NOT beat the school-only rule" in worse.comparison_summary


def test_simple_rule_flags_recent_suspension_or_high_absence():
    X = pd.DataFrame({"school_suspension_rate_12m": [1.0, np.nan, 3.0, 4.0],
                      "suspensions_12m": [0.0, 2.0, 0.0, np.nan],
                      "absence_rate_12m": [0.02, 0.0, 0.10, 0.099]})
    b = features.baselines(X)
    assert b["simple rule"].tolist() == [0.0, 1.0, 1.0, 0.0]
    assert b["school-only rule"].tolist() == [1.0, 0.0, 3.0, 4.0]


def test_points_share_of_school_context():
    parts = pd.DataFrame({"a": [2.0, 0.0, 4.0], "school_suspension_rate_12m": [2.0, 9.0, 0.0]})
    share = screening.models.points_share(parts, [True, False, True],
                                          list(features.SCHOOL_CONTEXT))
    assert share == 0.25
