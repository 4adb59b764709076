"""The command line: score --capacity-by --packs (with the handover) and evaluate."""

import json

import pandas as pd
import pytest

import screening
from screening import _cli

MARCH = "2024-03-20"


@pytest.fixture(scope="module")
def export(la, fitted, tmp_path_factory):
    """The synthetic LA as CSV files with an allocations table, and a model file."""
    folder = tmp_path_factory.mktemp("cli") / "la"
    la.write(folder)
    la.allocations(MARCH).to_csv(folder / "allocations.csv", index=False)
    model = folder.parent / "model.skops"
    screening.save(fitted, model)
    return folder, model


def test_score_writes_packs_per_school_and_handover(export, la, tmp_path, capsys):
    folder, model = export
    out, packs = tmp_path / "out", tmp_path / "packs"
    evaluate_on = str(la.census_dates[-2].date())
    assert _cli.main(["score", str(folder), "--model", str(model), "--as-of", MARCH,
                      "--out", str(out), "--capacity-by", "school", "--packs", str(packs),
                      "--evaluate-on", evaluate_on]) == 0
    said = capsys.readouterr().out
    assert "handover/" in said and "AUC" in said
    scores = pd.read_csv(out / "scores.csv", dtype={"upn": str, "school": str})
    per = scores.groupby("school")["flagged"].agg(["size", "sum"])
    assert (per["sum"] == (0.05 * per["size"] + 1e-9).astype(int)).all()
    assert {"flag_unit", "tied_at_cutoff"} <= set(scores.columns)
    doc = json.loads((out / "result.json").read_text())
    assert doc["model"]["capacity_by"] == "school"
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "the top 5.0% of each school" in report
    assert f"Evaluated on the census of <b>{evaluate_on}</b>" in report
    assert "No out-of-time evaluation" not in report
    overview = (packs / "overview.html").read_text(encoding="utf-8")
    assert not any(u in overview for u in scores["upn"])
    assert f"On the later census {evaluate_on}" in overview
    for path in (packs / "schools").glob("*.csv"):
        table = pd.read_csv(path, dtype={"upn": str, "school": str})
        assert set(table["school"]) == {path.stem}
    alloc = la.allocations(MARCH)
    alloc = alloc[alloc["upn"].isin(scores["upn"])]
    for path in (packs / "handover").glob("*.csv"):
        table = pd.read_csv(path, dtype={"upn": str})
        assert set(table["upn"]) == set(alloc.loc[alloc["school"] == path.stem, "upn"])
    assert (packs / "manifest.json").exists()


def test_packs_folder_must_differ_from_out(export, tmp_path, capsys):
    folder, model = export
    assert _cli.main(["score", str(folder), "--model", str(model), "--as-of", MARCH,
                      "--out", str(tmp_path / "o"), "--packs", str(tmp_path / "o")]) == 2
    assert "--packs must be another folder" in capsys.readouterr().out


def test_evaluate_command(export, la, tmp_path, capsys):
    folder, model = export
    as_of = str(la.census_dates[-2].date())
    out = tmp_path / "ev"
    assert _cli.main(["evaluate", str(folder), "--model", str(model), "--as-of", as_of,
                      "--out", str(out)]) == 0
    assert "AUC" in capsys.readouterr().out
    doc = json.loads((out / "evaluation.json").read_text())
    assert doc["schema"] == "pupil-risk-screening/evaluation" and doc["as_of"] == as_of
    assert 0.5 < doc["metrics"]["auc"] <= 1
    metrics = pd.read_csv(out / "metrics.csv").set_index("metric")["value"]
    assert metrics["auc"] == pytest.approx(doc["metrics"]["auc"])
    assert "outcome" in pd.read_csv(out / "scores.csv").columns
    page = (out / "evaluation.html").read_text(encoding="utf-8")
    assert f"Out-of-time evaluation at census {as_of}" in page and "Calibration" in page


def test_evaluate_refuses_a_census_without_outcomes(export, la, tmp_path, capsys):
    folder, model = export
    assert _cli.main(["evaluate", str(folder), "--model", str(model), "--as-of",
                      str(la.census_dates[-1].date()), "--out", str(tmp_path / "e")]) == 2
    assert "error:" in capsys.readouterr().out
