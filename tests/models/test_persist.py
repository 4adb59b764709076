"""Safe model files: round trip, untrusted content refused, version checked."""

import numpy as np
import pytest
import skops.io as sio
from screening.models import (
    BoostedRiskModel,
    ModelVersionError,
    UntrustedTypesError,
    load_model,
    save_model,
)
from screening.models._persist import _NOT_A_MODEL_FILE, _UNTRUSTED
from sklearn.linear_model import LogisticRegression

from screening import models


def test_round_trip(fitted, sim_train, tmp_path):
    X = sim_train[0]
    path = save_model(fitted, tmp_path / "card.skops", metadata={"trained_on": "2021"})
    loaded, record = load_model(path, return_metadata=True)
    assert loaded.get_params() == fitted.get_params()
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    assert loaded.to_json() == fitted.to_json()
    assert record["feature_names"] == list(X.columns)
    assert record["user"] == {"trained_on": "2021"}
    assert record["library_version"] == models._persist.library_version()
    assert record["training"]["class"] == "RiskScorecard"


def test_round_trip_boosted(sim_train, tmp_path):
    X, y, _ = sim_train
    m = BoostedRiskModel(max_iter=10, cv=2, random_state=0).fit(X, y)
    loaded = load_model(save_model(m, tmp_path / "b.skops"))
    np.testing.assert_array_equal(loaded.predict_proba(X), m.predict_proba(X))


def test_untrusted_type_refused(tmp_path):
    path = tmp_path / "evil.skops"
    rng = np.random.default_rng(0)
    other = LogisticRegression().fit(rng.normal(size=(20, 2)), np.arange(20) % 2)
    # a file with a type outside the trusted list (a skops "function" reference)
    sio.dump({"metadata": {"format": "models-skops"}, "model": other, "f": np.sum}, path)
    with pytest.raises(UntrustedTypesError, match=_UNTRUSTED.split("{0}")[1][:30]) as err:
        load_model(path)
    assert any("numpy" in t for t in err.value.types)


def test_version_mismatch(fitted, tmp_path, monkeypatch):
    path = save_model(fitted, tmp_path / "card.skops")
    monkeypatch.setattr(models._persist, "library_version", lambda: "99.0")
    with pytest.raises(ModelVersionError, match="Re-fit the model") as err:
        load_model(path)
    assert isinstance(err.value, ValueError) and err.value.installed == "99.0"


def test_not_a_model_file(tmp_path):
    path = tmp_path / "plain.skops"
    sio.dump({"just": [1, 2]}, path)
    with pytest.raises(ValueError, match=_NOT_A_MODEL_FILE.split("{0}")[1][:30]):
        load_model(path)
