"""BoostedRiskModel: a calibrated gradient-boosting challenger to the scorecard."""

from __future__ import annotations

import numbers
from typing import Any, Literal, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._binning import column_kind, to_float, to_labels

_ONLY_BINARY = (
    "Only binary classification is supported. The type of the target is {0}. "
    "BoostedRiskModel predicts one yes/no outcome: recode y to two classes."
)
_BAD_METHOD = (
    "The 'method' parameter of BoostedRiskModel must be 'sigmoid' or 'isotonic'. Got {0!r} "
    "instead. Use 'sigmoid' (monotone in the booster's score) unless data are plentiful."
)
_NO_ROWS = "Found array with 0 sample(s) (shape={0}) while a minimum of 1 is required."
_NO_Y = "BoostedRiskModel requires y to be passed, but the target y is None."
_ONE_CLASS = (
    "BoostedRiskModel needs two classes in y, but y has 1 class ({0}). Fit on a period "
    "in which the outcome both did and did not happen."
)
_FEW_FOR_CV = (
    "BoostedRiskModel needs at least 2 rows of each class for cross-fitted calibration; "
    "the rarer class has {0}. Fit on more data."
)
_BAD_CV = "The 'cv' parameter of BoostedRiskModel must be an int >= 2. Got {0!r} instead."


