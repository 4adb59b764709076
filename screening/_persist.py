"""Saving and loading a fitted Screener as a skops file (never pickle).

The file is written and read by :func:`screening.models.save_model` and
:func:`screening.models.load_model`, the library's one trust check: a skops file is
read without running code from it, loading refuses any type that is not on an
explicit trusted list, and a metadata record (library version, features, training
summary) is checked on load.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sklearn.utils.validation import check_is_fitted

from screening import models

from ._screener import Screener
from ._typing import PathLike

#: What a screener file may hold besides the models' own trusted types.
SCREENER_TYPES = ["screening._screener.Screener"]

_NOT_A_SCREENER = (
    "{path} holds a {got}, not a Screener saved by screening.save. Load a bare model with "
    "screening.models.load_model instead."
)


def _version() -> str:
    from . import __version__

    return __version__


def save(screener: Screener, path: PathLike) -> Path:
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
    check_is_fitted(screener)
    return models.save_model(screener, path, metadata={
        "kind": "screener",
        "training": dict(screener.training_),
    })


def load(path: PathLike, *, trusted: Iterable[str] | None = None) -> Screener:
    """Load a Screener saved by :func:`save`, refusing untrusted types.

    Parameters
    ----------
    path : str or Path
    trusted : list of str, optional
        More type names to trust, in addition to the library's own (for a custom
        model you saved yourself), as in ``skops.io.load``.

    Raises
    ------
    FileNotFoundError
        If nothing exists at ``path``.
    screening.UntrustedTypesError
        If the file holds types that are not trusted (nothing is loaded).
    screening.ModelVersionError
        If the file was written by another version of the library.
    screening.ModelFileError
        If the file is not a screener file, or is a folder, not a zip archive,
        truncated, damaged, too large once decompressed, or holds a model whose trees or
        parameters are invalid (see :func:`screening.models.load_model`). All three
        errors are ``ValueError`` subclasses naming the file.
    """
    screener = models.load_model(path, trusted=SCREENER_TYPES + list(trusted or []))
    if not isinstance(screener, Screener):
        raise models.ModelFileError(
            _NOT_A_SCREENER.format(path=path, got=type(screener).__name__), path)
    check_is_fitted(screener)
    return screener
