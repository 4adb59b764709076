"""The Screener: learn from past censuses, screen today's cohort, evaluate honestly.

It wires the three engines together and holds no statistics of its own:
records -> ``features.build`` -> ``models.RiskScorecard`` -> ``audits.audit``.
"""

from __future__ import annotations

import numbers
import warnings
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from screening import audits, features, models
from screening.models import (
    distribution_profile,
    profile_shift,
    reliability_table,
    score_metrics,
)

from ._progress import progress
from ._result import Backtest, Evaluation, ScreeningResult

_TARGETS = ("suspension", "permanent")
_DEFAULT_AUDIT_GROUPS = ("sex", "fsm", "sen", "ethnicity", "eal")

_BAD_TARGET = "target must be one of {allowed}; got {got!r}."
_BAD_CAPACITY = (
    "capacity must be a fraction of the cohort (0 < capacity < 1) or a whole number of "
    "pupils (>= 1); got {got!r}. For a probability cut-off pass threshold= instead."
)
_BAD_THRESHOLD = "threshold must be a probability in (0, 1); got {got!r}."
_INCOMPLETE_WINDOW = (
    "Cannot {action} on census {as_of}: its {horizon}-month outcome window runs to {end} but "
    "the records end on {data_end}. Use census dates whose window is complete (on or before "
    "{latest}), or supply records extracted later."
)
_NO_CENSUS = "fit needs at least one census date in as_of; got none."
_NOT_FITTED = "This Screener is not fitted yet. Call fit(records, as_of=[...]) first."
_EMPTY_COHORT = (
    "The cohort at {as_of} is empty: no pupil in year groups {years} is on roll. Check the "
    "census date and the enrolments table."
)
_ONE_CLASS = (
    "The training outcomes at {dates} are all {value}: a risk model needs both pupils with "
    "and without the outcome. Add more census dates or use a larger local authority."
)
#: How band edges of each feature-dictionary unit read in reasons ("10% to < 20%").
_UNIT_FORMATS = {
    "fraction of sessions": "{:.1%}",
    "fraction of months": "{:.0%}",
    "per 100 pupils": "{:.1f}",
    "days": "{:.0f}",
    "months": "{:.0f}",
    "whole months": "{:.0f}",
}
#: PSI above which a feature may be reported as drifted.
DRIFT_PSI_WARN = 0.25
#: ... and, for numeric features, the shift in mean (in reference standard deviations)
#: that must come with it. PSI alone over-reacts to lumpy features such as a school-level
#: rate, whose few distinct values move between deciles every year.
DRIFT_SMD_WARN = 0.2


class DriftWarning(UserWarning):
    """The screened cohort differs a lot from the data the model was trained on."""


def _as_dates(as_of) -> list[pd.Timestamp]:
    if isinstance(as_of, (str, pd.Timestamp, datetime)) or not hasattr(as_of, "__iter__"):
        as_of = [as_of]
    return [pd.Timestamp(d).normalize() for d in as_of]