class BoostedRiskModel(ClassifierMixin, BaseEstimator):
    """Gradient-boosted trees, calibrated out of sample: the 'price of interpretability'.

    A ``HistGradientBoostingClassifier`` wrapped in ``CalibratedClassifierCV`` with
    ``ensemble=False``: the calibrator is fitted on cross-validated (out-of-fold) scores,
    then the booster is refitted on all rows. Categorical and string columns are coded as
    integers ordered by their training outcome rate (missing and unseen: NaN), so the
    trees split them like numbers and shap's ``TreeExplainer`` can read them.

    Parameters
    ----------
    max_iter : int, default=150
        Boosting iterations. The defaults are deliberately conservative (small trees,
        slow learning, large leaves) because risk outcomes are rare; lower
        ``min_samples_leaf`` for small data sets.
    learning_rate : float, default=0.03
    max_leaf_nodes : int, default=7
    min_samples_leaf : int, default=100
    l2_regularization : float, default=1.0
    method : {"sigmoid", "isotonic"}, default="sigmoid"
        Calibration method.
    cv : int, default=5
        Folds of the cross-fitted calibration.
    random_state : int or None, default=None

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    calibrated_ : CalibratedClassifierCV
    booster_ : HistGradientBoostingClassifier
        The booster fitted on all rows (the one ``explain`` reads).
    n_iter_ : int
        Boosting iterations of ``booster_``.
    empty_columns_ : ndarray of int
        Columns missing in every training row (scored as a constant).
    category_maps_ : dict
        ``{column: [categories in code order]}`` for non-numeric columns.

    Examples
    --------
    >>> import numpy as np
    >>> from screening.models import BoostedRiskModel
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3)); y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    >>> m = BoostedRiskModel(max_iter=20, random_state=0).fit(X, y)
    >>> m.predict_proba(X).shape
    (300, 2)
    """

    # fitted attributes (set by fit), declared for type checkers
    classes_: np.ndarray
    empty_columns_: np.ndarray
    calibrated_: Any
    booster_: Any

    def __init__(self, *, max_iter: int = 150, learning_rate: float = 0.03,
                 max_leaf_nodes: int = 7, min_samples_leaf: int = 100,
                 l2_regularization: float = 1.0,
                 method: Literal["sigmoid", "isotonic"] = "sigmoid", cv: int = 5,
                 random_state: int | np.random.RandomState | None = None) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.method = method
        self.cv = cv
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.classifier_tags.multi_class = False
        return tags

    def _matrix(self, X: Any, *, reset: bool, y: np.ndarray | None = None) -> np.ndarray:
        """Float matrix: numeric as is, bool 0/1, categories as rate-ordered codes."""
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, reset=reset, skip_check_array=True)
            out = np.empty(X.shape, dtype=np.float64)
            if reset:
                self.category_maps_: dict[str, list[Any]] = {}
            for j in range(X.shape[1]):
                col, name = X.iloc[:, j], str(X.columns[j])
                kind = column_kind(col) if reset else (
                    "categorical" if name in self.category_maps_ else "numeric")
                if kind != "categorical":
                    out[:, j] = to_float(col.astype(object).where(col.notna(), np.nan)
                                         if kind == "bool" else col, name)
                    continue
                codes, categories, missing = to_labels(col)
                if reset:
                    assert y is not None  # fit passes the outcome with reset=True
                    rate = np.bincount(codes[~missing], weights=y[~missing],
                                       minlength=len(categories))
                    count = np.bincount(codes[~missing], minlength=len(categories))
                    order = np.lexsort((categories, rate / np.maximum(count, 1)))
                    self.category_maps_[name] = [categories[i] for i in order]
                rank = {c: float(i) for i, c in enumerate(self.category_maps_[name])}
                lookup = np.array([rank.get(c, np.nan) for c in categories] + [np.nan])
                out[:, j] = lookup[codes]
            return out
        X = validate_data(self, X, reset=reset, dtype=np.float64,
                          ensure_all_finite="allow-nan")
        if reset:
            self.category_maps_ = {}
        return X

    def _blank(self, Xm: np.ndarray) -> np.ndarray:
        if self.empty_columns_.size:
            Xm = Xm.copy()
            Xm[:, self.empty_columns_] = 0.0
        return Xm

    def _matrix_known(self, X: Any) -> np.ndarray:
        return self._blank(self._matrix(X, reset=False))

    def fit(self, X: pd.DataFrame | ArrayLike, y: ArrayLike) -> Self:
        """Fit the booster and its cross-fitted calibration; returns self."""
        if self.method not in ("sigmoid", "isotonic"):
            raise ValueError(_BAD_METHOD.format(self.method))
        if not isinstance(self.cv, numbers.Integral) or self.cv < 2:
            raise ValueError(_BAD_CV.format(self.cv))
        if y is None:
            raise ValueError(_NO_Y)
        if not isinstance(X, pd.DataFrame):
            X = check_array(X, dtype=np.float64, ensure_all_finite="allow-nan")
        elif X.shape[0] == 0:
            raise ValueError(_NO_ROWS.format(X.shape))
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type != "binary":
            raise ValueError(_ONLY_BINARY.format(y_type))
        self.classes_, y_int = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(_ONE_CLASS.format(self.classes_[0]))
        Xm = self._matrix(X, reset=True, y=y_int.astype(float))
        # all-missing columns carry no information and break the booster's binning
        self.empty_columns_ = np.flatnonzero(np.isnan(Xm).all(axis=0))
        Xm = self._blank(Xm)
        booster = HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes, min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization, early_stopping=False,
            random_state=self.random_state)
        cv = min(self.cv, int(np.bincount(y_int).min()))
        if cv < 2:
            raise ValueError(_FEW_FOR_CV.format(cv))
        self.calibrated_ = CalibratedClassifierCV(booster, method=self.method, cv=cv,
                                                  ensemble=False).fit(Xm, y_int)
        self.booster_ = self.calibrated_.calibrated_classifiers_[0].estimator
        self.n_iter_ = self.booster_.n_iter_
        return self

    def predict_proba(self, X: pd.DataFrame | ArrayLike) -> np.ndarray:
        """Calibrated probabilities of each class."""
        check_is_fitted(self)
        return self.calibrated_.predict_proba(self._matrix_known(X))

    def predict(self, X: pd.DataFrame | ArrayLike) -> np.ndarray:
        """Class with the larger probability."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def explain(self, X: pd.DataFrame | ArrayLike) -> pd.DataFrame:
        """Log-odds contributions of each feature (shap TreeExplainer on ``booster_``).

        Returns a DataFrame, one column per feature, index as X; the row sums plus the
        explainer's expected value equal the booster's raw (uncalibrated) log-odds.
        """
        import shap

        check_is_fitted(self)
        Xm = self._matrix_known(X)
        values = shap.TreeExplainer(self.booster_).shap_values(Xm)
        values = np.asarray(values)
        if values.ndim == 3:
            values = values[..., -1]
        names = getattr(self, "feature_names_in_", None)
        names = list(names) if names is not None else [f"x{j}" for j in range(Xm.shape[1])]
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(Xm))
        return pd.DataFrame(values, index=index, columns=names)


# ------------------------------------------------------------------ structure checks
def booster_problem(model: Any) -> str | None:
    """Why a fitted gradient-boosting model is unsafe to predict with, or None.

    scikit-learn's compiled predictor walks each tree without bounds checks, so a
    model file whose trees point outside their arrays would crash the process.
    :func:`screening.models.load_model` calls this for every gradient-boosting model
    a file holds. Checked: the feature count, the bin mapper's categorical mask, a
    finite baseline, and for each tree :func:`tree_problem`.
    """
    n_features = getattr(model, "n_features_in_", None)
    if not isinstance(n_features, (int, np.integer)) or isinstance(n_features, bool) or (
            n_features < 1):
        return f"n_features_in_ is {n_features!r}"
    mapper = getattr(model, "_bin_mapper", None)
    is_cat = getattr(mapper, "is_categorical_", None)
    is_cat = np.zeros(n_features, bool) if is_cat is None else np.asarray(is_cat)
    if is_cat.shape != (n_features,):
        return f"the bin mapper describes {is_cat.size} features, the model {n_features}"
    try:
        baseline = np.asarray(getattr(model, "_baseline_prediction", 0.0), dtype=np.float64)
    except (TypeError, ValueError):
        return "its baseline prediction is not numeric"
    if not np.isfinite(baseline).all():
        return "its baseline prediction is not finite"
    per_iteration = getattr(model, "n_trees_per_iteration_", None)
    predictors = getattr(model, "_predictors", None)
    if not isinstance(predictors, list) or not all(
            isinstance(it, list) and len(it) == per_iteration for it in predictors):
        return "its list of trees is malformed"
    for i, iteration in enumerate(predictors):
        for tree in iteration:
            problem = tree_problem(tree, int(n_features), is_cat.astype(bool))
            if problem:
                return f"iteration {i}: {problem}"
    return None


def tree_problem(tree: Any, n_features: int, is_categorical: np.ndarray | None) -> str | None:
    """Why one ``TreePredictor`` is unsafe for the compiled predictor, or None.

    The nodes must be a non-empty array of scikit-learn's tree records forming one
    tree rooted at node 0: every split's children lie after it and inside the array,
    and every other node has exactly one parent (so there are no cycles and every walk
    ends at a leaf). Split features are below ``n_features``; leaf values are finite;
    numeric thresholds are not NaN (``inf`` is how scikit-learn splits off missing
    values); categorical splits use categorical features and bitsets inside the
    tree's (n, 8) bitset arrays.
    """
    from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE

    nodes = getattr(tree, "nodes", None)
    if not isinstance(nodes, np.ndarray) or nodes.dtype != PREDICTOR_RECORD_DTYPE or (
            nodes.ndim != 1) or nodes.size == 0:
        return "its nodes are not a non-empty array of tree records"
    n = nodes.size
    inner = nodes["is_leaf"] == 0
    at = np.flatnonzero(inner)
    left = nodes["left"][inner].astype(np.int64)
    right = nodes["right"][inner].astype(np.int64)
    out = (left <= at) | (right <= at) | (left >= n) | (right >= n)
    if out.any():
        k = int(at[np.argmax(out)])
        return (f"node {k} points to children {int(nodes['left'][k])} and "
                f"{int(nodes['right'][k])}, outside nodes {k + 1}..{n - 1}")
    children = np.concatenate([left, right])
    if children.size != n - 1 or np.unique(children).size != n - 1:
        return "it is not a tree (a node has more than one parent, or none)"
    feature = nodes["feature_idx"][inner].astype(np.int64)
    wrong = (feature < 0) | (feature >= n_features)
    if wrong.any():
        return f"a split uses feature {int(feature[wrong][0])} of {n_features}"
    if not np.isfinite(nodes["value"][~inner]).all():
        return "a leaf value is not finite"
    categorical = nodes["is_categorical"][inner] != 0
    if np.isnan(nodes["num_threshold"][inner][~categorical]).any():
        return "a split threshold is NaN"
    for name in ("raw_left_cat_bitsets", "binned_left_cat_bitsets"):
        bits = getattr(tree, name, None)
        if not isinstance(bits, np.ndarray) or bits.dtype != np.uint32 or bits.ndim != 2 or (
                bits.shape[1] != 8) or not bits.flags.c_contiguous:
            return f"{name} is not an (n, 8) array of uint32"
        if categorical.any() and (nodes["bitset_idx"][inner][categorical] >= len(bits)).any():
            return f"a categorical split points outside {name}"
    if categorical.any() and not np.asarray(is_categorical)[feature[categorical]].all():
        return "a categorical split uses a feature that is not categorical"
    return None
