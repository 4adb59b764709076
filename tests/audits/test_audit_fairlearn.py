"""Our bincount rates are identical to fairlearn's MetricFrame on the same input."""

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from numpy.testing import assert_allclose
from sklearn.metrics import precision_score, roc_auc_score

from screening import audits


def _mean_true(y_true, y_pred):
    return float(np.mean(y_true))


@pytest.mark.parametrize("attr", ["sex", "fsm", "ethnicity"])
def test_rates_equal_metricframe(cohort, attr):
    rep = audits.audit(cohort, groups=attr, flag="flagged", score="risk", outcome="outcome",
                       min_cell=0, n_boot=0)
    ours = rep.to_frame().set_index("group")
    mf = MetricFrame(
        metrics={"flag_rate": selection_rate, "tpr": true_positive_rate,
                 "fpr": false_positive_rate, "fnr": false_negative_rate,
                 "tnr": true_negative_rate, "ppv": precision_score, "base_rate": _mean_true},
        y_true=cohort["outcome"], y_pred=cohort["flagged"], sensitive_features=cohort[attr])
    theirs = mf.by_group
    theirs.index = theirs.index.astype(str)
    for col in ("flag_rate", "tpr", "fpr", "fnr", "ppv", "base_rate"):
        assert_allclose(ours.loc[theirs.index, col].to_numpy(float),
                        theirs[col].to_numpy(float), rtol=1e-12, atol=0, err_msg=col)
    assert_allclose(1 - ours.loc[theirs.index, "fpr"].to_numpy(float), theirs["tnr"])
    auc = MetricFrame(metrics=roc_auc_score, y_true=cohort["outcome"], y_pred=cohort["risk"],
                      sensitive_features=cohort[attr]).by_group
    assert_allclose(ours.loc[auc.index.astype(str), "auc"].to_numpy(float), auc.to_numpy(float),
                    rtol=1e-12)
    # overall and ratio (fairlearn's ratio(method="to_overall") is min/max-based;
    # compare our ratio to overall against by_group / overall directly)
    assert_allclose(rep.overall["flag_rate"], mf.overall["flag_rate"])
    assert_allclose(ours.loc[theirs.index, "flag_ratio_overall"].to_numpy(float),
                    (theirs["flag_rate"] / mf.overall["flag_rate"]).to_numpy(float))


def test_intersection_equals_metricframe_with_two_features(cohort):
    rep = audits.audit(cohort, groups=["sex", "fsm"], intersections=[("sex", "fsm")],
                       flag="flagged", outcome="outcome", min_cell=0, n_boot=0)
    f = rep.to_frame()
    ours = f[f["attribute"] == "sex × fsm"].set_index("group")
    mf = MetricFrame(metrics={"flag_rate": selection_rate, "tpr": true_positive_rate},
                     y_true=cohort["outcome"], y_pred=cohort["flagged"],
                     sensitive_features=cohort[["sex", "fsm"]])
    for (s, b), row in mf.by_group.iterrows():
        assert_allclose(ours.loc[f"{s} × {b}", ["flag_rate", "tpr"]].to_numpy(float),
                        row.to_numpy(float))


def test_control_breakdown_equals_metricframe_control_features(cohort):
    rep = audits.audit(cohort, groups="sex", flag="flagged", outcome="outcome", min_cell=0,
                       n_boot=0, controls="school")
    ours = rep.breakdown("school").set_index(["control_value", "group"])
    mf = MetricFrame(metrics={"flag_rate": selection_rate, "fpr": false_positive_rate},
                     y_true=cohort["outcome"], y_pred=cohort["flagged"],
                     sensitive_features=cohort["sex"], control_features=cohort["school"])
    theirs = mf.by_group
    for (school, sex), row in theirs.iterrows():
        assert_allclose(ours.loc[(school, sex), ["flag_rate", "fpr"]].to_numpy(float),
                        row.to_numpy(float))
    assert isinstance(rep.breakdown("school"), pd.DataFrame)


def test_metric_frame_uses_fairlearn_and_adds_suppression_and_intervals():
    import re

    import pytest
    from fairlearn.metrics import MetricFrame
    from screening.audits import _messages as msg
    from sklearn.metrics import brier_score_loss, recall_score

    rng = np.random.default_rng(3)
    n = 1200
    df = pd.DataFrame({"g": rng.choice(["a", "b", "c"], n, p=[.6, .395, .005])})
    df["y"] = rng.random(n) < 0.3
    df["p"] = np.clip(0.3 + 0.2 * rng.standard_normal(n), 0, 1)
    df["pred"] = df["p"] > 0.4
    mf = audits.metric_frame(df, groups="g", metrics={"recall": recall_score},
                             y_true="y", y_pred="pred", n_boot=100, random_state=0)
    ref = MetricFrame(metrics=recall_score, y_true=df.y, y_pred=df.pred,
                      sensitive_features=df.g).by_group
    m = mf.set_index("group")
    assert m.loc["a", "value"] == pytest.approx(ref["a"])
    assert m.loc["a", "low"] <= m.loc["a", "value"] <= m.loc["a", "high"]
    assert m.loc["c", "suppressed"] and np.isnan(m.loc["c", "value"])
    assert m.loc["b", "suppressed"]  # complement: a - b would not reveal c, total - a would
    brier = audits.metric_frame(df, groups="g", metrics=brier_score_loss, y_true="y",
                                y_pred="p", n_boot=0, min_cell=0)
    assert set(brier["metric"]) == {"brier_score_loss"}
    with pytest.raises(TypeError, match=re.escape(msg._METRICS.split("{")[0][:40])):
        audits.metric_frame(df, groups="g", metrics={"x": 1}, y_true="y", y_pred="pred")
