"""End-to-end behaviour of the Screener on the synthetic local authority."""

import numpy as np
import pandas as pd
import pytest
from screening.audits._flag import _BAD_CAPACITY
from screening.features._outcome import INCOMPLETE_WINDOW as _INCOMPLETE_WINDOW

import screening
from screening import features


def test_every_cohort_pupil_gets_a_row(la, result):
    as_of = la.census_dates[-1]
    cohort = features.build(la.records, as_of=as_of).index
    assert len(result.scores) == len(cohort)
    assert set(result.scores["upn"]) == set(cohort)
    assert result.scores["upn"].is_unique
    assert result.scores["status"].str.startswith("scored").all()


def test_scores_have_the_contract_columns(result):
    cols = {"upn", "school", "year_group", "risk", "flagged", "reason_1", "reason_2",
            "reason_3", "status"}
    assert cols <= set(result.scores.columns)
    assert result.scores["risk"].between(0, 1).all()
    assert set(result.scores["year_group"].unique()) <= {5, 6, 7}


def test_capacity_fraction_flags_that_many(result):
    n = len(result.scores)
    assert result.scores["flagged"].sum() == int(np.floor(0.05 * n)) or \
        abs(result.scores["flagged"].sum() - 0.05 * n) <= 1
    flagged = result.scores[result.scores["flagged"]]
    rest = result.scores[~result.scores["flagged"]]
    assert flagged["risk"].min() >= rest["risk"].max()


def test_flagged_pupils_have_reasons(result):
    flagged = result.scores[result.scores["flagged"]]
    assert (flagged["reason_1"].str.len() > 0).mean() > 0.9
    assert flagged["reason_1"].str.contains("point").any()


def test_capacity_as_a_count_and_threshold(la, fitted):
    d = la.census_dates[-1]
    scr = screening.Screener(capacity=25, n_boot=20)
    scr.__dict__.update({k: v for k, v in fitted.__dict__.items() if k.endswith("_")})
    assert scr.screen(la.records, as_of=d).scores["flagged"].sum() == 25
    scr.threshold = 0.2
    res = scr.screen(la.records, as_of=d)
    assert (res.scores["flagged"] == (res.scores["risk"] >= 0.2)).all()


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, "5%", True])
def test_bad_capacity_is_refused(la, bad):
    with pytest.raises(ValueError, match="capacity must be"):
        screening.Screener(capacity=bad).fit(la.records, as_of=la.census_dates[:2])
    assert "fraction" in _BAD_CAPACITY


def test_fit_refuses_a_census_with_an_incomplete_window(la):
    with pytest.raises(ValueError, match="outcome window runs to"):
        screening.Screener().fit(la.records, as_of=[la.census_dates[-1]])
    assert "{as_of}" in _INCOMPLETE_WINDOW


def test_the_audit_is_always_attached(result):
    frame = result.audit.to_frame()
    assert {"sex", "fsm", "sen", "ethnicity", "eal"} <= set(frame["attribute"])
    assert "ethnicity_major" in set(frame["attribute"])


def test_leakage_records_on_or_after_census_change_no_score(la, fitted):
    as_of = la.census_dates[-2]
    base = fitted.screen(la.records, as_of=as_of).scores
    t = la.records.tables()
    late = t["suspensions"][t["suspensions"]["start_date"] >= as_of]
    assert len(late) > 0
    cohort = base["upn"].tolist()
    extra_susp = pd.DataFrame({
        "upn": cohort[:50], "start_date": as_of, "category": "permanent", "sessions": 10.0,
        "reason": "PA", "school": base["school"].iloc[:50].tolist(),
    })
    extra_att = pd.DataFrame({
        "upn": cohort[:50], "school": base["school"].iloc[:50].tolist(),
        "period_start": as_of - pd.Timedelta(days=10), "period_end": as_of,
        "sessions_possible": 20.0, "sessions_authorised": 10.0, "sessions_unauthorised": 10.0,
    })
    extra_sen = pd.DataFrame({"upn": cohort[:50], "start_date": as_of, "end_date": pd.NaT,
                              "provision": "E", "primary_need": "SEMH"})
    extra_enr = pd.DataFrame({"upn": cohort[:50], "school": "NEW-AP", "entry_date": as_of,
                              "leaving_date": pd.NaT, "phase": "ap"})
    rec2 = screening.Records(
        pupils=t["pupils"],
        enrolments=pd.concat([t["enrolments"], extra_enr], ignore_index=True),
        attendance=pd.concat([t["attendance"], extra_att], ignore_index=True),
        suspensions=pd.concat([t["suspensions"], extra_susp], ignore_index=True),
        sen=pd.concat([t["sen"], extra_sen], ignore_index=True),
        extract_date=la.records.extract_date,
    )
    after = fitted.screen(rec2, as_of=as_of).scores
    pd.testing.assert_frame_equal(base.drop(columns=[]), after)


