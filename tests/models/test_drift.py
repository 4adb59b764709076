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


@pytest.mark.parametrize("values", [
    pd.Series([3.0, 1.0, np.nan, 1.0, 3.0, 2.0, np.nan]),        # ties, missing
    pd.Series([5, 7, 5, 6], dtype="int64"),
    pd.Series([True, False, None, True], dtype="boolean"),
    pd.Series([True, False, False]),
    pd.Series(pd.Categorical(["b", None, "a", "b"], categories=["a", "b", "c"])),
    pd.Series(["x", None, "y", "x"], dtype="string"),
    pd.Series([], dtype="float64"),
    pd.Series([np.nan, np.nan]),
])
def test_level_codes_by_value_are_the_row_texts(values):
    from screening.models._drift import _direct, _level_codes, _level_codes_by_value

    s = values.set_axis(np.arange(10, 10 + len(values))).rename("f")
    assert _direct(s)
    plain = _level_codes(s)
    fast = _level_codes_by_value(s)
    pd.testing.assert_series_equal(fast, plain, check_exact=True)
    pd.testing.assert_series_equal(fast.value_counts(), plain.value_counts(), check_exact=True)


def test_negative_zero_and_objects_are_not_direct():
    from screening.models._drift import _direct

    assert not _direct(pd.Series([0.0, -0.0]))
    assert not _direct(pd.Series([1, 1.0, True], dtype=object))


def test_shift_with_unseen_levels_counts_them_as_texts():
    """Levels the training data never had are appended in value_counts order."""
    from screening.models._drift import _level_codes

    prof = distribution_profile(pd.Series([0.0, 1.0, 1.0, 2.0]))
    cur = pd.Series([0.0, 5.0, 4.0, 5.0, 4.0, np.nan, 7.0, 1.0])
    counts = _level_codes(cur).value_counts()
    extra = [lv for lv in counts.index if lv not in prof["levels"]]
    ref = np.r_[prof["shares"], np.zeros(len(extra))] + 1e-4
    now = counts.reindex(prof["levels"] + extra, fill_value=0).to_numpy() / len(cur) + 1e-4
    assert profile_shift(prof, cur)[0] == float(np.sum((now - ref) * np.log(now / ref)))


@pytest.mark.parametrize("values", [
    pd.Series([0.5, np.nan, -0.0, np.inf, 2.0]),
    pd.Series([0.5, np.nan, 3.0], dtype="float32"),
    pd.Series([True, False, True]),
    pd.Series([], dtype="float64"),
])
def test_as_float_of_numpy_columns_is_the_nullable_cast(values):
    from screening.models._drift import _as_float

    want = pd.to_numeric(values.astype("Float64"), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan)
    got = _as_float(values)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
