"""Accepted input containers, and one test per error message."""

import re

import numpy as np
import pandas as pd
import pytest
from screening.audits import _messages as msg
from screening.audits._flag import _BAD_CAPACITY, _BAD_THRESHOLD

from screening import audits


def _match(const):
    return re.escape(const.split("{")[0])


CONVERTERS = {
    "column": lambda df, col: col,
    "series": lambda df, col: df[col],
    "ndarray": lambda df, col: df[col].to_numpy(),
    "list": lambda df, col: df[col].tolist(),
    "bool": lambda df, col: df[col].astype(bool).to_numpy(),
    "shuffled_series": lambda df, col: df[col].sample(frac=1, random_state=0),
}


@pytest.mark.parametrize("kind", list(CONVERTERS))
def test_flag_score_outcome_containers(tiny, kind):
    conv = CONVERTERS[kind]
    df = tiny.set_index(pd.Index([f"p{i}" for i in range(len(tiny))]))
    expected = audits.audit(df, groups="sex", flag="flagged", outcome="outcome", score="risk",
                            min_cell=0, n_boot=20, random_state=0).to_frame()
    score = "risk" if kind == "bool" else conv(df, "risk")
    got = audits.audit(df, groups="sex", flag=conv(df, "flagged"),
                       outcome=conv(df, "outcome"), score=score,
                       min_cell=0, n_boot=20, random_state=0).to_frame()
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("groups", ["sex", ["sex"], "series", "frame"])
def test_group_containers(tiny, groups):
    if groups == "series":
        groups = [tiny["sex"]]
    elif groups == "frame":
        groups = tiny[["sex"]]
    f = audits.audit(tiny, groups=groups, flag="flagged", min_cell=0, n_boot=0).to_frame()
    assert f["attribute"].tolist() == ["sex", "sex"] and f["n"].tolist() == [6, 6]


def test_nullable_boolean_and_categorical_groups():
    df = pd.DataFrame({
        "fsm": pd.array([True, False, None, True] * 5, dtype="boolean"),
        "sen": pd.Categorical(["none", "K", "E", "none"] * 5, categories=["none", "K", "E"]),
        "flagged": pd.array([1, 0, 0, 1] * 5, dtype="Int64"),
    })
    f = audits.audit(df, groups=["fsm", "sen"], flag="flagged", min_cell=0,
                     n_boot=0).to_frame()
    assert f.loc[f["attribute"] == "fsm", "group"].tolist() == ["False", "True", "Unknown"]
    assert f.loc[f["attribute"] == "sen", "group"].tolist() == ["none", "K", "E"]


def test_errors_flag_and_score(tiny):
    with pytest.raises(ValueError, match=_match(msg._NEED_FLAG_OR_SCORE)):
        audits.audit(tiny, groups="sex")
    with pytest.raises(ValueError, match=_match(msg._NEED_CAPACITY)):
        audits.audit(tiny, groups="sex", score="risk")
    with pytest.raises(ValueError, match=_match(msg._FLAG_AND_RULE)):
        audits.audit(tiny, groups="sex", flag="flagged", capacity=0.1)
    with pytest.raises(ValueError, match=_match(msg._CAPACITY_AND_THRESHOLD)):
        audits.audit(tiny, groups="sex", score="risk", capacity=0.1, threshold=0.5)
    for bad in (0, 1.5, -0.1, "5%", True, float("inf")):
        with pytest.raises(ValueError, match=_match(_BAD_CAPACITY.format(bad))):
            audits.audit(tiny, groups="sex", score="risk", capacity=bad)
    with pytest.raises(ValueError, match=_match(_BAD_THRESHOLD.format(float("nan")))):
        audits.audit(tiny, groups="sex", score="risk", threshold=float("nan"))
    with pytest.raises(TypeError, match=_match(msg._SCORE_VALUES)):
        audits.audit(tiny, groups="sex", score="sex", threshold=0.5)


