"""Type aliases for the annotations of the facade (no behaviour)."""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from typing import TypeAlias

import numpy as np

#: One census date: ISO or day-first text, a ``datetime.date``/``datetime.datetime``/
#: ``pandas.Timestamp`` or a ``numpy.datetime64`` (read by ``features.parse_date``).
DateLike: TypeAlias = str | datetime.date | np.datetime64
#: One census date or several (training and backtest dates).
Dates: TypeAlias = DateLike | Sequence[DateLike]
#: A file or folder: text or any path-like object.
PathLike: TypeAlias = str | os.PathLike[str]
