"""Early identification of pupils at risk of school exclusion.

The facade users import: records and validation, the synthetic local authority,
the :class:`Screener` pipeline, persistence, reports and the ``screening`` command.
Every score the library produces comes with its disproportionality audit.

Examples
--------
>>> import screening
>>> la = screening.datasets.make_local_authority(n_pupils=6_000, seed=0)
>>> scr = screening.Screener(n_boot=50).fit(la.records, as_of=la.census_dates[-3:-1])
>>> result = scr.screen(la.records, as_of=la.census_dates[-1])
>>> sorted(result.scores.columns)[:3]
['flagged', 'points', 'rank']
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pupil-risk-screening")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

from . import audits, datasets, features, models  # noqa: E402
from ._persist import load, save  # noqa: E402
from ._result import Backtest, Evaluation, ScreeningResult  # noqa: E402
from ._screener import DriftWarning, Screener  # noqa: E402
from .features import (  # noqa: E402
    CTFWarning,
    DuplicateRecordsWarning,
    InputError,
    Records,
    load_records,
    read_ctf,
)
from .models import ModelVersionError, UntrustedTypesError  # noqa: E402

__all__ = [
    # the engines, as subpackages
    "features", "models", "audits",
    # records and validation
    "Records", "load_records", "read_ctf", "InputError", "CTFWarning",
    "DuplicateRecordsWarning",
    # synthetic data
    "datasets",
    # the pipeline and its results
    "Screener", "ScreeningResult", "Evaluation", "Backtest", "DriftWarning",
    # persistence
    "save", "load", "ModelVersionError", "UntrustedTypesError",
    "__version__",
]
