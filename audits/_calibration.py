"""Within-group calibration: a binned reliability table for charts.

Scores are binned (ten equal-width bins on [0, 1] when every score is a
probability, otherwise score deciles); for each attribute, group and bin the
table gives the mean score and the observed outcome rate. Bin counts are
*not* shown (with the group size they could reveal small counts); a bin with
fewer than ``min_cell`` pupils, and every bin of a group whose row or outcome
counts are suppressed, is marked ``suppressed`` with NaN values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._stats import bin_index, reliability_bins

if TYPE_CHECKING:
    from ._inputs import Grouping

COLUMNS = ["attribute", "group", "bin", "bin_low", "bin_high", "mean_score",
           "observed_rate", "suppressed"]


def reliability(groupings: list[Grouping], score: np.ndarray, outcome: np.ndarray,
                hidden: dict[str, np.ndarray],
                min_cell: int, n_bins: int = 10) -> pd.DataFrame:
    """Reliability rows for every attribute; ``hidden[attr]`` is a bool mask of groups."""
    edges = reliability_bins(score, n_bins)
    nb = len(edges) - 1
    b = bin_index(score, edges)
    parts = []
    for g in groupings:
        G = len(g.labels)
        code = g.codes * nb + b
        n = np.bincount(code, minlength=G * nb).reshape(G, nb)
        s = np.bincount(code, weights=score, minlength=G * nb).reshape(G, nb)
        pos = np.bincount(code, weights=outcome.astype(float), minlength=G * nb).reshape(G, nb)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean, obs = s / n, pos / n
        sup = (n < max(min_cell, 1)) | hidden[g.name][:, None]
        keep = n > 0
        gi, bi = np.nonzero(keep)
        parts.append(pd.DataFrame({
            "attribute": g.name,
            "group": [g.labels[i] for i in gi],
            "bin": bi,
            "bin_low": edges[bi],
            "bin_high": edges[bi + 1],
            "mean_score": np.where(sup, np.nan, mean)[gi, bi],
            "observed_rate": np.where(sup, np.nan, obs)[gi, bi],
            "suppressed": sup[gi, bi],
        }))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True)[COLUMNS]
