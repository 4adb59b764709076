"""Safe model files: skops with an explicit trusted-type list and a checked metadata record."""

import importlib.metadata
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import skops.io as sio

#: Fully qualified names of the types a model file may contain besides the plain types
#: skops always trusts. ``load_model(path, trusted=[...])`` adds to this list, as
#: ``skops.io.load(trusted=...)`` adds to skops' own defaults.
TRUSTED_TYPES = [
    "screening.models._scorecard.RiskScorecard",
    "screening.models._boosted.BoostedRiskModel",
    "screening.models._drift.DriftProfile",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.Interval",
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn.model_selection._split.StratifiedKFold",
]

_FORMAT = "models-skops"

_UNTRUSTED = (
    "{0} contains types that are not on the trusted list: {1}. It may not be a model file "
    "written by this library, and loading it could run code. If you wrote it yourself and "
    "trust these types, pass trusted={1}."
)
_NOT_A_MODEL_FILE = (
    "{0} is not a model file written by models.save_model (no metadata record). Save the "
    "model again with save_model(model, path)."
)
_BAD_METADATA = (
    "metadata must be a dict with str keys and plain values (str, int, float, bool, None, "
    "lists/dicts of these), got {0!r}. Convert it before saving."
)


def library_version():
    """The installed ``pupil-risk-screening`` version, or ``"0+unknown"``."""
    try:
        return importlib.metadata.version("pupil-risk-screening")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


class ModelVersionError(ValueError):
    """A model file was saved by another version of the library."""

    def __init__(self, path, saved, installed):
        self.path, self.saved, self.installed = path, saved, installed
        super().__init__(
            f"{path} was saved by pupil-risk-screening {saved}; this is {installed}. "
            f"Re-fit the model and save it again with this version, or install "
            f"pupil-risk-screening=={saved} to load it.")


class UntrustedTypesError(ValueError):
    """A model file contains types outside the trusted list."""

    def __init__(self, path, types):
        self.path, self.types = path, list(types)
        super().__init__(_UNTRUSTED.format(path, self.types))


def _summary(model):
    summary = {"class": type(model).__name__}
    for name in ("n_features_in_", "n_splits_", "rounding_loss_", "intercept_", "slope_"):
        value = getattr(model, name, None)
        if isinstance(value, (int, float, np.integer, np.floating)):
            summary[name.rstrip("_")] = value.item() if hasattr(value, "item") else value
    classes = getattr(model, "classes_", None)
    if classes is not None:
        summary["classes"] = [str(c) for c in classes]
    return summary


def save_model(model, path, metadata=None):
    """Write a fitted model with skops, with a metadata record checked on load.

    Parameters
    ----------
    model : estimator
        A fitted RiskScorecard, BoostedRiskModel or other estimator of trusted types.
    path : str or Path
        File to write (conventionally ``*.skops``).
    metadata : dict, optional
        Extra facts to store (str keys, JSON-like values), returned by ``load_model``.

    Returns
    -------
    Path
        The path written.
    """
    if metadata is not None and not (isinstance(metadata, dict)
                                     and all(isinstance(k, str) for k in metadata)):
        raise ValueError(_BAD_METADATA.format(metadata))
    names = getattr(model, "feature_names_in_", getattr(model, "feature_names_", None))
    record = {
        "format": _FORMAT,
        "library_version": library_version(),
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "feature_names": [str(n) for n in names] if names is not None else None,
        "training": _summary(model),
        "user": dict(metadata or {}),
    }
    path = Path(path)
    sio.dump({"metadata": record, "model": model}, path)
    return path


def load_model(path, *, trusted=None, return_metadata=False):
    """Load a model written by :func:`save_model`, refusing untrusted types.

    This is the library's one trust check for model files: nothing is loaded from a
    file holding a type outside :data:`TRUSTED_TYPES` (plus ``trusted``), and the
    library version that wrote it must be the one installed.

    Parameters
    ----------
    path : str or Path
    trusted : list of str, optional
        More type names to trust, in addition to :data:`TRUSTED_TYPES` (as
        ``skops.io.load(trusted=...)`` adds to skops' defaults). Use it only for types
        you wrote yourself, e.g. a custom model class.
    return_metadata : bool, default=False
        Also return the metadata record.

    Returns
    -------
    model or (model, dict)

    Raises
    ------
    UntrustedTypesError
        The file holds types outside the trusted list (nothing is loaded).
    ModelVersionError
        The file was written by another library version.
    """
    path = Path(path)
    trusted = list(TRUSTED_TYPES) + [str(t) for t in (trusted or [])]
    untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in trusted]
    if untrusted:
        raise UntrustedTypesError(path, untrusted)
    content = sio.load(path, trusted=trusted)
    if not (isinstance(content, dict) and isinstance(content.get("metadata"), dict)
            and content["metadata"].get("format") == _FORMAT):
        raise ValueError(_NOT_A_MODEL_FILE.format(path))
    record = content["metadata"]
    installed = library_version()
    if record.get("library_version") != installed:
        raise ModelVersionError(path, record.get("library_version"), installed)
    return (content["model"], record) if return_metadata else content["model"]
