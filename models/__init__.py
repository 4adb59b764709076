"""Interpretable risk models: the points scorecard, its explanations and its export.

Generic scikit-learn code: it knows nothing of pupils. Whatever it needs from a
feature dictionary (monotone directions, plain-English names) is passed in.
"""

from ._boosted import BoostedRiskModel
from ._drift import DriftProfile, distribution_profile, population_stability, profile_shift
from ._explain import band_words
from ._export import SCHEMA_VERSION, apply_json
from ._metrics import calibration_error, reliability_table, score_metrics
from ._persist import (
    MAX_MODEL_BYTES,
    TRUSTED_TYPES,
    ModelFileError,
    ModelVersionError,
    UntrustedTypesError,
    load_model,
    save_model,
)
from ._scorecard import RiskScorecard

__all__ = [
    # models
    "RiskScorecard", "BoostedRiskModel",
    # scoring and export
    "apply_json", "SCHEMA_VERSION",
    # a scorecard band label in words, as reasons read it
    "band_words",
    # judging scores: metrics and drift
    "score_metrics", "reliability_table", "calibration_error",
    "DriftProfile", "distribution_profile", "profile_shift", "population_stability",
    # persistence
    "save_model", "load_model", "TRUSTED_TYPES", "MAX_MODEL_BYTES", "ModelFileError",
    "ModelVersionError", "UntrustedTypesError",
]
