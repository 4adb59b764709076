"""Every public exception survives pickling unchanged.

Errors raised inside a joblib or dask worker (``screen_many``, ``fit_many``) come back
to the parent by pickle. An exception whose ``__init__`` takes other arguments than its
``args`` would be rebuilt wrongly (an InputError's message was once re-read as its
problems table, printing ``283 x nan: nan``), so each one is round-tripped here.
"""

import pickle

import pandas as pd
import pytest

import screening
from screening import features, models


def _input_error():
    return features.InputError(pd.DataFrame([
        {"table": "enrolments", "row": 7, "column": None, "value": "E1",
         "problem": "exact duplicate of an earlier row"}]))


def _errors():
    inp = _input_error()
    return [
        inp,
        features.CensusError("no census on that date"),
        models.ModelFileError("damaged", path="m.skops"),
        models.ModelVersionError("m.skops", "0.0.1", "0.1.0"),
        models.UntrustedTypesError("m.skops", ["os.system"]),
        screening.LocalAuthorityError("LA1", inp, "screen"),
    ]


@pytest.mark.parametrize("err", _errors(), ids=lambda e: type(e).__name__)
def test_round_trip_keeps_type_message_and_attributes(err):
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err)
    assert str(back) == str(err)
    for name, value in vars(err).items():
        got = getattr(back, name)
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(got, value)
        else:
            assert got == value, name


def test_input_error_problems_survive():
    back = pickle.loads(pickle.dumps(_input_error()))
    assert back.problems.loc[0, "problem"] == "exact duplicate of an earlier row"
    assert "enrolments row 7" in str(back)
