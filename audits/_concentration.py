"""Concentration of flags and outcomes in a few units (e.g. schools).

For each control column (say ``school``) and each measure (``flags``, and
``outcomes`` when an outcome is given): units are ranked by their count,
and the table reports the share of the total made by the top 1, 5 and 10
units, and the smallest number of units making at least half of the total,
with the share of the cohort those units hold (a few large schools may make
half the flags simply by being large). In Medway, five schools made two
thirds of permanent exclusions: this table makes that pattern visible.

Suppression: a total between 1 and ``min_cell - 1`` hides the whole row; a
top-k share is hidden when the count it reveals (share x total) is between
1 and ``min_cell - 1``, and whenever the linked suppression of the whole audit
(:mod:`audits._layout`) says so: ``total x (1 - top-5 share)`` is the sum of the
other units, which, with the breakdown by units, could give a hidden unit's count.
The number of units with any flags is hidden unless every unit's count is known
from the tables anyway (it tells a hidden count from zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

TOP = (1, 5, 10)


def concentration(codes: np.ndarray, labels: Sequence[Any], control: str,
                  measures: dict[str, np.ndarray], min_cell: int,
                  hide: dict[Any, bool] | None = None,
                  units_known: dict[str, Any] | None = None) -> pd.DataFrame:
    """Rows ``control, measure, total, n_units, n_units_with_any, top_k_share...``.

    >>> df = concentration(np.array([0, 0, 1, 2]), ["a", "b", "c"], "school",
    ...                    {"flags": np.array([1, 1, 1, 0], dtype=bool)}, 0)
    >>> cols = ["total", "top_1_share", "units_for_half", "cohort_share_of_those_units"]
    >>> df[cols].values.tolist()
    [[3.0, 0.6666666666666666, 1.0, 0.5]]
    """
    size = len(labels)
    pupils = np.bincount(codes, minlength=size)
    rows = []
    for measure, x in measures.items():
        per_unit = np.bincount(codes, weights=x.astype(float), minlength=size)
        order = np.argsort(-per_unit, kind="stable")
        s = per_unit[order]
        total = s.sum()
        cum = np.cumsum(s)
        hide = hide or {}
        known = True if units_known is None else units_known.get(measure, True)
        row = {"control": control, "measure": measure, "total": total,
               "n_units": int((pupils > 0).sum()),
               "n_units_with_any": int((s > 0).sum()) if known else np.nan}
        unsafe = lambda c: 0 < c < min_cell  # noqa: E731
        for k in TOP:
            top = cum[min(k, len(cum)) - 1] if len(cum) else 0.0
            share = top / total if total > 0 else np.nan
            gone = unsafe(top) or unsafe(total - top) or hide.get((measure, f"top_{k}"))
            row[f"top_{k}_share"] = np.nan if gone else share
        if total > 0:
            half = int(np.searchsorted(cum, total / 2.0 - 1e-9)) + 1
            row["units_for_half"] = float(half)
            inside = pupils[order[:half]].sum()
            gone = unsafe(inside) or unsafe(pupils.sum() - inside) or hide.get(
                (measure, "half"))
            row["cohort_share_of_those_units"] = np.nan if gone else inside / pupils.sum()
        else:
            row["units_for_half"] = np.nan
            row["cohort_share_of_those_units"] = np.nan
        if unsafe(total):
            for key in row:
                if key not in ("control", "measure", "n_units"):
                    row[key] = np.nan
        rows.append(row)
    return pd.DataFrame(rows)