def test_errors_values(tiny):
    bad = tiny.assign(flagged=[2] + [0] * 11)
    with pytest.raises(ValueError, match=_match(msg._BINARY_VALUES)):
        audits.audit(bad, groups="sex", flag="flagged")
    bad = tiny.assign(flagged=["Y"] + ["N"] * 11)
    with pytest.raises(ValueError, match=_match(msg._BINARY_VALUES)):
        audits.audit(bad, groups="sex", flag="flagged")
    bad = tiny.assign(outcome=[np.nan] + [0.0] * 11)
    with pytest.raises(ValueError, match=_match(msg._MISSING_VALUES.format("outcome", 1, 0))):
        audits.audit(bad, groups="sex", flag="flagged", outcome="outcome")
    bad = tiny.assign(risk=[np.nan] + [0.1] * 11)
    with pytest.raises(ValueError, match=_match(msg._MISSING_VALUES)):
        audits.audit(bad, groups="sex", score="risk", capacity=2)


def test_errors_alignment(tiny):
    with pytest.raises(KeyError, match=_match(msg._COLUMN_MISSING)):
        audits.audit(tiny, groups="sex", flag="flaged")
    with pytest.raises(ValueError, match=_match(msg._LENGTH_MISMATCH)):
        audits.audit(tiny, groups="sex", flag=[1, 0, 1])
    other = pd.Series(tiny["flagged"].to_numpy(), index=range(100, 112))
    with pytest.raises(ValueError, match=_match(msg._INDEX_MISMATCH)):
        audits.audit(tiny, groups="sex", flag=other)
    with pytest.raises(TypeError, match=_match(msg._GROUP_SPEC)):
        audits.audit(tiny, groups=[np.array(["a"] * 12)], flag="flagged")


def test_errors_parameters(tiny):
    with pytest.raises(TypeError, match=_match(msg._FRAME_TYPE)):
        audits.audit({"sex": ["F"]}, groups="sex", flag="flagged")
    with pytest.raises(ValueError, match=_match(msg._EMPTY_FRAME)):
        audits.audit(tiny.iloc[:0], groups="sex", flag="flagged")
    with pytest.raises(ValueError, match=_match(msg._NO_GROUPS)):
        audits.audit(tiny, groups=[], flag="flagged")
    with pytest.raises(ValueError, match=_match(msg._MIN_CELL)):
        audits.audit(tiny, groups="sex", flag="flagged", min_cell=-1)
    with pytest.raises(ValueError, match=_match(msg._N_BOOT)):
        audits.audit(tiny, groups="sex", flag="flagged", n_boot=1.5)
    with pytest.raises(ValueError, match=_match(msg._CI)):
        audits.audit(tiny, groups="sex", flag="flagged", ci=95)
    with pytest.raises(ValueError, match=_match(msg._REFERENCE_RULE)):
        audits.audit(tiny, groups="sex", flag="flagged", reference="F")
    with pytest.raises(TypeError, match=_match(msg._REFERENCE_TYPE)):
        audits.audit(tiny, groups="sex", flag="flagged", reference=["F"])
    with pytest.raises(ValueError, match=_match(msg._INTERSECTION_SPEC)):
        audits.audit(tiny, groups="sex", flag="flagged", intersections=[("sex",)])
    with pytest.raises(TypeError, match=_match(msg._CONTROL_SPEC)):
        audits.audit(tiny, groups="sex", flag="flagged", controls=[1])


def test_control_n_boot_zero_skips_breakdown_intervals_only():
    import numpy as np
    import pandas as pd

    from screening import audits

    rng = np.random.default_rng(0)
    n = 3000
    df = pd.DataFrame({"sex": rng.choice(["M", "F"], n), "school": rng.choice(list("ABC"), n),
                       "flag": rng.random(n) < 0.2})
    rep = audits.audit(df, groups="sex", flag="flag", controls="school", n_boot=200,
                       control_n_boot=0, random_state=0)
    assert rep.to_frame()["flag_ratio_low"].notna().any()
    assert rep.by_control["flag_ratio_low"].isna().all()
    assert rep.by_control["flag_ratio"].notna().any()
    full = audits.audit(df, groups="sex", flag="flag", controls="school", n_boot=200,
                        random_state=0)
    pd.testing.assert_series_equal(rep.by_control["flag_ratio"], full.by_control["flag_ratio"])
