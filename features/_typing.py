"""Type aliases for the annotations of :mod:`screening.features` (no behaviour)."""

from __future__ import annotations

import datetime
import os
from typing import TypeAlias

import numpy as np

#: A date as :func:`~screening.features.parse_date` reads it: ISO or day-first text,
#: a ``datetime.date``/``datetime.datetime``/``pandas.Timestamp`` or a ``numpy.datetime64``.
DateLike: TypeAlias = str | datetime.date | np.datetime64
#: A file or folder: text or any path-like object.
PathLike: TypeAlias = str | os.PathLike[str]
