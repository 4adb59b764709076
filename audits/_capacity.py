"""How flags, precision, recall and disproportionality change with the capacity.

Every capacity is applied by :func:`flag_top` (the one flagging rule), so a row of the
curve at ``capacity=0.05`` describes exactly the pupils a screen at 5% flags.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._flag import check_rule, flag_top

if TYPE_CHECKING:
    from ._typing import Column

#: Capacities of :func:`capacity_curve` when none are given: 1% to 20% of rows.
DEFAULT_CAPACITIES = (0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.10, 0.12, 0.15, 0.20)

_NOT_FRAME = "capacity_curve() needs a pandas DataFrame as `frame`; got {0}."
_MISSING = ("capacity_curve(): column {0!r} (given as `{1}`) is not in frame. Available "
            "columns: {2}. Pass the name of the {1} column.")
_NO_CAPACITIES = ("capacity_curve() needs at least one capacity; got none. Pass e.g. "
                  "capacities=[0.01, 0.05, 0.10].")
_OUTCOME = ("`outcome` must hold only 0/1 or True/False, with no missing values; found "
            "{0!r}. Convert it first, e.g. (frame[col] == 'Y').astype(int).")

#: Columns of :func:`capacity_curve`, in order.
CURVE_COLUMNS = ["capacity", "attribute", "group", "n", "n_outcome", "n_flagged",
                 "n_true_positive", "flag_rate", "precision", "recall", "amplification",
                 "suppressed"]


def _column(frame, name, role):
    if name not in frame.columns:
        raise KeyError(_MISSING.format(name, role, list(frame.columns)[:20]))
    return frame[name]


def _hide(counts: pd.Series, min_cell: int) -> pd.Series:
    """Which groups of one attribute to hide: small non-zero counts, plus the next
    smallest count when exactly one is hidden (the total is shown, so one hidden count
    alone could be recovered by subtraction)."""
    small = (counts > 0) & (counts < min_cell)
    if small.sum() == 1 and len(counts) > 1:
        rest = counts[~small]
        small[rest.idxmin()] = True  # type: ignore[call-overload]  # stubs: a label
    return small


def capacity_curve(frame: pd.DataFrame, *, score: Column, outcome: Column,
                   groups: Sequence[str] = (), capacities: Sequence[float] = DEFAULT_CAPACITIES,
                   tiebreak: Column | None = None, min_cell: int = 10) -> pd.DataFrame:
    """Precision, recall, flags per group and amplification as the capacity varies.

    Each capacity flags the highest scores by :func:`flag_top` (ties broken by
    ``tiebreak``, then position), then counts, for the whole frame (``attribute`` is
    ``"all"``) and for every group of every attribute, the rows flagged and the
    flagged rows with the outcome.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per pupil, with a score, an outcome (0/1) and the group columns.
    score : str
        Column of risk scores, higher is riskier.
    outcome : str
        Column of observed outcomes (0/1 or True/False).
    groups : sequence of str, default=()
        Group columns (e.g. ``["sex", "fsm"]``).
    capacities : sequence of float or int, default=DEFAULT_CAPACITIES
        Each a fraction of rows (``0 < c < 1``) or a whole number of rows, as in
        :func:`flag_top`.
    tiebreak : str, optional
        Column breaking ties in score, ascending (e.g. the pupil id).
    min_cell : int, default=10
        Group counts from 1 to ``min_cell - 1`` (flagged, outcomes, true positives)
        are hidden, with the next smallest count of the attribute when only one would
        be (the total is shown); rates and amplification built on a hidden count are
        hidden too. Differences between capacities are not protected: publish the
        curve for groups, not for pupils.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CURVE_COLUMNS`: ``precision`` is the share of flagged rows with
        the outcome, ``recall`` the share of rows with the outcome that are flagged,
        and ``amplification`` the group's share of flags divided by its share of
        outcomes (above 1: the group is flagged more than its outcomes warrant).
        ``suppressed`` is True where any count of the row is hidden.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.audits import capacity_curve
    >>> df = pd.DataFrame({"risk": [i / 100 for i in range(100)],
    ...                    "outcome": [int(i >= 80) for i in range(100)],
    ...                    "fsm": [i % 2 == 0 for i in range(100)]})
    >>> curve = capacity_curve(df, score="risk", outcome="outcome", groups=["fsm"],
    ...                        capacities=[0.1, 0.2, 0.3])
    >>> curve[curve["attribute"] == "all"][["capacity", "n_flagged", "precision",
    ...                                      "recall"]].round(2)
       capacity  n_flagged  precision  recall
    0       0.1         10       1.00     0.5
    3       0.2         20       1.00     1.0
    6       0.3         30       0.67     1.0
    >>> row = curve.loc[8]
    >>> row["group"], int(row["n_flagged"]), float(row["amplification"])
    ('True', 15, 1.0)
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(_NOT_FRAME.format(type(frame).__name__))
    capacities = list(capacities)
    if not capacities:
        raise ValueError(_NO_CAPACITIES)
    for c in capacities:
        check_rule(capacity=c)
    s = pd.to_numeric(_column(frame, score, "score"), errors="raise").to_numpy(float)
    y_raw = _column(frame, outcome, "outcome")
    if y_raw.isna().any() or not set(pd.unique(y_raw.astype(object))) <= {0, 1, True, False}:
        bad = y_raw[y_raw.isna() | ~y_raw.isin([0, 1, True, False])]
        raise ValueError(_OUTCOME.format(bad.iloc[0]))
    y = y_raw.astype(int).to_numpy()
    tb = None if tiebreak is None else _column(frame, tiebreak, "tiebreak").to_numpy()
    codes = {}
    for g in groups:
        col = _column(frame, g, "groups").astype(object)
        codes[g] = col.where(col.notna(), "Unknown").astype(str).to_numpy()
    n_all, pos_all = len(y), int(y.sum())
    rows = []
    for c in capacities:
        flag = flag_top(s, capacity=c, tiebreak=tb)
        k = int(flag.sum())
        tp = int((flag & (y == 1)).sum())
        rows.append({"capacity": c, "attribute": "all", "group": "all", "n": n_all,
                     "n_outcome": pos_all, "n_flagged": k, "n_true_positive": tp,
                     "suppressed": False})
        for g, lab in codes.items():
            t = pd.DataFrame({"g": lab, "f": flag, "y": y, "tp": flag & (y == 1)})
            agg = t.groupby("g", sort=True).agg(n=("f", "size"), n_flagged=("f", "sum"),
                                                n_outcome=("y", "sum"),
                                                n_true_positive=("tp", "sum"))
            small = agg["n"] < min_cell
            h_flag = _hide(agg["n_flagged"], min_cell) | small
            h_out = _hide(agg["n_outcome"], min_cell) | small
            h_tp = _hide(agg["n_true_positive"], min_cell) | h_flag | h_out
            for name, r in agg.iterrows():
                rows.append({"capacity": c, "attribute": g, "group": name, "n": int(r["n"]),
                             "n_outcome": int(r["n_outcome"]),
                             "n_flagged": int(r["n_flagged"]),
                             "n_true_positive": int(r["n_true_positive"]),
                             # pandas-stubs takes no Hashable label in Series[...]
                             "_h_flag": bool(h_flag[name]),  # type: ignore[call-overload]
                             "_h_out": bool(h_out[name]),  # type: ignore[call-overload]
                             "_h_tp": bool(h_tp[name])})  # type: ignore[call-overload]
    out = pd.DataFrame(rows)
    for col in ("_h_flag", "_h_out", "_h_tp"):
        out[col] = out[col].fillna(False).astype(bool)
    out["suppressed"] = out["_h_flag"] | out["_h_out"] | out["_h_tp"]
    for col in ("n", "n_outcome", "n_flagged", "n_true_positive"):
        out[col] = out[col].astype("float")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["flag_rate"] = out["n_flagged"] / out["n"]
        out["precision"] = out["n_true_positive"] / out["n_flagged"]
        out["recall"] = out["n_true_positive"] / out["n_outcome"]
        total = out[out["attribute"] == "all"].set_index("capacity")
        k_all = out["capacity"].map(total["n_flagged"])
        share_flags = out["n_flagged"] / k_all
        share_outcomes = out["n_outcome"] / pos_all if pos_all else np.nan
        out["amplification"] = share_flags / share_outcomes
    out = out.replace([np.inf, -np.inf], np.nan)
    # each number is hidden when a count it is built from is (precision times the flags
    # gives the true positives, so they go together)
    out.loc[out["_h_flag"], ["n_flagged", "flag_rate", "amplification"]] = np.nan
    out.loc[out["_h_out"], ["n_outcome", "amplification"]] = np.nan
    out.loc[out["_h_tp"], ["n_true_positive", "precision", "recall"]] = np.nan
    out.loc[out["attribute"] == "all", "amplification"] = np.nan
    for col in ("n", "n_outcome", "n_flagged", "n_true_positive"):
        out[col] = out[col].astype("Int64")
    return out[CURVE_COLUMNS].reset_index(drop=True)