def test_evaluation_metrics_and_audit_error_rates(la, fitted, evaluation):
    import copy

    m = evaluation.metrics
    for key in ("auc", "average_precision", "brier", "calibration_error",
                "precision_at_capacity", "recall_at_capacity", "n", "base_rate"):
        assert key in m.index
    assert 0.6 < m["auc"] <= 1
    # at this size, true positives per group are under 10, so the default audit hides them
    frame = evaluation.audit.to_frame()
    assert "tpr" in frame and "fpr" in frame
    unsuppressed = copy.copy(fitted)
    unsuppressed.min_cell = 1
    frame = unsuppressed.evaluate(la.records, as_of=la.census_dates[-2],
                                  compare=False).audit.to_frame()
    assert frame["tpr"].notna().any() and frame["fpr"].notna().any()


def test_backtest_rolls_the_origin(la):
    scr = screening.Screener(n_boot=20)
    bt = scr.backtest(la.records, as_of=la.census_dates[:-1][-3:])
    m = bt.metrics
    assert len(m) == 2
    assert m["trained_on"].iloc[0].count(",") == 0
    assert m["trained_on"].iloc[1].count(",") == 1
    assert (m["as_of"] > m["trained_on"].str.split(", ").str[-1]).all()


def test_outputs(result, evaluation, tmp_path):
    import json

    paths = result.to_csv(tmp_path)
    assert all(p.exists() for p in paths)
    scores = pd.read_csv(tmp_path / "scores.csv", dtype={"upn": str})
    assert len(scores) == len(result.scores)
    doc = json.loads(result.to_json())
    assert doc["schema_version"] == screening._result.JSON_SCHEMA_VERSION
    assert len(doc["scores"]) == len(result.scores)
    assert doc["audit"]
    html = result.to_html(tmp_path / "report.html", evaluation=evaluation)
    for section in ("What to do", "Why these pupils", "Is it fair", "Is it right",
                    "How it works", "Model card", "Flagged pupils", "Calibration",
                    "Choosing the capacity", "Scorecard", "Intended use"):
        assert section in html
    order = [html.index(f"id='{a}'") for a in ("todo", "why", "fair", "right", "how")]
    assert order == sorted(order)
    assert "<script" not in html.lower()
    assert "audit_breakdowns.csv" in {p.name for p in paths}


def test_points_are_the_card_total_and_read_the_risk(result):
    """scores.points is the whole-number card total; the card's table gives the risk."""
    pts = result.scores["points"]
    assert pd.api.types.is_integer_dtype(pts)
    table = pd.DataFrame(result.facts["scorecard"]["probability"]["table"])
    risk = pts.map(table.set_index("points")["probability"])
    np.testing.assert_allclose(risk, result.scores["risk"], rtol=1e-9)


def test_reasons_never_show_fewer_points_than_the_next(result):
    pts = result.scores[["reason_1", "reason_2", "reason_3"]].apply(
        lambda c: c.str.extract(r"\(\+(\d+) points?\)")[0].astype(float))
    assert pts["reason_1"].notna().any()
    assert ((pts["reason_1"] >= pts["reason_2"]) | pts["reason_2"].isna()).all()
    assert ((pts["reason_2"] >= pts["reason_3"]) | pts["reason_3"].isna()).all()


def test_capacity_curve_of_an_evaluation(evaluation):
    curve = evaluation.capacity_curve([0.05, 0.1], groups=["sex", "fsm"])
    at = curve[curve["attribute"] == "all"].set_index("capacity")
    # at the screen's own capacity the curve agrees with the evaluation's metrics
    cap = evaluation.facts["capacity"]
    if cap in at.index:
        m = evaluation.metrics
        assert at.loc[cap, "precision"] == pytest.approx(m["precision_at_capacity"])
        assert at.loc[cap, "recall"] == pytest.approx(m["recall_at_capacity"])
        assert at.loc[cap, "n_flagged"] == evaluation.scores["flagged"].sum()
    assert set(curve["attribute"]) == {"all", "sex", "fsm"}
    with pytest.raises(KeyError, match="not an audit group"):
        evaluation.capacity_curve(groups=["house"])


