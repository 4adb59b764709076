"""RiskScorecard: an integer points scorecard with out-of-sample calibrated probabilities."""

from __future__ import annotations

import html
import numbers
import os
import warnings
from collections.abc import Mapping
from typing import Literal, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._binning import column_kind, encode, min_count_from, numeric_labels
from ._display import scorecard_frame, scorecard_html, scorecard_text
from ._explain import reason_texts, top_reason_bands, top_reasons, typical_points
from ._folds import grouped_folds
from ._points import fit_card, fit_logistic_1d, fit_specs, log_loss, sigmoid, total_points

_PARAM = (
    "The {0!r} parameter of RiskScorecard must be {1}. Got {2!r} instead. {3}"
)
_ONLY_BINARY = (
    "Only binary classification is supported. The type of the target is {0}. "
    "RiskScorecard predicts one yes/no outcome: recode y to two classes."
)
_ONE_CLASS = (
    "RiskScorecard needs two classes in y, but y has 1 class ({0}). Fit on a period "
    "in which the outcome both did and did not happen."
)
_NO_ROWS = "Found array with 0 sample(s) (shape={0}) while a minimum of 1 is required."
_NO_COLUMNS = "Found array with 0 feature(s) (shape={0}) while a minimum of 1 is required."
_UNKNOWN_FEATURE = (
    "{0} names feature(s) {1} that are not columns of X. Known columns: {2}. Fix the "
    "spelling or drop those entries."
)
_MONOTONE_CATEGORICAL = (
    "monotone asks for direction {1} on feature {0!r}, which is categorical (unordered). "
    "Constrain only numeric or bool features, or use 0 for this one."
)
_GROUPS_LENGTH = (
    "groups has {0} entries but X has {1} rows. Pass one group label (for example the "
    "pupil's id) per row of X, or groups=None."
)
#: The penalties ``C="auto"`` chooses from (larger means less penalty).
C_GRID = (0.03, 0.1, 0.3, 1.0)
#: The smallest band sizes ``min_band_size="auto"`` chooses from (fractions of rows).
SIZE_GRID = (0.05, 0.02, 0.005)
#: The settings used when there are too few outcomes to cross-validate.
C_FALLBACK, SIZE_FALLBACK = 1.0, 0.05
_FEW_FOR_CV = (
    "The rarer class has {0} row(s), too few for {1}-fold cross-fitting; the score-to-"
    "probability map was fitted in sample and may be over-confident. Fit on more data."
)


def _is_frame(X):
    return isinstance(X, pd.DataFrame)


