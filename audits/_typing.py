"""Type aliases for the annotations of :mod:`screening.audits` (no behaviour)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

#: A column of the audited frame: its name, or values aligned with it (a Series sharing
#: the frame's index, an Index, an array or a list).
Column: TypeAlias = str | pd.Series | pd.Index | ArrayLike
#: The groups to audit: one column name, names and named Series, or a frame of them.
Groups: TypeAlias = str | pd.Series | Sequence[str | pd.Series] | pd.DataFrame
#: What each group is compared with: a rule, or the reference group per attribute.
Reference: TypeAlias = str | Mapping[str, Hashable]
#: Attributes nested in others: ``{"ethnicity": "ethnicity_major"}`` or pairs.
Nested: TypeAlias = Mapping[str, str] | Sequence[tuple[str, str]]
#: A seed for the bootstrap.
Seed: TypeAlias = int | np.random.Generator | np.random.RandomState | None
#: How many to flag: a fraction (0 < c < 1) or a number of rows.
Capacity: TypeAlias = float | int
