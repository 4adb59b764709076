"""Duplicate pupils found from factor codes match pandas' ``duplicated`` on the text."""

import numpy as np
import pandas as pd
import pytest
from screening.features._integrity import _repeated_codes


@pytest.mark.parametrize("seed", range(20))
def test_repeats_from_codes_match_pandas(seed):
    rng = np.random.default_rng(seed)
    vals = pd.Series(rng.choice(["A1", "B2", "C3", None, "D4"], size=int(rng.integers(0, 40))),
                     dtype="str")
    codes, uniq = pd.factorize(vals, use_na_sentinel=True)
    expected = (vals.duplicated(keep="first") & vals.notna()).to_numpy()
    assert (_repeated_codes((codes, uniq)) == expected).all()


def test_codes_not_numbered_by_first_appearance_are_left_to_pandas():
    assert _repeated_codes((np.array([1, 0, 1]), ["a", "b"])) is None
    assert _repeated_codes(None) is None