class Screener:
    """Fit on past censuses, screen the current cohort, and audit every score.

    Parameters
    ----------
    target : {"suspension", "permanent"}, default="suspension"
        The outcome: at least one suspension (or permanent exclusion), or a permanent
        exclusion only, starting in the horizon after the census date.
    horizon_months : int, default=12
        Length of the outcome window.
    year_groups : tuple of int, default=(5, 6, 7)
        Year groups screened.
    capacity : float or int, default=0.05
        How many pupils the available support can reach: a fraction of the cohort
        (0 < capacity < 1) or a whole number of pupils. Ignored when ``threshold`` is set.
        The highest-risk pupils are flagged; ties in risk are broken by UPN (ascending),
        so the same records always give the same flags.
    threshold : float, optional
        Flag every pupil whose risk is at least this probability, instead of a capacity.
    audit_groups : tuple of str
        Pupil columns (``sex``, ``fsm``, ``ethnicity``, ``eal``, ``looked_after`` or any
        extra column) or statuses derived at the census (``sen``, ``year_group``,
        ``school``) to audit. Ethnicity is also audited by its major group.
    exclude_features : tuple of str, default=()
        Feature-dictionary features the model must not use, for example
        ``("school_suspension_rate_12m",)`` to score pupils without their school's
        past practice (see the dictionary's fairness notes).
    model : estimator, optional
        A classifier with ``fit``/``predict_proba``; by default a
        :class:`models.RiskScorecard` whose monotone directions and reason labels come
        from the feature dictionary. A model without ``reasons`` gives empty reasons.
    min_cell : int, default=10
        Audit groups smaller than this are suppressed.
    n_boot : int, default=1000
        Bootstrap resamples for the audit's intervals. The breakdowns by year group and
        school (``audit.by_control``) show rates and ratios without intervals: most of
        their cells are small and suppressed, and resampling them costs more than the
        whole of the rest of a screen.
    random_state : int, default=0

    Attributes
    ----------
    model_ : estimator
        The fitted model.
    feature_names_ : list of str
    training_ : dict
        Census dates, pupils, outcome rate and fit time of the training data.
    reference_ : dict
        Per feature, a summary of its training distribution (decile edges and shares,
        mean, standard deviation) for the drift check. No pupil's row is kept.

    Examples
    --------
    >>> import screening
    >>> la = screening.datasets.make_local_authority(n_pupils=6_000, seed=1)
    >>> d = la.census_dates
    >>> scr = screening.Screener(n_boot=50).fit(la.records, as_of=d[-3:-1])
    >>> result = scr.screen(la.records, as_of=d[-1])
    >>> int(result.scores["flagged"].sum()) > 0
    True
    """

    def __init__(
        self,
        *,
        target="suspension",
        horizon_months=12,
        year_groups=(5, 6, 7),
        capacity=0.05,
        threshold=None,
        audit_groups=_DEFAULT_AUDIT_GROUPS,
        exclude_features=(),
        model=None,
        min_cell=10,
        n_boot=1000,
        random_state=0,
    ):
        self.target = target
        self.horizon_months = horizon_months
        self.year_groups = year_groups
        self.capacity = capacity
        self.threshold = threshold
        self.audit_groups = audit_groups
        self.exclude_features = exclude_features
        self.model = model
        self.min_cell = min_cell
        self.n_boot = n_boot
        self.random_state = random_state

    # ------------------------------------------------------------------ checks
    def _check_params(self):
        if self.target not in _TARGETS:
            raise ValueError(_BAD_TARGET.format(allowed=list(_TARGETS), got=self.target))
        if self.threshold is not None:
            if not (isinstance(self.threshold, numbers.Real) and 0 < self.threshold < 1):
                raise ValueError(_BAD_THRESHOLD.format(got=self.threshold))
        else:
            c = self.capacity
            ok = isinstance(c, numbers.Real) and not isinstance(c, bool) and (
                (0 < c < 1) or (c >= 1 and float(c).is_integer())
            )
            if not ok:
                raise ValueError(_BAD_CAPACITY.format(got=c))

    def _check_window(self, records, as_of, action):
        if not features.outcome_window_complete(records, as_of, self.horizon_months):
            end = as_of + pd.DateOffset(months=self.horizon_months)
            data_end = pd.Timestamp(records.data_end)
            latest = data_end - pd.DateOffset(months=self.horizon_months)
            raise ValueError(
                _INCOMPLETE_WINDOW.format(
                    action=action, as_of=as_of.date(), horizon=self.horizon_months,
                    end=end.date(), data_end=data_end.date(), latest=latest.date(),
                )
            )

    def _check_fitted(self):
        if not hasattr(self, "model_"):
            raise RuntimeError(_NOT_FITTED)

    # ------------------------------------------------------------------ pieces
    def _features(self, records, as_of):
        X = features.build(records, as_of=as_of, year_groups=tuple(self.year_groups))
        if len(X) == 0:
            raise ValueError(_EMPTY_COHORT.format(as_of=as_of.date(), years=self.year_groups))
        return X

    def _label(self, records, as_of):
        return features.label(
            records, as_of=as_of, horizon_months=self.horizon_months, target=self.target,
            year_groups=tuple(self.year_groups),
        )

    def _default_model(self, dictionary):
        monotone = {
            f: int(d) for f, d, k in zip(dictionary["feature"], dictionary["direction"],
                                         dictionary["kind"])
            if k != "categorical" and int(d) != 0
        }
        labels = dict(zip(dictionary["feature"], dictionary["label"]))
        formats = {f: _UNIT_FORMATS[u] for f, u, k in zip(
            dictionary["feature"], dictionary["unit"], dictionary["kind"])
            if k == "numeric" and u in _UNIT_FORMATS}
        return models.RiskScorecard(
            monotone=monotone, feature_labels=labels, value_formats=formats,
            random_state=self.random_state,
        )

    def _flags(self, upn, risk):
        if self.threshold is not None:
            return audits.flag_top(risk, threshold=self.threshold, tiebreak=upn)
        return audits.flag_top(risk, capacity=self.capacity, tiebreak=upn)

    # ------------------------------------------------------------------ fit
    def fit(self, records, as_of):
        """Learn from the cohorts at past census dates and their outcomes.

        Parameters
        ----------
        records : Records
        as_of : date-like or list of date-like
            Training census dates. Each must have its whole outcome window inside the
            records; otherwise a ``ValueError`` says which and why.

        Returns
        -------
        self : Screener
        """
        self._check_params()
        dates = _as_dates(as_of)
        if not dates:
            raise ValueError(_NO_CENSUS)
        for d in dates:
            self._check_window(records, d, "fit")
        dictionary = features.describe()
        unknown = sorted(set(self.exclude_features) - set(dictionary["feature"]))
        if unknown:
            raise ValueError(
                f"exclude_features names {unknown}, which are not features. The features "
                f"are: {list(dictionary['feature'])} (see features.describe())."
            )
        dictionary = dictionary[~dictionary["feature"].isin(self.exclude_features)]
        names = list(dictionary["feature"])
        Xs, ys = [], []
        for d in progress(dates, desc="Building training features", unit="census"):
            X = self._features(records, d)
            Xs.append(X[names])
            ys.append(self._label(records, d).reindex(X.index))
        X = pd.concat(Xs, ignore_index=True)
        y = pd.concat(ys, ignore_index=True).astype(int)
        if y.nunique() < 2:
            raise ValueError(
                _ONE_CLASS.format(dates=[str(d.date()) for d in dates], value=int(y.iloc[0]))
            )
        model = self.model if self.model is not None else self._default_model(dictionary)
        from sklearn.base import clone

        self.model_ = clone(model).fit(X, y)
        self.feature_names_ = names
        self.feature_labels_ = dict(zip(dictionary["feature"], dictionary["label"]))
        self.reference_ = {c: distribution_profile(X[c]) for c in names}
        self.training_ = {
            "census_dates": [str(d.date()) for d in dates],
            "n_pupils": int(len(y)),
            "n_outcomes": int(y.sum()),
            "outcome_rate": float(y.mean()),
            "target": self.target,
            "horizon_months": int(self.horizon_months),
            "year_groups": [int(g) for g in self.year_groups],
            "fitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        return self

    # ------------------------------------------------------------------ score
    def _score(self, records, as_of):
        X = self._features(records, as_of)
        Xm = X[self.feature_names_]
        risk = self.model_.predict_proba(Xm)[:, 1]
        upn = X.index.to_numpy().astype(str)
        flagged = self._flags(upn, risk)
        scores = pd.DataFrame(
            {
                "upn": upn,
                "school": X["school"].to_numpy(),
                "year_group": X["year_group"].to_numpy(),
                "risk": risk,
                "flagged": flagged,
            }
        )
        scores["rank"] = (
            pd.Series(-risk).rank(method="first").astype(int).to_numpy()
            if len(risk) else []
        )
        if hasattr(self.model_, "reasons"):
            reasons = self.model_.reasons(Xm, k=3).reset_index(drop=True)
            for i in range(1, 4):
                col = f"reason_{i}"
                scores[col] = reasons[col].fillna("").to_numpy() if col in reasons else ""
        else:
            for i in range(1, 4):
                scores[f"reason_{i}"] = ""
        if hasattr(self.model_, "decision_function"):
            scores["points"] = np.asarray(self.model_.decision_function(Xm), dtype=float)
        limited = (
            X["attendance_missing"].astype(bool).to_numpy()
            if "attendance_missing" in X else np.zeros(len(X), bool)
        )
        bad = ~np.isfinite(risk)
        scores["status"] = np.where(
            bad, "not scored: the model returned no probability",
            np.where(limited, "scored: no attendance history before the census", "scored"),
        )
        return X, scores

    def _attributes(self, records, as_of, index):
        attrs = features.audit_attributes(
            records, as_of=as_of, year_groups=tuple(self.year_groups)
        ).reindex(index)
        return attrs

    def _audit_frame(self, records, as_of, scores, outcome=None):
        attrs = self._attributes(records, as_of, pd.Index(scores["upn"], name="upn"))
        frame = attrs.reset_index(drop=True)
        for c in ("risk", "flagged", "school", "year_group"):
            frame[c] = scores[c].to_numpy()
        groups = []
        for g in self.audit_groups:
            if g not in frame.columns:
                raise ValueError(
                    f"audit group {g!r} is neither a pupil column nor a derived status "
                    f"(available: {sorted(frame.columns)}). Remove it from audit_groups or "
                    "add the column to the pupils table."
                )
            groups.append(g)
            if g == "ethnicity" and "ethnicity_major" in frame.columns:
                groups.append("ethnicity_major")
        if outcome is not None:
            frame["outcome"] = np.asarray(outcome, dtype=int)
        controls = [c for c in ("year_group", "school") if c not in groups]
        rep = audits.audit(
            frame, groups=groups, flag="flagged", score="risk",
            outcome="outcome" if outcome is not None else None,
            min_cell=self.min_cell, n_boot=self.n_boot, random_state=self.random_state,
            controls=controls, control_n_boot=0,
        )
        return rep

    def _drift(self, X):
        rows = []
        for c in self.feature_names_:
            psi, smd = profile_shift(self.reference_[c], X[c])
            rows.append({"feature": c, "label": self.feature_labels_.get(c, c),
                         "psi": psi, "smd": smd})
        drift = pd.DataFrame(rows, columns=["feature", "label", "psi", "smd"])
        drift["shifted"] = (drift["psi"] > DRIFT_PSI_WARN) & (
            drift["smd"].isna() | (drift["smd"].abs() > DRIFT_SMD_WARN))
        big = drift[drift["shifted"]]
        if len(big):
            names = ", ".join(f"{r.label} (PSI {r.psi:.2f}, mean shift {r.smd:+.2f} SD)"
                              for r in big.itertuples())
            warnings.warn(
                f"The screened cohort differs a lot from the training data on {len(big)} "
                f"feature(s): {names}. Scores may be less reliable; check recording practice "
                "for these measures, or refit on more recent census dates.",
                DriftWarning,
                stacklevel=3,
            )
        return drift

    def screen(self, records, as_of):
        """Score every pupil in the cohort at ``as_of``, with reasons, flags and the audit.

        Parameters
        ----------
        records : Records
        as_of : date-like
            Today's census date. Only records dated before it are used.

        Returns
        -------
        ScreeningResult
        """
        self._check_fitted()
        self._check_params()
        as_of = _as_dates(as_of)[0]
        X, scores = self._score(records, as_of)
        drift = self._drift(X)
        audit = self._audit_frame(records, as_of, scores)
        return ScreeningResult(
            as_of=as_of, scores=scores, audit=audit, drift=drift, screener=self,
            warnings=getattr(records, "warnings", None),
        )

    # ------------------------------------------------------------------ evaluate
    def evaluate(self, records, as_of):
        """Judge the fitted screen on a later census whose outcomes are known.

        Returns
        -------
        Evaluation
            ``metrics`` (auc, average_precision, brier, calibration_error,
            precision_at_capacity, recall_at_capacity, n, base_rate), the audit with
            error rates by group, and the calibration table.
        """
        self._check_fitted()
        self._check_params()
        as_of = _as_dates(as_of)[0]
        self._check_window(records, as_of, "evaluate")
        trained = [pd.Timestamp(d) for d in self.training_["census_dates"]]
        if any(d >= as_of for d in trained):
            warnings.warn(
                f"Evaluating on {as_of.date()} although the model was trained on census "
                f"dates up to {max(trained).date()}: the evaluation is not out of time and "
                "will look better than the screen really is. Evaluate on a later census.",
                UserWarning,
                stacklevel=2,
            )
        X, scores = self._score(records, as_of)
        y = self._label(records, as_of).reindex(X.index).astype(int).to_numpy()
        scores["outcome"] = y
        metrics = score_metrics(y, scores["risk"], scores["flagged"])
        audit = self._audit_frame(records, as_of, scores, outcome=y)
        self.evaluation_ = Evaluation(
            as_of=as_of, metrics=metrics, audit=audit, scores=scores,
            calibration=reliability_table(y, scores["risk"]),
            training=dict(self.training_),
        )
        return self.evaluation_

    def backtest(self, records, as_of, *, min_train=1, n_jobs=None):
        """Rolling-origin backtest: each census is tested on a model trained on all earlier ones.

        Parameters
        ----------
        records : Records
        as_of : list of date-like
            Census dates with complete outcome windows, in any order.
        min_train : int, default=1
            Earlier censuses needed before a census is tested.
        n_jobs : int, optional
            Test censuses run in parallel through joblib. Inside
            ``joblib.parallel_config(backend="dask")`` they run on a dask cluster.

        Returns
        -------
        Backtest
            ``metrics`` (one row per test census) and ``evaluations``.
        """
        from joblib import Parallel, delayed

        dates = sorted(_as_dates(as_of))
        for d in dates:
            self._check_window(records, d, "backtest")
        folds = [(dates[:i], dates[i]) for i in range(min_train, len(dates))]
        if n_jobs in (None, 1):
            evaluations = [_backtest_fold(self, records, tr, te)
                           for tr, te in progress(folds, desc="Backtest", unit="census")]
        else:
            evaluations = Parallel(n_jobs=n_jobs)(
                delayed(_backtest_fold)(self, records, tr, te) for tr, te in folds
            )
        self.backtest_ = Backtest(evaluations=evaluations)
        return self.backtest_

    def get_params(self, deep=False):
        """Constructor parameters, as in scikit-learn."""
        return {k: getattr(self, k) for k in (
            "target", "horizon_months", "year_groups", "capacity", "threshold",
            "audit_groups", "exclude_features", "model", "min_cell", "n_boot",
            "random_state")}

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if k != "model")
        return f"Screener({params})"


def _backtest_fold(screener, records, train, test):
    """Fit a fresh copy of ``screener`` on ``train`` censuses and evaluate on ``test``."""
    scr = clone_screener(screener)
    return scr.fit(records, as_of=train).evaluate(records, as_of=test)


def clone_screener(screener: Screener) -> Screener:
    """A new, unfitted Screener with the same parameters (the model is cloned)."""
    from sklearn.base import clone

    params = screener.get_params()
    if params["model"] is not None:
        params["model"] = clone(params["model"])
    return Screener(**params)
