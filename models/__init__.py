"""Interpretable risk models: the points scorecard, its explanations and its export.

Generic scikit-learn code: it knows nothing of pupils. Whatever it needs from a
feature dictionary (monotone directions, plain-English names) is passed in.
"""

from ._boosted import BoostedRiskModel
from ._export import SCHEMA_VERSION, apply_json
from ._flag import flag_top
from ._persist import (
    TRUSTED_TYPES,
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
    "apply_json", "SCHEMA_VERSION", "flag_top",
    # persistence
    "save_model", "load_model", "TRUSTED_TYPES", "ModelVersionError", "UntrustedTypesError",
]
