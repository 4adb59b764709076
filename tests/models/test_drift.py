"""Drift of a levels feature: counting values first gives the counts of their texts."""

import numpy as np
import pandas as pd
import pytest
from screening.models import DriftProfile
from screening.models._drift import (
    _EPS,
    _level_codes,
    _level_counts,
    distribution_profile,
    profile_shift,
)

RNG = np.random.default_rng(0)
N = 600
COLUMNS = {
    "bool": RNG.random(N) < 0.3,
    "boolean": pd.array(np.where(RNG.random(N) < 0.1, None, RNG.random(N) < 0.5),
                        dtype="boolean"),
    "category": pd.Categorical(RNG.choice(["a", "b", None], N), categories=["a", "b", "c"]),
    "string": pd.array(RNG.choice(["p", "q", None], N), dtype="string"),
    "float": np.where(RNG.random(N) < 0.1, np.nan, RNG.integers(0, 3, N).astype(float)),
    "negative_zero": np.tile([0.0, -0.0, 1.0], N // 3),
    "object": pd.Series(RNG.choice(np.array([1, 1.0, True, "x", None], dtype=object), N),
                        dtype=object),
    "int": RNG.integers(0, 4, N),
}


def _text_psi(profile, current):
    """PSI as the texts of every row give it (the definition)."""
    counts = _level_codes(current).value_counts()
    levels = list(profile["levels"])
    extra = [lv for lv in counts.index if lv not in set(levels)]
    ref = np.r_[np.asarray(profile["shares"], dtype=float), np.zeros(len(extra))]
    cur = counts.reindex(levels + extra, fill_value=0).to_numpy() / len(current)
    a, b = ref + _EPS, cur + _EPS
    return float(np.sum((b - a) * np.log(b / a)))


@pytest.mark.parametrize("name", list(COLUMNS))
def test_level_counts_are_the_counts_of_the_texts(name):
    s = pd.Series(COLUMNS[name])
    expected = _level_codes(s).value_counts()
    got = _level_counts(s)
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()


@pytest.mark.parametrize("name", list(COLUMNS))
def test_levels_psi_matches_the_texts(name):
    s = pd.Series(COLUMNS[name])
    profile = distribution_profile(s.iloc[: N // 2].iloc[::2])  # may miss some levels
    assert profile["kind"] == "levels"
    for current in (s, s.iloc[::5], s.iloc[N // 2:]):
        assert profile_shift(profile, current)[0] == _text_psi(profile, current)


def test_compare_flags_a_shifted_category():
    train = pd.DataFrame({"c": pd.Categorical(["a"] * 90 + ["b"] * 10)})
    now = pd.DataFrame({"c": pd.Categorical(["a"] * 10 + ["b"] * 90)})
    out = DriftProfile().fit(train).compare(now)
    assert bool(out.loc[0, "shifted"]) and out.loc[0, "psi"] > 1
