"""Rule baselines from the feature table: what a screen must beat to be worth its model.

- ``school-only rule``: rank pupils by their school's suspension rate alone (Perdomo et
  al., 2023, found a statewide early-warning score targeted no better).
- ``simple rule``: any suspension in the last 12 months, or absence of 10% or more (the
  persistent absence line).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Features that describe the pupil's school, not the pupil.
SCHOOL_CONTEXT = ("school_suspension_rate_12m",)

#: Absence share at or above which the simple rule flags a pupil.
SIMPLE_RULE_ABSENCE = 0.10


def baselines(X: pd.DataFrame) -> pd.DataFrame:
    """Scores of the rule baselines, one column each, for the rows of a feature table.

    Parameters
    ----------
    X : DataFrame
        Output of :func:`screening.features.build`.

    Returns
    -------
    DataFrame
        ``school-only rule`` (the school's suspension rate; missing as 0) and
        ``simple rule`` (1.0 for any suspension in the last 12 months or absence of 10%
        or more, else 0.0), indexed like ``X``. Higher means flagged first.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"school_suspension_rate_12m": [2.0, 9.0],
    ...                   "suspensions_12m": [1.0, 0.0], "absence_rate_12m": [0.02, 0.03]})
    >>> baselines(X)["simple rule"].tolist()
    [1.0, 0.0]
    """
    school = pd.to_numeric(X["school_suspension_rate_12m"], errors="coerce").fillna(0.0)
    suspended = pd.to_numeric(X["suspensions_12m"], errors="coerce").fillna(0.0) > 0
    absent = (pd.to_numeric(X["absence_rate_12m"], errors="coerce").fillna(0.0)
              >= SIMPLE_RULE_ABSENCE)
    return pd.DataFrame({"school-only rule": school.to_numpy(dtype=float),
                         "simple rule": np.where(suspended | absent, 1.0, 0.0)},
                        index=X.index)
