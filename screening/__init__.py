"""Early identification of pupils at risk of school exclusion.

The facade users import: records and validation, the synthetic local authority,
the :class:`Screener` pipeline, persistence, reports and the ``screening`` command.
"""

from importlib.metadata import PackageNotFoundError, version

from features import InputError, Records

try:
    __version__ = version("pupil-risk-screening")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["InputError", "Records", "__version__"]
