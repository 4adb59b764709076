"""Baselines a risk model must beat: a plain logistic regression and the points share.

Generic scikit-learn code; which columns make a rule is the caller's business.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


class _PlainColumns(TransformerMixin, BaseEstimator):
    """Numeric and yes/no columns imputed and scaled, the others one-hot encoded.

    The columns are told apart by dtype at fit time; missing categories become
    ``"missing"``.
    """

    def _frame(self, X):
        frame = pd.DataFrame(X).copy()
        frame[self.numeric_] = frame[self.numeric_].astype(float)
        other = self.other_
        frame[other] = frame[other].astype(object).where(frame[other].notna(), "missing")
        return frame

    def fit(self, X, y=None):
        frame = pd.DataFrame(X)
        self.numeric_ = [c for c in frame.columns
                         if pd.api.types.is_numeric_dtype(frame[c])
                         or pd.api.types.is_bool_dtype(frame[c])]
        self.other_ = [c for c in frame.columns if c not in self.numeric_]
        self.columns_ = ColumnTransformer([
            ("numeric", make_pipeline(SimpleImputer(strategy="median", add_indicator=True,
                                                    keep_empty_features=True),
                                      StandardScaler()), self.numeric_),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), self.other_),
        ]).fit(self._frame(frame))
        return self

    def transform(self, X):
        return self.columns_.transform(self._frame(X))


def plain_logistic(*, C: float = 1.0) -> Pipeline:
    """A plain logistic regression on the raw features: the simplest learned baseline.

    Numeric and yes/no columns are median-imputed (with missing indicators) and scaled;
    other columns are one-hot encoded (unseen values ignored).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [0.0, 1.0, None, 3.0], "b": ["x", "y", "x", "y"]})
    >>> plain_logistic().fit(X, [0, 1, 0, 1]).predict_proba(X).shape
    (4, 2)
    """
    return make_pipeline(_PlainColumns(), LogisticRegression(C=C, max_iter=2000))


def points_share(contributions: pd.DataFrame, rows: ArrayLike,
                 columns: Sequence[str]) -> float:
    """Share of the points of ``rows`` that come from ``columns``.

    Parameters
    ----------
    contributions : DataFrame
        Points per feature and row (for example ``RiskScorecard.explain(X)``).
    rows : array-like of bool
        The rows to sum over (for example the flagged ones).
    columns : list of str
        The features whose share is wanted.

    Returns
    -------
    float
        NaN when the rows have no points at all.

    Examples
    --------
    >>> parts = pd.DataFrame({"a": [3.0, 1.0], "school": [1.0, 5.0]})
    >>> points_share(parts, [True, False], ["school"])
    0.25
    """
    rows = np.asarray(rows, dtype=bool)
    part = contributions.loc[rows]
    total = float(part.to_numpy(dtype=float).sum())
    if total <= 0:
        return float("nan")
    return float(part[list(columns)].to_numpy(dtype=float).sum() / total)


def compare_scores(y_true: ArrayLike, scores: Mapping[str, ArrayLike],
                   flags: Mapping[str, ArrayLike]) -> pd.DataFrame:
    """Several scores of the same rows side by side: AUC, average precision, capacity.

    Parameters
    ----------
    y_true : array-like of {0, 1}
    scores : dict of str to array-like
        ``{name: score}``; higher means more risk (any scale: only the order matters,
        except for ``brier``, which is left out here).
    flags : dict of str to array-like of bool
        ``{name: flagged}`` at the same capacity, for every name in ``scores``.

    Returns
    -------
    DataFrame
        One row per score: ``model, auc, average_precision, precision_at_capacity,
        recall_at_capacity, n_flagged``.

    Examples
    --------
    >>> t = compare_scores([0, 1, 0, 1], {"a": [0.1, 0.9, 0.2, 0.8], "b": [1, 0, 1, 0]},
    ...                    {"a": [False, True, False, False], "b": [True, False, False, False]})
    >>> t["auc"].tolist(), t["precision_at_capacity"].tolist()
    ([1.0, 0.0], [1.0, 0.0])
    """
    from sklearn.metrics import average_precision_score, roc_auc_score

    y = np.asarray(y_true, dtype=int)
    both = len(np.unique(y)) == 2
    rows = []
    for name, score in scores.items():
        p = np.asarray(score, dtype=float)
        f = np.asarray(flags[name], dtype=bool)
        rows.append({
            "model": name,
            "auc": roc_auc_score(y, p) if both else np.nan,
            "average_precision": average_precision_score(y, p) if both else np.nan,
            "precision_at_capacity": y[f].mean() if f.any() else np.nan,
            "recall_at_capacity": y[f].sum() / y.sum() if y.sum() else np.nan,
            "n_flagged": int(f.sum())})
    return pd.DataFrame(rows, columns=["model", "auc", "average_precision",
                                       "precision_at_capacity", "recall_at_capacity",
                                       "n_flagged"])
