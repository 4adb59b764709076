"""A screen's added value: how many flagged pupils no service already knows.

The point of a screen is to find the pupils nobody knows about. With
``Screener(known_if=...)`` the scores carry ``already_known``; this module counts
flagged pupils by it, and (when outcomes are known, as in an evaluation) the share
of each with the outcome. It only counts: the marking rule lives in
:func:`screening.features.already_known`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def added_value(scores: pd.DataFrame, min_cell: int = 10) -> dict[str, Any] | None:
    """Flagged pupils by whether they were already known (``None`` without the column).

    Parameters
    ----------
    scores : pandas.DataFrame
        With bool ``flagged`` and ``already_known``, and optionally 0/1 ``outcome``.
    min_cell : int, default=10
        Counts (and the precision of groups) smaller than this are reported as
        suppressed (``None``) in :func:`added_value_html`; the dict keeps them, with
        ``suppressed`` naming them, because the scores it came from hold every row.

    Returns
    -------
    dict or None
        ``n_flagged``, ``n_flagged_already_known``, ``n_flagged_not_known``,
        ``share_not_known`` (of the flagged), ``n_already_known`` (in the cohort), and
        with outcomes ``precision_flagged``, ``precision_not_known`` and
        ``precision_already_known`` (the outcome rate among those flagged pupils; NaN
        when there are none), plus ``suppressed``: the keys below ``min_cell``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"flagged": [True, True, True, False],
    ...                   "already_known": [True, False, False, True],
    ...                   "outcome": [1, 1, 0, 0]})
    >>> v = added_value(s, min_cell=1)
    >>> v["n_flagged_not_known"], v["precision_not_known"]
    (2, 0.5)
    """
    if "already_known" not in scores:
        return None
    flagged = scores["flagged"].to_numpy(dtype=bool)
    known = scores["already_known"].to_numpy(dtype=bool)
    new = flagged & ~known
    out: dict[str, Any] = {
        "n_flagged": int(flagged.sum()),
        "n_flagged_already_known": int((flagged & known).sum()),
        "n_flagged_not_known": int(new.sum()),
        "share_not_known": float(new.sum() / flagged.sum()) if flagged.any() else float("nan"),
        "n_already_known": int(known.sum()),
    }
    if "outcome" in scores:
        y = scores["outcome"].to_numpy(dtype=float)
        rate = lambda m: float(y[m].mean()) if m.any() else float("nan")  # noqa: E731
        out["precision_flagged"] = rate(flagged)
        out["precision_not_known"] = rate(new)
        out["precision_already_known"] = rate(flagged & known)
    out["suppressed"] = [k for k, v in out.items()
                         if k.startswith("n_") and 0 < v < min_cell]
    return out


def _count(value: int, min_cell: int) -> str:
    return f"fewer than {min_cell}" if 0 < value < min_cell else f"{value:,}"


def added_value_html(scores: pd.DataFrame, min_cell: int = 10) -> str:
    """The report's paragraph on added value ("" when nothing marks known pupils)."""
    v = added_value(scores, min_cell)
    if v is None:
        return ""
    text = (f"<div class='card'><b>Added value.</b> Of {_count(v['n_flagged'], min_cell)} "
            f"flagged pupils, {_count(v['n_flagged_not_known'], min_cell)} were not already "
            f"known to any service named in <code>known_if</code> and "
            f"{_count(v['n_flagged_already_known'], min_cell)} were "
            f"({_count(v['n_already_known'], min_cell)} already known in the cohort).")
    if "precision_not_known" in v and np.isfinite(v["precision_not_known"]) \
            and v["n_flagged_not_known"] >= min_cell:
        text += (f" Among the flagged pupils not already known, "
                 f"{v['precision_not_known']:.1%} had the outcome.")
    return text + "</div>"
