"""Aggregate classified register marks into attendance rows (one per pupil and day)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._codes import MARK_CLASSES
from ._date_columns import day_numbers
from ._schema import COUNTS, DATE_UNIT, empty_table, na_column


def aggregate_marks(marks: pd.DataFrame, class_index: np.ndarray | None = None,
                    upn_codes: tuple[np.ndarray, pd.Index] | None = None) -> pd.DataFrame:
    """Aggregate classified session marks into one attendance row per pupil and day.

    ``sessions_possible`` = PRESENT + AUTH + UNAUTH marks, ``sessions_authorised`` =
    AUTH, ``sessions_unauthorised`` = UNAUTH; NOT_POSSIBLE and MISSING count nowhere.
    ``class_index`` and ``upn_codes`` (factorised classes and pupils) may be passed
    to save work on large tables.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"upn": ["A", "A"], "date": pd.to_datetime(["2023-01-09"] * 2),
    ...                   "code_class": ["PRESENT", "UNAUTH"]})
    >>> aggregate_marks(m)[["sessions_possible", "sessions_unauthorised"]].values.tolist()
    [[2.0, 1.0]]
    """
    cols = ["upn", "school", "period_start", "period_end"] + COUNTS
    if len(marks) == 0:
        return empty_table("attendance")[cols]
    if upn_codes is None:
        pupil, upn_uniq = pd.factorize(marks["upn"])
    else:
        pupil, upn_uniq = upn_codes
    if class_index is None:
        class_index = pd.Index(list(MARK_CLASSES)).get_indexer(
            pd.Index(marks["code_class"].astype(object)))
    day, _ = day_numbers(marks["date"].astype(DATE_UNIT))
    key = pupil.astype(np.int64) * (1 << 32) + (day - day.min())
    steps = np.diff(key)
    if (steps >= 0).all():  # sorted by pupil and date (the usual export): no hashing
        new_group = np.r_[True, steps != 0]
        group = np.cumsum(new_group) - 1
        first = np.flatnonzero(new_group)
        n = len(first)
    else:
        group, uniq = pd.factorize(key)
        n = len(uniq)
        first = np.empty(n, dtype=np.int64)
        first[group[::-1]] = np.arange(len(group))[::-1]
    # PRESENT, AUTH, UNAUTH are classes 0, 1, 2: one bincount over (group, class)
    sel = (class_index >= 0) & (class_index <= 2)
    counts = np.bincount(group[sel] * 3 + class_index[sel], minlength=3 * n).reshape(n, 3)
    counts = counts.astype(np.float64)
    dates = pd.Series(marks["date"].to_numpy()[first]).astype(DATE_UNIT)
    upn = pd.array(np.asarray(upn_uniq, dtype=object), dtype="string").take(pupil[first])
    frame = pd.DataFrame({"upn": upn})
    out = pd.DataFrame({
        "upn": upn,
        "school": na_column(frame, "string"),
        "period_start": dates,
        "period_end": dates,
        "sessions_possible": counts.sum(axis=1),
        "sessions_authorised": counts[:, 1],
        "sessions_unauthorised": counts[:, 2],
    })
    return out
