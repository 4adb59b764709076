"""The Screener: learn from past censuses, screen today's cohort, evaluate honestly.

It wires the three engines together and holds no statistics of its own:
records -> ``features.build`` -> ``models.RiskScorecard`` -> ``audits.audit``.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Literal, Self

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from screening import audits, features, models

from ._dates import census_date, census_dates
from ._facts import model_facts
from ._progress import progress
from ._reasons import distinguishing_reason_codes, distinguishing_reasons
from ._result import Backtest, Evaluation, ScreeningResult
from ._typing import DateLike, Dates
from ._units import check_capacity_by, cutoff_ties, flag_groups, tied_at_cutoff, units

_TARGETS = ("suspension", "permanent")
_DEFAULT_AUDIT_GROUPS = ("sex", "fsm", "sen", "ethnicity", "eal")
#: Breakdowns of every audit table (never aggregated over).
_CONTROLS = ("year_group", "school")
#: Covariates of the audit's adjusted section (as in the Timpson review's analysis).
_ADJUST_FOR = ("sen", "fsm", "sex", "year_group")
#: How many years back a screen looks for a census whose outcomes are all known.
_RECENT_YEARS = 5

_BAD_TARGET = "target must be one of {allowed}; got {got!r}."
_NO_CENSUS = "fit needs at least one census date in as_of; got none."
_STALE_MODEL = (
    "This screener was fitted on features that this version of the library no longer "
    "builds: {0} (renamed or removed since it was fitted; see the CHANGELOG). "
    "Fit it again on the records with this version, and save it again."
)
_EMPTY_COHORT = (
    "The cohort at {as_of} is empty: no pupil in year groups {years} is on roll. Check the "
    "census date and the enrolments table."
)
_ONE_CLASS = (
    "The training outcomes at {dates} are all {value}: a risk model needs both pupils with "
    "and without the outcome. Add more census dates or use a larger local authority."
)
_NOT_OUT_OF_TIME = (
    "Evaluating on {as_of} although the model was trained on census dates up to {last}: the "
    "evaluation is not out of time and will look better than the screen really is. "
    "Evaluate on a later census."
)
_DRIFT = (
    "The screened cohort differs a lot from the training data on {n} feature(s): {names}. "
    "Scores may be less reliable; check recording practice for these measures, or refit on "
    "more recent census dates."
)
_NOT_SCORED = "not scored: the model returned no probability"
_PROTECTED_KIND = (
    "episode_kinds lists {kinds}, which record a protected or sensitive status; their "
    "features will be model inputs. Protected statuses are usually audit groups (add a "
    "pupils column such as 'looked_after' to audit_groups) rather than features; remove "
    "them from episode_kinds unless this is a deliberate, reviewed choice."
)
_OPT_IN_AFTER_END = (
    "To screen anyway, pass allow_after_data_end=True: the result and its report then say "
    "that the census is after the records end."
)
_AFTER_END = (
    "The census {as_of} is long after the records end ({data_end}); screening anyway, as "
    "allow_after_data_end=True asks. Every pupil is scored as if nothing had happened "
    "since {data_end}: read the scores and findings with that in mind. The result "
    "(after_data_end) and its report say so."
)


class DriftWarning(UserWarning):
    """The screened cohort differs a lot from the data the model was trained on."""


class DataEndWarning(UserWarning):
    """A screen was run at a census after the records end (``allow_after_data_end``)."""


class Screener(BaseEstimator):
    """Fit on past censuses, screen the current cohort, and audit every score.

    A scikit-learn estimator: ``__init__`` only stores its parameters, so
    :func:`sklearn.base.clone`, ``get_params`` and ``set_params`` work, and using it
    before :meth:`fit` raises :class:`sklearn.exceptions.NotFittedError`.
    :meth:`screen`, :meth:`evaluate` and :meth:`backtest` change nothing on the
    screener: each returns a result that holds every fact it was made with.

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
        (0 < capacity < 1, rounded down to whole pupils) or a whole number of pupils.
        Ignored when ``threshold`` is set. The highest-risk pupils are flagged; ties in
        risk are broken by UPN (ascending), so the same records always give the same
        flags. The rule is :func:`screening.audits.flag_top`, the one the audit uses.
        With ``capacity_by``, the capacity applies within each unit, and may also be a
        mapping of unit to a number of pupils (``{"100001": 5, "100002": 3}``; units
        left out flag nobody).
    capacity_by : {None, "school", "phase", "year_group"}, default=None
        Where the capacity applies: ``None``, the whole cohort (one LA-wide list);
        ``"school"``, within each school; ``"phase"``, within primary (Years 6 and
        below) and secondary (Year 7 and above) year groups; ``"year_group"``, within
        each year group. The tie rule is the same in every unit. The scores'
        ``flag_unit`` column says which unit's capacity each pupil was ranked in; the
        audit still compares the resulting flags LA-wide.
    ties : {"break", "include"}, default="break"
        At the cut-off, pupils with the same risk are ordered by UPN (``"break"``), or
        all flagged (``"include"``, so a unit can get more than its capacity). Either
        way ``ScreeningResult.ties`` and the ``tied_at_cutoff`` column show how many
        shared the cut-off risk and how many of them were flagged.
    threshold : float, optional
        Flag every pupil whose risk is at least this probability, instead of a capacity.
    audit_groups : tuple of str
        Pupil columns (``sex``, ``fsm``, ``ethnicity``, ``eal``, ``looked_after`` or any
        extra column) or statuses derived at the census (``sen``, ``year_group``,
        ``school``) to audit. Ethnicity is also audited by its major group.
    exclude_features : tuple of str, default=()
        Feature-dictionary features the model must not use, for example
        ``("in_ap_now",)`` (see the dictionary's fairness notes).
    episode_kinds : tuple of str, default=()
        Kinds of the ``episodes`` table (the LA's own labels, e.g.
        ``("child_in_need", "child_protection")``) whose features (see
        ``features.describe(episode_kinds=...)``) the model may use. By default none,
        so nothing changes unless the LA opts in. A kind that records a protected
        status (``features.is_protected``, e.g. looked after) gives a warning.
    known_if : tuple of str, default=()
        Kinds (and ``"ehc_plan"``) that mark a pupil as already known to a service when
        current at the census (:func:`screening.features.already_known`). The scores
        then have bool ``already_known`` and text ``known_to`` columns, and the result
        and report say how many flagged pupils no service already knew
        (``ScreeningResult.added_value``). Flags are not changed by it. With it,
        ``"already_known"`` may also be listed in ``audit_groups``.
    school_context : bool, default=False
        Also use the features of the pupil's school (``features.SCHOOL_CONTEXT``: the
        school's suspension rate). Off by default: the list should rank pupils' needs,
        not their school's habits. Measured on independent synthetic LAs the school's
        rate added little at the top of the list while taking a large share of the
        flagged pupils' points (README, design notes); :meth:`evaluate` reports both
        choices side by side.
    model : estimator, optional
        A classifier with ``fit``/``predict_proba``; by default a
        :class:`screening.models.RiskScorecard` whose monotone directions and reason
        labels come from the feature dictionary. A model without ``reasons`` gives
        empty reasons.
    min_cell : int, default=10
        Audit groups smaller than this are suppressed.
    n_boot : int, default=1000
        Bootstrap resamples for the audit's intervals. The breakdowns by year group and
        school show rates and ratios without intervals: most of their cells are small
        and suppressed, and resampling them costs more than the rest of a screen.
    random_state : int, default=0

    Attributes
    ----------
    model_ : estimator
        The fitted model.
    feature_names_ : list of str
    feature_labels_ : dict
        Plain-English label of each feature.
    drift_ : screening.models.DriftProfile
        Per-feature summary of the training distribution for the drift check (decile
        edges and shares, mean, standard deviation). No pupil's row is kept.
    training_ : dict
        Census dates, pupils, outcome rate and fit time of the training data.

    Examples
    --------
    >>> import screening
    >>> from sklearn.base import clone
    >>> la = screening.datasets.make_local_authority(n_pupils=6_000, seed=1)
    >>> d = la.census_dates
    >>> scr = screening.Screener(n_boot=50).fit(la.records, as_of=d[-3:-1])
    >>> result = scr.screen(la.records, as_of=d[-1])
    >>> int(result.scores["flagged"].sum()) > 0
    True
    >>> clone(scr).set_params(capacity=0.1).capacity
    0.1
    """

    # fitted attributes (set by fit), declared for type checkers
    model_: Any
    feature_names_: list[str]
    feature_labels_: dict[str, str]
    drift_: models.DriftProfile
    training_: dict[str, Any]

    def __init__(
        self,
        *,
        target: Literal["suspension", "permanent"] = "suspension",
        horizon_months: int = 12,
        year_groups: Sequence[int] = (5, 6, 7),
        capacity: float | Mapping[Hashable, int] | None = 0.05,
        capacity_by: Literal["school", "phase", "year_group"] | None = None,
        ties: Literal["break", "include"] = "break",
        threshold: float | None = None,
        audit_groups: Sequence[str] = _DEFAULT_AUDIT_GROUPS,
        exclude_features: Sequence[str] = (),
        episode_kinds: Sequence[str] = (),
        known_if: Sequence[str] = (),
        school_context: bool = False,
        model: Any = None,
        min_cell: int = 10,
        n_boot: int = 1000,
        random_state: int | None = 0,
    ) -> None:
        self.target = target
        self.horizon_months = horizon_months
        self.year_groups = year_groups
        self.capacity = capacity
        self.capacity_by = capacity_by
        self.ties = ties
        self.threshold = threshold
        self.audit_groups = audit_groups
        self.exclude_features = exclude_features
        self.episode_kinds = episode_kinds
        self.known_if = known_if
        self.school_context = school_context
        self.model = model
        self.min_cell = min_cell
        self.n_boot = n_boot
        self.random_state = random_state

    # ------------------------------------------------------------------ checks
    def _check_params(self):
        if self.target not in _TARGETS:
            raise ValueError(_BAD_TARGET.format(allowed=list(_TARGETS), got=self.target))
        check_capacity_by(self.capacity, self.capacity_by)
        if self.threshold is not None:
            audits.check_rule(threshold=self.threshold, ties=self.ties)
        elif not isinstance(self.capacity, Mapping):
            audits.check_rule(capacity=self.capacity, ties=self.ties)
        else:
            audits.check_rule(capacity=1, ties=self.ties)  # counts: check_capacity_by

    def _flag_rule(self, unit: Any = None) -> dict[str, Any]:
        """The flagging rule as keyword arguments of :func:`audits.flag_top`.

        ``unit`` is each row's unit when ``capacity_by`` is set (see ``_units.units``).
        """
        if self.threshold is not None:
            return {"threshold": self.threshold}
        groups, capacity = flag_groups(self.capacity, self.capacity_by, unit)
        return {"capacity": capacity, "groups": groups, "ties": self.ties}

    # ------------------------------------------------------------------ pieces
    def _episode_kinds(self):
        """The episode kinds the fitted model uses (those of the last fit)."""
        return tuple(getattr(self, "episode_kinds_", ()))

    def _features(self, records, as_of, episode_kinds=None):
        kinds = self._episode_kinds() if episode_kinds is None else episode_kinds
        X = features.build(records, as_of=as_of, year_groups=tuple(self.year_groups),
                           episode_kinds=kinds)
        if len(X) == 0:
            raise features.CensusError(
                _EMPTY_COHORT.format(as_of=as_of.date(), years=self.year_groups))
        return X

    def _label(self, records, as_of):
        return features.label(
            records, as_of=as_of, horizon_months=self.horizon_months, target=self.target,
            year_groups=tuple(self.year_groups),
        )

    def _default_model(self, names, kinds):
        return models.RiskScorecard(**features.model_hints(names, episode_kinds=kinds),
                                    random_state=self.random_state)

    # ------------------------------------------------------------------ fit
    def fit(self, records: features.Records, as_of: Dates) -> Self:
        """Learn from the cohorts at past census dates and their outcomes.

        Parameters
        ----------
        records : Records
        as_of : date-like or list of date-like
            Training census dates. Each must have its whole outcome window inside the
            records; otherwise a :class:`screening.features.CensusError` (a
            ``ValueError``) says which and why.

        Returns
        -------
        self : Screener
        """
        self._check_params()
        dates = census_dates(as_of)
        if not dates:
            raise features.CensusError(_NO_CENSUS)
        for d in dates:
            features.check_outcome_window(records, d, self.horizon_months, action="fit")
        kinds = self._training_kinds()
        names = self._training_names(kinds)
        X, y, upns = self._training_rows(records, dates, names, kinds)
        return self._fit_rows(X, y, dates, names, kinds, groups=upns)

    def _training_kinds(self):
        """The episode kinds the model may use, checked (a warning for protected kinds)."""
        kinds = features.check_episode_kinds(self.episode_kinds, "episode_kinds")
        features.check_episode_kinds(self.known_if, "known_if")
        protected = [k for k in kinds if features.is_protected(k)]
        if protected:
            warnings.warn(_PROTECTED_KIND.format(kinds=protected), UserWarning, stacklevel=3)
        return kinds

    def _training_names(self, kinds=()):
        """The features the model learns from: the dictionary's, less the excluded ones
        and, unless ``school_context``, the school's own features."""
        excluded = set(features.check_feature_names(self.exclude_features,
                                                    episode_kinds=kinds))
        if not self.school_context:
            excluded |= set(features.SCHOOL_CONTEXT)
        return [f for f in features.describe(episode_kinds=kinds)["feature"]
                if f not in excluded]

    def _training_rows(self, records, dates, names, kinds=()):
        """Features, outcomes and UPNs of the cohorts at ``dates`` (rows stacked by date)."""
        Xs, ys, upns = [], [], []
        for d in progress(dates, desc="Building training features", unit="census"):
            X = self._features(records, d, kinds)
            Xs.append(X[names])
            ys.append(self._label(records, d).reindex(X.index))
            upns.append(X.index.to_numpy().astype(str))
        return (pd.concat(Xs, ignore_index=True), pd.concat(ys, ignore_index=True).astype(int),
                np.concatenate(upns))

    def _fit_rows(self, X, y, dates, names, kinds=(), groups=None):
        """Fit the model on training rows (from one LA's records, or many stacked).

        ``groups`` (each row's UPN) keeps a pupil who is in several training censuses on
        one side of every fold of a model that cross-validates inside fit (the scorecard).
        """
        if y.nunique() < 2:
            raise features.CensusError(
                _ONE_CLASS.format(dates=[str(d.date()) for d in dates], value=int(y.iloc[0]))
            )
        model = self.model if self.model is not None else self._default_model(names, kinds)
        fit_params = {}
        if groups is not None and "groups" in inspect.signature(model.fit).parameters:
            fit_params["groups"] = groups
        self.model_ = clone(model).fit(X, y, **fit_params)
        self.episode_kinds_ = kinds
        self.feature_names_ = names
        self.feature_labels_ = features.model_hints(names, episode_kinds=kinds)[
            "feature_labels"]
        self.drift_ = models.DriftProfile().fit(X)
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
        missing = [c for c in self.feature_names_ if c not in X.columns]
        if missing:
            raise ValueError(_STALE_MODEL.format(missing))
        Xm = X[self.feature_names_]
        risk = self.model_.predict_proba(Xm)[:, 1]
        upn = X.index.to_numpy().astype(str)
        by = None if self.threshold is not None else self.capacity_by  # a threshold is LA-wide
        unit = units(by, X["school"].to_numpy(), X["year_group"].to_numpy())
        flagged = audits.flag_top(risk, tiebreak=upn, **self._flag_rule(unit))
        scores = pd.DataFrame(
            {
                "upn": upn,
                "school": X["school"].to_numpy(),
                "year_group": X["year_group"].to_numpy(),
                "risk": risk,
                "flagged": flagged,
            }
        )
        ties = cutoff_ties(risk, flagged, unit)
        scores["flag_unit"] = unit
        scores["tied_at_cutoff"] = tied_at_cutoff(risk, unit, ties)
        order = audits.rank_order(risk, tiebreak=upn)
        rank = np.empty(len(risk), dtype=np.int64)
        rank[order] = np.arange(1, len(risk) + 1)
        scores["rank"] = rank
        reasons = None
        if hasattr(self.model_, "_reason_codes"):  # the scorecard: codes, not a text per cell
            every_code, texts = self.model_._reason_codes(Xm)
            reasons, shared = distinguishing_reason_codes(every_code, texts,
                                                          X["year_group"].to_numpy(), k=3)
        elif hasattr(self.model_, "reasons"):
            every = self.model_.reasons(Xm, k=len(self.feature_names_)).reset_index(drop=True)
            reasons, shared = distinguishing_reasons(every, X["year_group"].to_numpy(), k=3)
        if reasons is not None:
            scores.attrs["shared_reasons"] = shared
            for i in range(1, 4):
                col = f"reason_{i}"
                scores[col] = reasons[col].to_numpy()
        else:
            for i in range(1, 4):
                scores[f"reason_{i}"] = ""
        if hasattr(self.model_, "score_points"):
            # the card's whole-number total, checkable by hand against the card (its
            # base score, the intercept, is stated once in the model facts)
            scores["points"] = np.asarray(self.model_.score_points(Xm), dtype=np.int64)
        elif hasattr(self.model_, "decision_function"):
            scores["points"] = np.asarray(self.model_.decision_function(Xm), dtype=float)
        notes = features.history_notes(X).to_numpy(dtype=object)
        status = np.where(notes == "", "scored", "scored: " + notes.astype(str))
        scores["status"] = np.where(~np.isfinite(risk), _NOT_SCORED, status)
        known_if = features.check_episode_kinds(getattr(self, "known_if", ()), "known_if")
        if known_if:
            known = features.already_known(records, as_of, known_if,
                                           year_groups=tuple(self.year_groups)).reindex(X.index)
            scores["already_known"] = known["already_known"].to_numpy(dtype=bool)
            scores["known_to"] = known["known_to"].to_numpy(dtype=object)
        return X, scores

    def _recent_cohort(self, records, as_of):
        """The latest census before ``as_of`` whose outcome window is complete, with the
        audit groups and outcomes of its cohort (or ``(None, None)``)."""
        for years in range(1, _RECENT_YEARS + 1):
            when = census_date(as_of - pd.DateOffset(years=years))
            if not features.outcome_window_complete(records, when, self.horizon_months):
                continue
            try:
                attrs = features.audit_attributes(records, as_of=when,
                                                  year_groups=tuple(self.year_groups))
                y = self._label(records, when).reindex(attrs.index)
            except ValueError:  # no records that far back: no recent cohort
                return None, None
            if len(attrs) == 0:
                return None, None
            frame = attrs.reset_index(drop=True)
            frame["outcome"] = y.fillna(0).astype(int).to_numpy()
            known_if = features.check_episode_kinds(getattr(self, "known_if", ()), "known_if")
            if known_if:  # the same marks at that census, for the audit group
                known = features.already_known(records, when, known_if,
                                               year_groups=tuple(self.year_groups))
                frame["already_known"] = known["already_known"].reindex(
                    attrs.index).fillna(False).to_numpy(dtype=bool)
            return when, frame
        return None, None

    def _audit_frame(self, records, as_of, scores):
        """The audit groups of the scored pupils, row for row, and the groups to audit."""
        attrs = features.audit_attributes(
            records, as_of=as_of, year_groups=tuple(self.year_groups)
        ).reindex(pd.Index(scores["upn"], name="upn"))
        frame = attrs.reset_index(drop=True)
        for c in ("risk", "flagged", "school", "year_group"):
            frame[c] = scores[c].to_numpy()
        if "already_known" in scores:  # with known_if, an audit group on request
            frame["already_known"] = scores["already_known"].to_numpy()
        return frame, features.audit_groups(self.audit_groups, frame.columns)

    def _audit(self, records, as_of, scores, outcome=None, recent=False, frame=None):
        if frame is None:
            frame, groups = self._audit_frame(records, as_of, scores)
        else:
            frame, groups = frame.copy(), features.audit_groups(self.audit_groups,
                                                                frame.columns)
        if outcome is not None:
            frame["outcome"] = np.asarray(outcome, dtype=int)
        when, past = self._recent_cohort(records, as_of) if recent else (None, None)
        label = None if when is None else (
            f"census {when.date()} (its {self.horizon_months}-month outcome window is "
            "complete)")
        return audits.audit(
            frame, groups=groups, flag="flagged", score="risk",
            outcome="outcome" if outcome is not None else None,
            min_cell=self.min_cell, n_boot=self.n_boot, random_state=self.random_state,
            controls=[c for c in _CONTROLS if c not in groups], control_n_boot=0,
            recent=past, recent_outcome="outcome" if past is not None else None,
            recent_label=label, adjust=[c for c in _ADJUST_FOR if c in frame.columns],
        )

    def _drift(self, X):
        drift = self.drift_.compare(X[self.feature_names_])
        drift.insert(1, "label", drift["feature"].map(self.feature_labels_))
        big = drift[drift["shifted"]]
        if len(big):
            names = ", ".join(f"{r.label} (PSI {r.psi:.2f}, mean shift {r.smd:+.2f} SD)"
                              for r in big.itertuples())
            warnings.warn(_DRIFT.format(n=len(big), names=names), DriftWarning, stacklevel=3)
        return drift

    def _facts(self) -> dict:
        return model_facts(self)

    def screen(self, records: features.Records, as_of: DateLike, *,
               allow_after_data_end: bool = False) -> ScreeningResult:
        """Score every pupil in the cohort at ``as_of``, with reasons, flags and the audit.

        Parameters
        ----------
        records : Records
        as_of : date-like
            Today's census date. Only records dated before it are used.
        allow_after_data_end : bool, default=False
            A census more than three months (``features.DATA_END_GRACE_MONTHS``) after
            the last day the records cover (the extract date, else the latest date in
            them) is refused with a :class:`screening.features.CensusError`: every pupil
            would look as if nothing had happened since. Pass True to screen anyway; a
            :class:`DataEndWarning` is issued and the result (``after_data_end``) and
            its report say so.

        Returns
        -------
        ScreeningResult
            A snapshot: changing the screener afterwards changes nothing in it.
        """
        check_is_fitted(self)
        self._check_params()
        as_of = census_date(as_of)
        after_end = features.census_after_data_end(records, as_of)
        if after_end and not allow_after_data_end:
            try:
                features.check_census_in_records(records, as_of, action="screen")
            except features.CensusError as err:
                raise features.CensusError(f"{err} {_OPT_IN_AFTER_END}") from None
        if after_end:
            end = features.data_end(records)
            assert end is not None  # the census is after it
            warnings.warn(_AFTER_END.format(as_of=as_of.date(), data_end=end.date()),
                          DataEndWarning, stacklevel=2)
        X, scores = self._score(records, as_of)
        shared = scores.attrs.pop("shared_reasons", {})
        drift = self._drift(X)
        audit = self._audit(records, as_of, scores, recent=True)
        return ScreeningResult(
            as_of=as_of, scores=scores, audit=audit, drift=drift, facts=self._facts(),
            warnings=getattr(records, "warnings", None), data_end=features.data_end(records),
            after_data_end=after_end,
            ties=cutoff_ties(scores["risk"], scores["flagged"], scores["flag_unit"]),
            allocations=self._allocations(records, as_of, scores), shared_reasons=shared,
        )

    @staticmethod
    def _allocations(records, as_of, scores):
        """Places allocated (and known) at ``as_of`` for the screened pupils, or None."""
        table = features.allocations_at(records, as_of)
        if len(table) == 0:
            return None
        # the screened upns are unique: a hash lookup, not pandas' isin over Python
        # strings of every screened pupil
        screened = pd.Index(scores["upn"]).get_indexer(table["upn"]) >= 0
        table = table[screened].reset_index(drop=True)
        return table if len(table) else None

    # ------------------------------------------------------------------ evaluate
    def evaluate(self, records: features.Records, as_of: DateLike, *,
                 compare: bool = True) -> Evaluation:
        """Judge the fitted screen on a later census whose outcomes are known.

        Nothing on the screener changes; pass the result to
        :meth:`ScreeningResult.to_html` to show it in a report.

        Parameters
        ----------
        records : Records
        as_of : date-like
        compare : bool, default=True
            Also judge the baselines on the same pupils, flagged at the same capacity:
            the school-only rule, the simple rule (:func:`screening.features.baselines`),
            a plain logistic regression and this screen with the other school-context
            choice (both refitted on the training census dates, so this costs two more
            fits).

        Returns
        -------
        Evaluation
            ``metrics`` (auc, average_precision, brier, calibration_error,
            precision_at_capacity, recall_at_capacity, n, base_rate), the audit with
            error rates by group, the calibration table and, with ``compare``, the
            ``comparison`` table and the ``school_context`` summary.
        """
        check_is_fitted(self)
        self._check_params()
        as_of = census_date(as_of)
        features.check_outcome_window(records, as_of, self.horizon_months, action="evaluate")
        trained = [pd.Timestamp(d) for d in self.training_["census_dates"]]
        if any(d >= as_of for d in trained):
            warnings.warn(_NOT_OUT_OF_TIME.format(as_of=as_of.date(), last=max(trained).date()),
                          UserWarning, stacklevel=2)
        X, scores = self._score(records, as_of)
        y = self._label(records, as_of).reindex(X.index).astype(int).to_numpy()
        scores["outcome"] = y
        frame, groups = self._audit_frame(records, as_of, scores)
        comparison, school = (self._compare(records, as_of, X, scores, y) if compare
                              else (None, {}))
        return Evaluation(
            as_of=as_of, metrics=models.score_metrics(y, scores["risk"], scores["flagged"]),
            audit=self._audit(records, as_of, scores, outcome=y, frame=frame), scores=scores,
            calibration=models.reliability_table(y, scores["risk"]),
            training=dict(self.training_), facts=self._facts(),
            groups=frame[[g for g in groups if g not in _CONTROLS]].copy(),
            comparison=comparison, school_context=school,
        )

    def _compare(self, records: features.Records, as_of: pd.Timestamp, X: pd.DataFrame,
                 scores: pd.DataFrame, y: np.ndarray) -> tuple[pd.DataFrame, dict[str, Any]]:
        """The baselines beside this screen, on the same pupils and capacity."""
        upn = scores["upn"].to_numpy()
        dates = self.training_["census_dates"]
        risks = {"this screen": scores["risk"].to_numpy()}
        for name, score in features.baselines(X).items():
            risks[str(name)] = score.to_numpy()
        plain = clone(self).set_params(model=models.plain_logistic()).fit(records, dates)
        risks["plain logistic regression"] = plain._score(records, as_of)[1]["risk"]
        in_model = bool(set(features.SCHOOL_CONTEXT) & set(self.feature_names_))
        school: dict[str, Any] = {"in_model": in_model}
        other = None
        if not set(features.SCHOOL_CONTEXT) & set(self.exclude_features):
            other = clone(self).set_params(school_context=not self.school_context).fit(
                records, dates)
            other_scores = other._score(records, as_of)[1]
            name = "without school context" if school["in_model"] else "with school context"
            risks[name] = other_scores["risk"].to_numpy()
        rule = self._flag_rule(scores["flag_unit"].to_numpy())
        flags = {name: audits.flag_top(np.asarray(r, dtype=float), tiebreak=upn, **rule)
                 for name, r in risks.items()}
        table = models.compare_scores(y, risks, flags)
        with_context = self if school["in_model"] else other
        if with_context is not None and hasattr(with_context.model_, "explain"):
            flagged = scores["flagged"] if school["in_model"] else other_scores["flagged"]
            parts = with_context.model_.explain(X[with_context.feature_names_])
            school["share_of_flagged_points"] = models.points_share(
                parts.reset_index(drop=True), flagged.to_numpy(),
                [c for c in features.SCHOOL_CONTEXT if c in parts.columns])
        return table, school

    def backtest(self, records: features.Records, as_of: Sequence[DateLike], *,
                 min_train: int = 1, n_jobs: int | None = None) -> Backtest:
        """Rolling-origin backtest: each census is tested on a model trained on all earlier ones.

        Each fold fits a clone of this screener; this one is not changed (it need not
        be fitted).

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
            ``metrics`` (one row per test census) and ``evaluations`` (without the
            baseline comparison of :meth:`evaluate`, which would triple the fits).
        """
        from joblib import Parallel, delayed

        dates = sorted(census_dates(as_of))
        for d in dates:
            features.check_outcome_window(records, d, self.horizon_months, action="backtest")
        folds = [(dates[:i], dates[i]) for i in range(min_train, len(dates))]
        if n_jobs in (None, 1):
            evaluations = [_backtest_fold(self, records, tr, te)
                           for tr, te in progress(folds, desc="Backtest", unit="census")]
        else:
            evaluations = Parallel(n_jobs=n_jobs)(
                delayed(_backtest_fold)(self, records, tr, te) for tr, te in folds
            )
        return Backtest(evaluations=evaluations)


def _backtest_fold(screener, records, train, test):
    """Fit a fresh clone of ``screener`` on ``train`` censuses and evaluate on ``test``."""
    return clone(screener).fit(records, as_of=train).evaluate(records, as_of=test,
                                                              compare=False)