class RiskScorecard(ClassifierMixin, BaseEstimator):
    """Points-based risk scorecard: banded features, integer points, calibrated risk.

    Each numeric feature is cut into a few ordered bands (cut points from a shallow
    decision tree on the training data). A band must hold at least ``min_band_size``
    rows *and* the evidence of ``min_band_events`` rows of the rarer outcome (held, or
    expected at the overall rate): bands are judged by their evidence, not their share of
    rows, so a value held by 3% of rows with a tenfold rate keeps its own band, and a
    thin band is merged with its closest neighbour. Categorical levels without that
    support are pooled in an ``other`` band, bool features have a ``no`` and a ``yes``
    band, and every feature has a ``missing`` band. A penalised logistic regression on
    the one-hot bands gives log-odds per band; within each feature the lowest-risk band
    is the reference (0 points) and the others are scaled and rounded to integer points,
    as many as the strongest band needs to say how strong it is: with
    ``max_points="auto"`` the fewest points for the strongest band (5 to 100) at which
    no training row's risk moves by more than 0.01 against the exact log-odds
    (``rounding_report_`` says what the rounding cost). The total points map to a
    probability through a logistic curve with two parameters fitted on cross-fitted
    (out-of-fold) scores, so probabilities are calibrated out of sample.

    ``C="auto"`` and ``min_band_size="auto"`` (the defaults) choose the penalty and the
    band size inside :meth:`fit` by cross-validated log-loss, as
    :class:`~sklearn.linear_model.LogisticRegressionCV` does: the bands are refitted
    inside every fold, folds are grouped by ``groups`` when given (a pupil seen at
    several censuses never sits on both sides of a fold), and the search is
    deterministic per ``random_state``. A number fixes the setting.

    Monotone constraints (``monotone={feature: +1 or -1}``) are enforced on the ordered
    bands (the missing band is exempt): adjacent bands whose log-odds break the direction
    are merged and the regression refitted until none do.

    Unseen categories at predict time fall in the ``other`` band; missing values in the
    ``missing`` band. A band with no training rows (the ``other`` band when every
    category had its own band, ``missing`` when nothing was missing) carries no
    information and scores the feature's training-average log-odds (rounded to points),
    never the lowest band; the card's ``basis`` column says so.

    Parameters
    ----------
    max_bands : int, default=5
        Most ordered bands per numeric feature (the missing band not counted).
    min_band_size : "auto", float or int, default="auto"
        Fewest training rows per band: a fraction of rows if a float below 1, else a count.
        Categorical levels with fewer rows go to the ``other`` band. ``"auto"`` chooses
        from ``SIZE_GRID`` (5%, 2% and 0.5% of rows) by cross-validation.
    min_band_events : int, default=5
        Fewest rows of the rarer outcome a band must hold, or be expected to hold at the
        overall rate, to stand on its own. 0 judges bands by rows only.
    monotone : dict or None, default=None
        ``{feature: +1 | -1 | 0}``: +1 means a higher value never lowers the points.
    max_points : "auto" or int, default="auto"
        Most points any single band can add. ``"auto"`` gives the strongest band the
        fewest points (from 5 up to 100) at which no training row's risk from the integer
        points differs by more than 0.01 from its risk from the exact log-odds (each
        score recalibrated in sample; when none does, the one with the smallest training
        log-loss); an int caps it
        (the scale with the smallest training log-loss for a strongest band of half the
        cap up to the cap is kept). Until issue 13 the default was 10, which clipped the
        resolution of the strongest bands on real data.
    C : "auto" or float, default="auto"
        Inverse strength of the L2 penalty of the logistic regression. ``"auto"`` chooses
        from ``C_GRID`` (0.03, 0.1, 0.3, 1) by cross-validation.
    n_splits : int, default=5
        Folds of the cross-validation that chooses the settings and of the
        cross-fitting that calibrates the probabilities (the same folds).
    feature_labels : dict or None, default=None
        ``{feature: "plain English name"}`` used when printing and in reasons.
    value_formats : dict or None, default=None
        ``{feature: format string}`` for the cut points of numeric features in band
        labels, e.g. ``{"absence": "{:.0%}"}`` shows "10% to < 20%" rather than
        "0.1 to < 0.2". Only the text changes.
    random_state : int, RandomState or None, default=None
        Seeds the folds of the cross-fitting.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The class labels; ``classes_[1]`` is the outcome scored.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input with string column names only).
    bands_ : list of dict
        Band definitions per feature (cut points, category levels, labels).
    band_points_ : list of ndarray of int
        Points per band, in the order of ``bands_[j]["labels"]``.
    band_coef_ : list of ndarray
        Unrounded log-odds per band relative to the reference band.
    band_counts_, band_rates_ : list of ndarray
        Training rows and outcome rate per band.
    scale_ : float
        Points per unit of log-odds used for rounding.
    intercept_ : float
        Base score in points: ``decision_function = intercept_ + total points``.
    slope_ : float
        Log-odds per point: ``predict_proba[:, 1] = 1 / (1 + exp(-slope_ * decision))``.
    proba_intercept_ : float
        ``slope_ * intercept_``, the log-odds at 0 points.
    rounding_loss_ : float
        Training log-loss of the rounded score minus that of the unrounded logistic
        regression's score, each with its own refitted intercept and slope.
    rounding_report_ : dict
        What the integer points cost on the training rows: ``auc_exact`` and
        ``auc_points`` (AUC of the exact log-odds score and of the integer total),
        ``log_loss_exact`` and ``log_loss_points`` (each recalibrated in sample),
        ``max_proba_diff`` (largest per-row difference between the two probabilities)
        and ``max_points`` (points of the strongest band).
    scorecard_ : DataFrame
        The card, one row per band: feature, label, band, points, n, rate, basis.
    points_ : Series
        Points indexed by (feature, band).
    n_splits_ : int
        Folds actually used for the cross-fitted calibration (0 when fitted in sample).
    C_ : float
        The penalty used (chosen when ``C="auto"``).
    min_band_size_ : float or int
        The band size used (chosen when ``min_band_size="auto"``).
    cv_results_ : dict of ndarray
        ``min_band_size``, ``C`` and ``mean_log_loss`` (out-of-fold) of every candidate
        searched; empty arrays when there were too few outcomes to cross-validate.

    See Also
    --------
    BoostedRiskModel : the gradient-boosted challenger.
    apply_json : score with the exported card, without this class.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from screening.models import RiskScorecard
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"absence": rng.uniform(0, 0.4, 400),
    ...                   "sen": rng.choice(["none", "K", "E"], 400)})
    >>> y = (rng.uniform(size=400) < 0.1 + X["absence"]).astype(int)
    >>> card = RiskScorecard(monotone={"absence": 1}, random_state=0).fit(X, y)
    >>> list(card.scorecard_.columns)
    ['feature', 'label', 'band', 'points', 'n', 'rate', 'basis']
    >>> card.C_ in card.cv_results_["C"]
    True
    >>> parts = card.explain(X)
    >>> bool(np.allclose(parts.sum(axis=1) + card.intercept_, card.decision_function(X)))
    True
    """

    def __init__(self, *, max_bands: int = 5, min_band_size: float | str = "auto",
                 min_band_events: int = 5, monotone: Mapping[str, int] | None = None,
                 max_points: int | str = "auto", C: float | str = "auto", n_splits: int = 5,
                 feature_labels: Mapping[str, str] | None = None,
                 value_formats: Mapping[str, str] | None = None,
                 random_state: int | np.random.RandomState | None = None) -> None:
        self.max_bands = max_bands
        self.min_band_size = min_band_size
        self.min_band_events = min_band_events
        self.monotone = monotone
        self.max_points = max_points
        self.C = C
        self.n_splits = n_splits
        self.feature_labels = feature_labels
        self.value_formats = value_formats
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.classifier_tags.multi_class = False
        return tags

    # ----------------------------------------------------------------- validation
    def _check_params(self):
        def bad(name, allowed, fix):
            raise ValueError(_PARAM.format(name, allowed, getattr(self, name), fix))

        def is_int(v):
            return isinstance(v, numbers.Integral) and not isinstance(v, bool)

        if not is_int(self.max_bands) or self.max_bands < 2:
            bad("max_bands", "an int >= 2", "Use for example max_bands=5.")
        size = self.min_band_size
        if not (isinstance(size, str) and size == "auto") and (
                isinstance(size, bool) or not isinstance(size, numbers.Real) or not (
                    (is_int(size) and size >= 1) or (0 < size < 1))):
            bad("min_band_size", "'auto', a fraction in (0, 1) or a whole number of rows >= 1",
                "Use 'auto' (chosen by cross-validation) or for example 0.05 (5% of rows).")
        if not is_int(self.min_band_events) or self.min_band_events < 0:
            bad("min_band_events", "an int >= 0",
                "Use for example min_band_events=5 (0 judges bands by rows only).")
        points = self.max_points
        if not (isinstance(points, str) and points == "auto") and (
                not is_int(points) or int(points) < 1):
            bad("max_points", "'auto' or an int >= 1",
                "Use 'auto' (as many points as the strongest band needs) or "
                "max_points=1 for a yes/no checklist.")
        if not (isinstance(self.C, str) and self.C == "auto") and (
                isinstance(self.C, bool) or not isinstance(self.C, numbers.Real)
                or not self.C > 0):
            bad("C", "'auto' or a float > 0",
                "Use 'auto' (chosen by cross-validation) or for example C=1.0 (larger "
                "means less penalty).")
        if not is_int(self.n_splits) or self.n_splits < 2:
            bad("n_splits", "an int >= 2", "Use for example n_splits=5.")
        for name in ("monotone", "feature_labels", "value_formats"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), dict):
                bad(name, "a dict keyed by feature name, or None",
                    "For example {'absence': 1}.")
        for key, value in (self.monotone or {}).items():
            if value not in (-1, 0, 1):
                raise ValueError(_PARAM.format(
                    "monotone", "a dict of directions -1, 0 or +1", {key: value},
                    "Use +1 when a higher value never lowers the risk."))

    def _check_y(self, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type != "binary":
            raise ValueError(_ONLY_BINARY.format(y_type))
        classes, y_int = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(_ONE_CLASS.format(classes[0]))
        return classes, y_int.astype(np.float64)

    def _columns_fit(self, X, y):
        if _is_frame(X):
            X, y = validate_data(self, X, y, skip_check_array=True)
            if X.shape[0] == 0:
                raise ValueError(_NO_ROWS.format(X.shape))
            if X.shape[1] == 0:
                raise ValueError(_NO_COLUMNS.format(X.shape))
            check_consistent_length(X, y)
            names = [str(c) for c in X.columns]
            columns = [X.iloc[:, j] for j in range(X.shape[1])]
            kinds = [column_kind(c) for c in columns]
        else:
            X, y = validate_data(self, X, y, dtype=np.float64, ensure_all_finite="allow-nan")
            names = [f"x{j}" for j in range(X.shape[1])]
            columns = [X[:, j] for j in range(X.shape[1])]
            kinds = ["numeric"] * X.shape[1]
        return columns, kinds, names, y

    def _encode(self, X):
        """Integer band codes (n, p) and the row index of X."""
        columns, index = self._columns(X)
        # column-major: each feature's codes are written (and read by total_points) as
        # one contiguous run, not one element every p
        codes = np.empty((len(index), len(self.bands_)), dtype=np.intp, order="F")
        for j, (spec, col) in enumerate(zip(self.bands_, columns)):
            codes[:, j] = encode(spec, col)
        return codes, index

    def _columns(self, X):
        """The checked columns of X (one per band spec) and its row index."""
        check_is_fitted(self)
        if _is_frame(X):
            validate_data(self, X, reset=False, skip_check_array=True)
            columns = [X.iloc[:, j] for j in range(X.shape[1])]
            index = X.index
        else:
            numeric = all(s["kind"] != "categorical" for s in self.bands_)
            X = validate_data(self, X, reset=False,
                              dtype=np.float64 if numeric else None,
                              ensure_all_finite="allow-nan" if numeric else False)
            columns = [X[:, j] for j in range(X.shape[1])]
            index = pd.RangeIndex(X.shape[0])
        return columns, index

    # ----------------------------------------------------------------------- fit
    def fit(self, X: pd.DataFrame | ArrayLike, y: ArrayLike,
            groups: ArrayLike | None = None) -> Self:
        """Learn bands, points and the calibrated score-to-probability map.

        With ``C="auto"`` or ``min_band_size="auto"`` the settings are chosen here, as
        :class:`sklearn.linear_model.LogisticRegressionCV` chooses its penalty: every
        candidate is fitted on ``n_splits - 1`` folds (bands included, so no band is ever
        learned on the rows it is scored on) and scored by the log-loss of the held-out
        fold; the candidate with the smallest mean log-loss is refitted on all rows. The
        out-of-fold scores of the chosen candidate also calibrate the probabilities.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Numeric, bool, categorical or string columns; NaN allowed.
        y : array-like of shape (n_samples,)
            Binary outcome.
        groups : array-like of shape (n_samples,), optional
            Group labels for the folds (for example the pupil's id when a pupil appears
            at several census dates): a group's rows are never split between the
            training and the held-out part of a fold.

        Returns
        -------
        self : RiskScorecard
            The fitted scorecard.
        """
        self._check_params()
        columns, kinds, names, y = self._columns_fit(X, y)
        classes, y = self._check_y(y)
        if groups is not None:
            groups = np.asarray(groups)
            if len(groups) != len(y):
                raise ValueError(_GROUPS_LENGTH.format(len(groups), len(y)))
        for param in ("monotone", "feature_labels", "value_formats"):
            unknown = sorted(set(getattr(self, param) or {}) - set(names))
            if unknown:
                raise ValueError(_UNKNOWN_FEATURE.format(param, unknown, names))
        monotone = {k: int(v) for k, v in (self.monotone or {}).items() if v}
        for name, kind in zip(names, kinds):
            if kind == "categorical" and name in monotone:
                raise ValueError(_MONOTONE_CATEGORICAL.format(name, monotone[name]))
        seed = self.random_state
        if isinstance(seed, np.random.RandomState):
            seed = seed.randint(np.iinfo(np.int32).max)
        shared = dict(max_bands=self.max_bands, monotone=monotone,
                      min_events=int(self.min_band_events), random_state=seed)
        n = len(y)
        c_grid = C_GRID if self.C == "auto" else (float(self.C),)
        size_grid = SIZE_GRID if self.min_band_size == "auto" else (self.min_band_size,)

        def take(rows):
            return [c.iloc[rows] if isinstance(c, pd.Series) else c[rows] for c in columns]

        def codes_of(card, cols):
            return np.column_stack([encode(s, c) for s, c in zip(card["specs"], cols)])

        n_splits = min(self.n_splits, int(np.bincount(y.astype(int)).min()))
        if groups is not None:
            n_splits = min(n_splits, len(np.unique(groups)))
        results = []
        if n_splits >= 2:
            if groups is None:
                splits = StratifiedKFold(n_splits=n_splits, shuffle=True,
                                         random_state=seed).split(np.zeros(n), y)
            else:
                splits = grouped_folds(y, groups, n_splits, seed)
            z = {(size, c): np.empty(n) for size in size_grid for c in c_grid}
            for train, test in splits:
                cols_train, cols_test = take(train), take(test)
                for size in size_grid:
                    specs = fit_specs(cols_train, kinds, names, y[train],
                                      min_count=min_count_from(size, len(train)),
                                      **shared)
                    init = None
                    for c in sorted(c_grid):  # warm starts from the stronger penalty
                        card = fit_card(cols_train, kinds, names, y[train], specs=specs,
                                        min_count=0, max_points=self.max_points, C=c,
                                        init=init, **shared)
                        init = card["first_fit"]
                        z[size, c][test] = card["a0"] + card["b0"] * total_points(
                            card, codes_of(card, cols_test))
            for (size, c), scores in z.items():
                results.append({"min_band_size": size, "C": c,
                                "mean_log_loss": log_loss(y, sigmoid(scores))})
            best = min(range(len(results)), key=lambda i: results[i]["mean_log_loss"])
            size, c = results[best]["min_band_size"], results[best]["C"]
            a, b = fit_logistic_1d(z[size, c], y)
        else:
            warnings.warn(_FEW_FOR_CV.format(int(np.bincount(y.astype(int)).min()),
                                             self.n_splits), UserWarning, stacklevel=2)
            n_splits, a, b = 0, 0.0, 1.0
            size = SIZE_FALLBACK if self.min_band_size == "auto" else self.min_band_size
            c = C_FALLBACK if self.C == "auto" else float(self.C)
        card = fit_card(columns, kinds, names, y, min_count=min_count_from(size, n),
                        max_points=self.max_points, C=c, report=True, **shared)
        proba_intercept, slope = a + b * card["a0"], b * card["b0"]
        if not slope > 1e-6:
            rate = np.clip(y.mean(), 1e-6, 1 - 1e-6)
            proba_intercept, slope = float(np.log(rate / (1 - rate))), 1e-6

        formats = self.value_formats or {}
        for spec in card["specs"]:
            if spec["kind"] == "numeric" and spec["name"] in formats:
                spec["labels"] = numeric_labels(spec["cuts"], "numeric", formats[spec["name"]])
        self.classes_ = classes
        self.bands_ = card["specs"]
        self.band_points_ = card["points"]
        self.band_coef_ = card["coef"]
        self.band_counts_ = card["counts"]
        self.band_rates_ = card["rates"]
        self.scale_ = float(card["scale"])
        self.proba_intercept_ = float(proba_intercept)
        self.slope_ = float(slope)
        self.intercept_ = self.proba_intercept_ / self.slope_
        self.rounding_loss_ = float(card["rounding_loss"])
        self.rounding_report_ = {k: (int(v) if k == "max_points" else float(v))
                                 for k, v in card["rounding_report"].items()}
        self.n_splits_ = n_splits
        self.C_ = float(c)
        self.min_band_size_ = size
        self.cv_results_ = {key: np.array([r[key] for r in results], dtype=np.float64)
                            for key in ("min_band_size", "C", "mean_log_loss")}
        return self

    # ------------------------------------------------------------------- predict
    def _labels(self):
        labels = self.feature_labels or {}
        return [labels.get(s["name"], s["name"]) for s in self.bands_]

    def score_points(self, X: pd.DataFrame | ArrayLike) -> np.ndarray:
        """Integer total points per row (without the base score ``intercept_``)."""
        codes, _ = self._encode(X)
        return total_points({"points": self.band_points_}, codes)

    def decision_function(self, X: pd.DataFrame | ArrayLike) -> np.ndarray:
        """Total score: ``intercept_`` plus the points of every feature's band.

        ``decision_function(X) > 0`` exactly when the predicted risk exceeds 0.5.
        """
        return self.score_points(X) + self.intercept_

    def predict_proba(self, X: pd.DataFrame | ArrayLike) -> np.ndarray:
        """Calibrated probabilities, a monotone map of the total points.

        ``p = 1 / (1 + exp(-(proba_intercept_ + slope_ * points)))``.
        """
        points = self.score_points(X)
        p = sigmoid(self.proba_intercept_ + self.slope_ * points)
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame | ArrayLike) -> np.ndarray:
        """Class with the larger probability (the outcome when the risk exceeds 0.5)."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(int)]

    # ------------------------------------------------------------------- reading
    @property
    def scorecard_(self) -> pd.DataFrame:
        """DataFrame, one row per band: feature, label, band, points, n, rate, basis."""
        check_is_fitted(self)
        return scorecard_frame(self)

    @property
    def points_(self) -> pd.Series:
        """Series of points indexed by (feature, band)."""
        card = self.scorecard_
        return card.set_index(["feature", "band"])["points"]

    def explain(self, X: pd.DataFrame | ArrayLike) -> pd.DataFrame:
        """Points each feature adds to each row's score.

        Returns
        -------
        DataFrame
            One column per feature, index as X (a RangeIndex for arrays);
            ``explain(X).sum(axis=1) + intercept_ == decision_function(X)`` exactly.
        """
        columns, index = self._columns(X)
        names = [s["name"] for s in self.bands_]
        # one feature at a time into a (features, rows) array: each row of it is one
        # contiguous gather from that feature's few points, and its transpose is the
        # column-major layout pandas keeps, so the frame is built without another copy
        out = np.empty((len(self.bands_), len(index)), dtype=np.float64)
        for j, (spec, col, pts) in enumerate(zip(self.bands_, columns, self.band_points_)):
            np.take(np.asarray(pts, dtype=np.float64), encode(spec, col), out=out[j])
        return pd.DataFrame(out.T, index=index, columns=names, copy=False)

    def reasons(self, X: pd.DataFrame | ArrayLike, k: int = 3, *,
                relative_to: Literal["typical", "zero"] = "typical") -> pd.DataFrame:
        """Plain-English reasons: the ``k`` bands adding the most points to each row.

        Parameters
        ----------
        X : DataFrame
        k : int, default=3
        relative_to : {"typical", "zero"}, default="typical"
            ``"typical"`` ranks features by the points they add above the average
            training row's points for that feature, and shows only those above it, so a
            reason says what is different about this row (a band most rows share is not
            a reason). ``"zero"`` ranks by the points themselves.

        Returns
        -------
        DataFrame
            Columns ``reason_1`` .. ``reason_k``, for example
            ``"Absence last 12 months: 16% to under 25% (+3 points)"`` (the band's own
            points), ranked by those points (a reason never shows fewer points than the
            next); an empty string where a row has fewer than ``k`` such bands. Ties
            keep card order.
        """
        if relative_to not in ("typical", "zero"):
            raise ValueError(f"relative_to must be 'typical' or 'zero', got {relative_to!r}.")
        check_is_fitted(self)
        codes, index = self._encode(X)
        baseline = (typical_points(self.band_points_, self.band_counts_)
                    if relative_to == "typical" else None)
        return top_reasons(self.band_points_, self.bands_, self._labels(), codes, k, index,
                           baseline=baseline)

    def _reason_codes(self, X: pd.DataFrame | ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Every reason of each row as a code into the distinct reason texts.

        ``reasons(X, k=<number of features>)`` without a text per row and feature:
        returns ``(codes, texts)``, ``codes`` of shape (n, features) in reason order
        with -1 where a row has no more reasons, ``texts[codes]`` the reasons (equal
        texts share a code).
        """
        check_is_fitted(self)
        codes, _ = self._encode(X)
        baseline = typical_points(self.band_points_, self.band_counts_)
        chosen, blank = top_reason_bands(self.band_points_, codes, len(self.bands_), baseline)
        of_band, texts = pd.factorize(reason_texts(self.band_points_, self.bands_,
                                                   self._labels()))
        out = np.asarray(of_band, dtype=np.intp)[chosen]
        out[blank] = -1
        return out, np.asarray(texts, dtype=object)

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The portable scorecard as a JSON string (see ``models/SCORECARD_JSON.md``).

        Parameters
        ----------
        path : str or Path, optional
            Also write the JSON to this file.
        """
        from ._export import to_json

        return to_json(self, path)

    def __str__(self):
        try:
            check_is_fitted(self)
        except ValueError:
            return repr(self)
        return scorecard_text(self)

    def _repr_mimebundle_(self, **kwargs):
        """Notebooks show the fitted card (the estimator diagram before fitting)."""
        try:
            check_is_fitted(self)
        except ValueError:
            return super()._repr_mimebundle_(**kwargs)
        return {"text/plain": repr(self), "text/html": scorecard_html(self)}

    def _repr_html_(self):
        try:
            check_is_fitted(self)
        except ValueError:
            return f"<pre>{html.escape(repr(self))}</pre>"
        return scorecard_html(self)