def test_rich_display(result, evaluation):
    for obj in (result, evaluation, result.audit):
        html = obj._repr_html_()
        assert html.startswith(("<div", "<section")) and "<script" not in html
    assert "flagged" in result._repr_html_()
    assert "Choosing the capacity" in evaluation._repr_html_()


def test_save_load_gives_identical_scores(la, fitted, result, tmp_path):
    path = screening.save(fitted, tmp_path / "m.skops")
    again = screening.load(path).screen(la.records, as_of=la.census_dates[-1])
    pd.testing.assert_frame_equal(result.scores, again.scores)


def test_load_refuses_untrusted_types(tmp_path):
    from fractions import Fraction

    import skops.io as sio

    path = tmp_path / "evil.skops"
    sio.dump({"format": "x", "payload": Fraction(1, 3)}, path)
    with pytest.raises(ValueError, match="trusted list"):
        screening.load(path)


def test_version_mismatch_says_what_to_do(fitted, tmp_path, monkeypatch):
    path = screening.save(fitted, tmp_path / "m.skops")
    monkeypatch.setattr(screening.models._persist, "library_version", lambda: "99.0.0")
    with pytest.raises(screening.ModelVersionError, match="Re-fit"):
        screening.load(path)


def test_drift_warns_when_a_feature_really_moves(la, fitted):
    import warnings as w

    from screening._screener import DriftWarning

    d = la.census_dates[-1]
    t = la.records.tables()
    # the newest attendance never arrived: every pupil's last 12 months are unrecorded
    att = t["attendance"][t["attendance"]["period_end"] < d - pd.DateOffset(months=13)]
    rec = screening.Records(pupils=t["pupils"], enrolments=t["enrolments"], attendance=att,
                            suspensions=t["suspensions"], sen=t["sen"],
                            extract_date=la.records.extract_date)
    with pytest.warns(DriftWarning, match="differs a lot"):
        res = fitted.screen(rec, as_of=d)
    assert res.drift.loc[res.drift["shifted"], "feature"].str.contains("absence|attendance").any()
    with w.catch_warnings():
        w.simplefilter("error", DriftWarning)
        fitted.screen(la.records, as_of=la.census_dates[-2])  # a normal year: no alarm


def test_school_practice_is_out_of_the_score_unless_asked_for(la, fitted, result):
    assert "school_suspension_rate_12m" not in fitted.feature_names_
    assert not result.scores["reason_1"].str.contains("School's suspension rate").any()
    scr = screening.Screener(n_boot=20, school_context=True, exclude_features=("in_ap_now",))
    scr.fit(la.records, as_of=la.census_dates[-4:-2])
    assert "school_suspension_rate_12m" in scr.feature_names_
    assert "in_ap_now" not in scr.feature_names_
    with pytest.raises(ValueError, match="not features"):
        screening.Screener(exclude_features=("nope",)).fit(la.records,
                                                           as_of=la.census_dates[:2])


def test_model_file_keeps_no_pupil_rows(fitted):
    # the drift reference is a summary (edges, shares, mean, sd), never training rows
    for profile in fitted.drift_.profiles_.values():
        assert set(profile) <= {"kind", "edges", "shares", "levels", "mean", "sd"}
        assert len(profile["shares"]) <= 40


def test_a_model_fitted_on_features_no_longer_built_says_refit():
    # a saved screener from before a feature rename (sen_ever -> sen_24m) must say what
    # to do, not fail with pandas' KeyError
    from screening.datasets import make_local_authority

    la = make_local_authority(n_pupils=1500, seed=3)
    d = la.census_dates
    scr = screening.Screener(n_boot=0).fit(la.records, as_of=d[-3:-1])
    scr.feature_names_ = [*scr.feature_names_, "sen_ever"]
    with pytest.raises(ValueError, match=r"no longer builds: \['sen_ever'\].*Fit it again"):
        scr.screen(la.records, as_of=d[-1])
