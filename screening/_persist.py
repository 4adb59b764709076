"""Saving and loading a fitted Screener as a skops file (never pickle).

A skops file is read without running code from it; loading refuses any type that is not
on an explicit trusted list. A metadata record (library version, features, training
summary) is stored with the model and checked on load.
"""

from __future__ import annotations

from pathlib import Path

import skops.io as sio

from screening import models
from screening.models import ModelVersionError, UntrustedTypesError

from ._screener import Screener

FILE_FORMAT = "pupil-risk-screening/screener"
FILE_FORMAT_VERSION = 1

_NOT_A_SCREENER = (
    "{path} is not a screener file written by screening.save (format {got!r}). Use "
    "models.load_model for a bare model file."
)
_NOT_FITTED_SAVE = "Only a fitted Screener can be saved; call fit(records, as_of=[...]) first."


def _version():
    from . import __version__

    return __version__


def save(screener: Screener, path) -> Path:
    """Save a fitted :class:`Screener` to a skops file.

    Parameters
    ----------
    screener : Screener
        Fitted.
    path : str or Path
        Conventionally ``*.skops``.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import screening, tempfile, os
    >>> la = screening.datasets.make_local_authority(n_pupils=6_000, seed=1)
    >>> scr = screening.Screener(n_boot=20).fit(la.records, as_of=la.census_dates[-3:-1])
    >>> path = screening.save(scr, os.path.join(tempfile.mkdtemp(), "model.skops"))
    >>> type(screening.load(path)).__name__
    'Screener'
    """
    if not hasattr(screener, "model_"):
        raise ValueError(_NOT_FITTED_SAVE)
    params = screener.get_params()
    params.pop("model")
    params["year_groups"] = list(params["year_groups"])
    params["audit_groups"] = list(params["audit_groups"])
    params["exclude_features"] = list(params["exclude_features"])
    payload = {
        "format": FILE_FORMAT,
        "format_version": FILE_FORMAT_VERSION,
        "library_version": _version(),
        "params": params,
        "feature_names": list(screener.feature_names_),
        "feature_labels": dict(screener.feature_labels_),
        "training": dict(screener.training_),
        "reference": dict(screener.reference_),
        "model": screener.model_,
    }
    path = Path(path)
    sio.dump(payload, path)
    return path


def load(path, *, trusted=None) -> Screener:
    """Load a Screener saved by :func:`save`, refusing untrusted types.

    Parameters
    ----------
    path : str or Path
    trusted : list of str, optional
        Extra type names to trust (for a custom model you saved yourself).

    Raises
    ------
    models.UntrustedTypesError
        If the file holds types that are not trusted (a ``ValueError``).
    ValueError
        If the file is not a screener file.
    ModelVersionError
        If the file was written by another version of the library.
    """
    path = Path(path)
    allowed = set(models.TRUSTED_TYPES) | set(trusted or [])
    untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in allowed]
    if untrusted:
        raise UntrustedTypesError(path, untrusted)
    payload = sio.load(path, trusted=sorted(allowed))
    fmt = payload.get("format") if isinstance(payload, dict) else None
    if fmt != FILE_FORMAT:
        raise ValueError(_NOT_A_SCREENER.format(path=path, got=fmt))
    saved = payload["library_version"]
    if saved != _version():
        raise ModelVersionError(path, saved, _version())
    params = dict(payload["params"])
    params["year_groups"] = tuple(params["year_groups"])
    params["audit_groups"] = tuple(params["audit_groups"])
    params["exclude_features"] = tuple(params.get("exclude_features", ()))
    scr = Screener(**params)
    scr.model_ = payload["model"]
    scr.feature_names_ = list(payload["feature_names"])
    scr.feature_labels_ = dict(payload["feature_labels"])
    scr.training_ = dict(payload["training"])
    scr.reference_ = dict(payload["reference"])
    return scr
