"""Early identification of pupils at risk of school exclusion.

The facade users import: records and validation, the synthetic local authority,
the :class:`Screener` pipeline, persistence, reports and the ``screening`` command.
Every score the library produces comes with its disproportionality audit.

The names below load on first use, so ``import screening`` (and the ``screening``
command's ``--help``) does not pay for pandas and scikit-learn until they are needed.

Examples
--------
>>> import screening
>>> la = screening.datasets.make_local_authority(n_pupils=6_000, seed=0)
>>> scr = screening.Screener(n_boot=50).fit(la.records, as_of=la.census_dates[-3:-1])
>>> result = scr.screen(la.records, as_of=la.census_dates[-1])
>>> {"risk", "flagged", "reason_1"} <= set(result.scores.columns)
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

#: Public name -> (module, attribute); attribute None means the module itself.
_LAZY = {
    # the engines, as subpackages
    "features": ("screening.features", None),
    "models": ("screening.models", None),
    "audits": ("screening.audits", None),
    "datasets": ("screening.datasets", None),
    # records and validation
    "Records": ("screening.features", "Records"),
    "load_records": ("screening.features", "load_records"),
    "read_ctf": ("screening.features", "read_ctf"),
    "InputError": ("screening.features", "InputError"),
    "CensusError": ("screening.features", "CensusError"),
    "CTFWarning": ("screening.features", "CTFWarning"),
    "DuplicateRecordsWarning": ("screening.features", "DuplicateRecordsWarning"),
    # the pipeline and its results
    "Screener": ("screening._screener", "Screener"),
    "DriftWarning": ("screening._screener", "DriftWarning"),
    "DataEndWarning": ("screening._screener", "DataEndWarning"),
    "ScreeningResult": ("screening._result", "ScreeningResult"),
    "Evaluation": ("screening._result", "Evaluation"),
    "Backtest": ("screening._result", "Backtest"),
    # many local authorities
    "screen_many": ("screening._many", "screen_many"),
    "fit_many": ("screening._many", "fit_many"),
    "NationalResult": ("screening._many", "NationalResult"),
    "LocalAuthorityError": ("screening._many", "LocalAuthorityError"),
    # pseudonymised exports for research
    "pseudonymise": ("screening._pseudonymise", "pseudonymise"),
    # persistence
    "save": ("screening._persist", "save"),
    "load": ("screening._persist", "load"),
    "ModelFileError": ("screening.models", "ModelFileError"),
    "ModelVersionError": ("screening.models", "ModelVersionError"),
    "UntrustedTypesError": ("screening.models", "UntrustedTypesError"),
}

__all__ = [
    # the engines, as subpackages
    "features", "models", "audits",
    # records and validation
    "Records", "load_records", "read_ctf", "InputError", "CensusError", "CTFWarning",
    "DuplicateRecordsWarning",
    # synthetic data
    "datasets",
    # the pipeline and its results
    "Screener", "ScreeningResult", "Evaluation", "Backtest", "DriftWarning",
    "DataEndWarning",
    # many local authorities
    "screen_many", "fit_many", "NationalResult", "LocalAuthorityError",
    # pseudonymised exports for research
    "pseudonymise",
    # persistence
    "save", "load", "ModelFileError", "ModelVersionError", "UntrustedTypesError",
    "__version__",
]


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pupil-risk-screening")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "0.0.0+unknown"


def __getattr__(name: str) -> object:  # object, not Any: a misspelt name stays an error
    if name == "__version__":
        value = _installed_version()
    elif name in _LAZY:
        module, attribute = _LAZY[name]
        value = importlib.import_module(module)
        if attribute is not None:
            value = getattr(value, attribute)
    else:
        raise AttributeError(f"module 'screening' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # the same names, imported eagerly for type checkers and editors
    from . import audits, datasets, features, models
    from ._many import LocalAuthorityError, NationalResult, fit_many, screen_many
    from ._persist import load, save
    from ._pseudonymise import pseudonymise
    from ._result import Backtest, Evaluation, ScreeningResult
    from ._screener import DataEndWarning, DriftWarning, Screener
    from .features import (
        CensusError,
        CTFWarning,
        DuplicateRecordsWarning,
        InputError,
        Records,
        load_records,
        read_ctf,
    )
    from .models import ModelFileError, ModelVersionError, UntrustedTypesError

    __version__: str
