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
1 and ``min_cell - 1``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TOP = (1, 5, 10)


def concentration(codes: np.ndarray, labels, control: str, measures: dict[str, np.ndarray],
                  min_cell: int) -> pd.DataFrame:
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
        row = {"control": control, "measure": measure, "total": total,
               "n_units": int((pupils > 0).sum()), "n_units_with_any": int((s > 0).sum())}
        unsafe = lambda c: 0 < c < min_cell  # noqa: E731
        for k in TOP:
            top = cum[min(k, len(cum)) - 1] if len(cum) else 0.0
            share = top / total if total > 0 else np.nan
            row[f"top_{k}_share"] = np.nan if unsafe(top) else share
        if total > 0:
            half = int(np.searchsorted(cum, total / 2.0 - 1e-9)) + 1
            row["units_for_half"] = float(half)
            row["cohort_share_of_those_units"] = pupils[order[:half]].sum() / pupils.sum()
        else:
            row["units_for_half"] = np.nan
            row["cohort_share_of_those_units"] = np.nan
        if unsafe(total):
            for key in row:
                if key not in ("control", "measure", "n_units"):
                    row[key] = np.nan
        rows.append(row)
    return pd.DataFrame(rows)
