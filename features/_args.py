"""Argument checks shared by the feature, outcome and attribute functions."""

from __future__ import annotations

from typing import Any

import numpy as np

NOT_RECORDS = (
    "records must be a screening.Records (with pupils and enrolments tables); got {}. "
    "Build one with screening.Records(pupils=..., enrolments=..., ...) or "
    "screening.load_records(folder)."
)
BAD_HORIZON = (
    "horizon_months must be a whole number of months >= 1; got {!r}. The usual "
    "horizon is 12 (one year after the census)."
)


def check_records(records: object) -> None:
    """Raise ``TypeError`` unless ``records`` looks like a :class:`Records`."""
    if not all(hasattr(records, a) for a in ("pupils", "enrolments", "suspensions")):
        raise TypeError(NOT_RECORDS.format(type(records).__name__))


def check_horizon(horizon_months: Any) -> int:
    """Return the horizon as an int, or raise ``ValueError``.

    Examples
    --------
    >>> check_horizon(12.0)
    12
    """
    if isinstance(horizon_months, bool) or not isinstance(
            horizon_months, (int, np.integer, float)) or horizon_months != int(
            horizon_months) or horizon_months < 1:
        raise ValueError(BAD_HORIZON.format(horizon_months))
    return int(horizon_months)
