"""Result objects: a screen of today's cohort, an evaluation, a backtest.

Every result carries its audit; every export (HTML, JSON, CSV) includes it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._typing import PathLike

if TYPE_CHECKING:
    from screening import audits

#: Version of the JSON document written by :meth:`ScreeningResult.to_json`.
#: See ``docs/json-schema.md``. Minor versions only add fields.
JSON_SCHEMA_VERSION = "2.0"
JSON_SCHEMA_NAME = "pupil-risk-screening/result"


def _jsonable(value):
    """Convert numpy/pandas scalars and NaN to plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (pd.Timestamp,)):
        # the same rule as the audit's JSON: a date when there is no time of day
        if pd.isna(value):
            return None
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [_jsonable(r) for r in frame.to_dict(orient="records")]


def _audit_frame(audit: audits.AuditReport | None) -> pd.DataFrame:
    return audit.to_frame() if audit is not None else pd.DataFrame()


@dataclass(frozen=True, repr=False)
class Evaluation:
    """How a fitted screen did on a census whose outcomes are known.

    Attributes
    ----------
    as_of : pandas.Timestamp
    metrics : pandas.Series
        ``auc, average_precision, brier, calibration_error, precision_at_capacity,
        recall_at_capacity, n, base_rate``.
    audit : audits.AuditReport
        With error rates (tpr, fpr, fnr, ppv) and calibration by group.
    scores : pandas.DataFrame
        The scores with the observed ``outcome``.
    calibration : pandas.DataFrame
        Mean predicted risk against the observed rate, in equal-count bins.
    training : dict
        What the model was trained on.
    facts : dict
        The screener's settings and model facts when the evaluation was made (see
        ``ScreeningResult.facts``).
    groups : pandas.DataFrame or None
        The audit groups of the evaluated pupils (sex, FSM, SEN ...), row for row with
        ``scores``; used by :meth:`capacity_curve`.
    comparison : pandas.DataFrame or None
        This screen beside its baselines on the same pupils, flagged at the same
        capacity: ``model, auc, average_precision, precision_at_capacity,
        recall_at_capacity, n_flagged`` for ``this screen``, the ``school-only rule``,
        the ``simple rule``, a ``plain logistic regression`` and the screen with the
        other school-context choice. None when evaluated with ``compare=False``.
    school_context : dict
        ``in_model`` (whether this screen uses the school's suspension rate) and
        ``share_of_flagged_points``: of the flagged pupils' points, the share that comes
        from school context, in whichever of the two screens uses it.
    """

    as_of: pd.Timestamp
    metrics: pd.Series
    audit: audits.AuditReport
    scores: pd.DataFrame
    calibration: pd.DataFrame
    training: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    groups: pd.DataFrame | None = None

    def capacity_curve(self, capacities: Sequence[float] | None = None, *,
                       groups: Sequence[str] | None = None) -> pd.DataFrame:
        """Precision, recall, pupils flagged per group and amplification by capacity.

        What this evaluation would have shown at each capacity, flagging by the
        screen's own rule (:func:`screening.audits.flag_top`, ties by UPN), with the
        audit's suppression of small counts. Computed by
        :func:`screening.audits.capacity_curve`.

        Parameters
        ----------
        capacities : sequence of float or int, optional
            Default :data:`screening.audits.DEFAULT_CAPACITIES` (1% to 20%).
        groups : sequence of str, optional
            Audit groups to break down by (columns of ``groups``); default all of them.

        Returns
        -------
        pandas.DataFrame
            One row per capacity and group (``attribute == "all"`` for the cohort); see
            :func:`screening.audits.capacity_curve`.

        Examples
        --------
        >>> import screening
        >>> la = screening.datasets.make_local_authority(n_pupils=3_000, seed=1)
        >>> d = la.census_dates
        >>> scr = screening.Screener(n_boot=0).fit(la.records, as_of=d[-4:-2])
        >>> curve = scr.evaluate(la.records, as_of=d[-2]).capacity_curve([0.05, 0.1],
        ...                                                               groups=["sex"])
        >>> sorted(set(curve["attribute"]))
        ['all', 'sex']
        """
        from . import audits

        frame = self.scores[["upn", "risk", "outcome"]].reset_index(drop=True)
        avail = self.groups if self.groups is not None else pd.DataFrame(index=frame.index)
        names = list(avail.columns) if groups is None else list(groups)
        for g in names:
            if g not in avail.columns:
                raise KeyError(f"capacity_curve: {g!r} is not an audit group of this "
                               f"evaluation; the groups are {list(avail.columns)}.")
            frame[g] = avail[g].reset_index(drop=True).to_numpy()
        return audits.capacity_curve(
            frame, score="risk", outcome="outcome", groups=names, tiebreak="upn",
            capacities=audits.DEFAULT_CAPACITIES if capacities is None else capacities,
            min_cell=int(self.facts.get("min_cell", 10)))

    def _repr_html_(self):
        from ._report import evaluation_html

        return evaluation_html(self)

    @property
    def added_value(self) -> dict | None:
        """Flagged pupils not already known to a service, and the outcome rate among them.

        ``None`` unless the screener had ``known_if``; see
        :attr:`ScreeningResult.added_value`. Here outcomes are known, so the dict also
        has ``precision_flagged``, ``precision_not_known`` and
        ``precision_already_known``.
        """
        from ._added_value import added_value

        return added_value(self.scores, self.facts.get("min_cell", 10))
    comparison: pd.DataFrame | None = None
    school_context: dict = field(default_factory=dict)

    @property
    def comparison_summary(self) -> str:
        """Plain-English verdict of the comparison ("" without one).

        Says whether this screen beats the school-only rule (AUC and precision at
        capacity), and how much of the flagged pupils' points come from school context.
        """
        if self.comparison is None or not len(self.comparison):
            return ""
        t = self.comparison.set_index("model")
        me, school = t.loc["this screen"], t.loc["school-only rule"]
        beats = (me["auc"] > school["auc"]
                 and me["precision_at_capacity"] >= school["precision_at_capacity"])
        text = (
            f"This screen {'beats' if beats else 'does NOT beat'} the school-only rule "
            f"(AUC {me['auc']:.3f} against {school['auc']:.3f}; precision at capacity "
            f"{me['precision_at_capacity']:.3f} against "
            f"{school['precision_at_capacity']:.3f}).")
        share = self.school_context.get("share_of_flagged_points")
        if share is not None and np.isfinite(share):
            which = "this screen" if self.school_context.get("in_model") else (
                "the screen with school context")
            text += (f" In {which}, {share:.0%} of the flagged pupils' points come from "
                     "their school's suspension rate.")
        return text

    def __repr__(self):
        m = self.metrics
        return (
            f"Evaluation(as_of={self.as_of.date()}, n={int(m['n'])}, auc={m['auc']:.3f}, "
            f"calibration_error={m['calibration_error']:.4f}, "
            f"precision_at_capacity={m['precision_at_capacity']:.3f})"
        )


@dataclass(frozen=True, repr=False)
class Backtest:
    """A rolling-origin backtest: one :class:`Evaluation` per test census."""

    evaluations: list

    @property
    def metrics(self) -> pd.DataFrame:
        """One row per test census: the metrics and the training census dates."""
        rows = []
        for ev in self.evaluations:
            row = ev.metrics.to_dict()
            row["as_of"] = ev.as_of.date().isoformat()
            row["trained_on"] = ", ".join(ev.training.get("census_dates", []))
            rows.append(row)
        cols = ["as_of", "trained_on", "auc", "average_precision", "brier",
                "calibration_error", "precision_at_capacity", "recall_at_capacity", "n",
                "base_rate"]
        return pd.DataFrame(rows, columns=cols)

    @property
    def audit(self) -> pd.DataFrame:
        """The audits of every test census, stacked, with an ``as_of`` column."""
        frames = [ev.audit.to_frame().assign(as_of=ev.as_of.date().isoformat())
                  for ev in self.evaluations]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def __repr__(self):
        return f"Backtest({len(self.evaluations)} census(es))\n{self.metrics.to_string()}"


@dataclass(frozen=True, repr=False)
class ScreeningResult:
    """Today's screen: one row per cohort pupil, and the audit of those scores.

    Attributes
    ----------
    as_of : pandas.Timestamp
    scores : pandas.DataFrame
        ``upn, school, year_group, risk, flagged, rank, reason_1..3, points, status``
        (and ``already_known``, ``known_to`` with ``Screener(known_if=...)``); one row
        per pupil in the cohort, none dropped.
    audit : audits.AuditReport
        Who is flagged, by group, with intervals; always produced with the scores.
    drift : pandas.DataFrame
        Population stability of each feature against the training data.
    facts : dict
        A snapshot of the screener that made the scores: library version, model type,
        target, horizon, year groups, capacity or threshold and how flags were sized,
        features and their labels, training summary and (for a scorecard) the portable
        card. Changing or refitting the screener afterwards changes nothing here.
    warnings : pandas.DataFrame or None
        Data warnings found when the records were validated.
    data_end : pandas.Timestamp or None
        The last day the records cover (their extract date, else their latest date).
    after_data_end : bool
        Whether the census is more than three months after ``data_end``: a screen run
        with ``allow_after_data_end=True``, whose scores see nothing recorded since.
    ties : pandas.DataFrame or None
        The cut-off of each unit the capacity applied within (one row for the whole
        cohort): ``unit, n, n_flagged, cutoff_risk, n_tied`` (pupils with exactly the
        cut-off risk), ``n_tied_flagged`` (of those, flagged) and ``straddles`` (some
        tied pupils flagged and others not). ``facts["tie_rule"]`` says how ties
        were treated.
    allocations : pandas.DataFrame or None
        Places at a next school allocated to screened pupils and known at the census
        (``upn, destination, start_date, decided_date``; see
        :func:`screening.features.allocations_at`), or None. They group the
        transition handover of :meth:`write_packs`; they never change a score.
    shared_reasons : dict
        Year group -> reasons held by at least 95% of that year group's screened
        pupils (for example "New to the school" for every September Year 7). They
        still add their points but are not listed among a pupil's reasons, which say
        what is different about the child.
    """

    as_of: pd.Timestamp
    scores: pd.DataFrame
    audit: audits.AuditReport
    drift: pd.DataFrame
    facts: dict
    warnings: pd.DataFrame | None = None
    data_end: pd.Timestamp | None = None
    after_data_end: bool = False
    ties: pd.DataFrame | None = None
    allocations: pd.DataFrame | None = None
    shared_reasons: dict = field(default_factory=dict)

    @property
    def ties_text(self) -> str:
        """One sentence on the pupils tied at the cut-off ("" when none were tied)."""
        from ._units import ties_sentence

        if self.ties is None:
            return ""
        return ties_sentence(self.ties, self.facts.get("tie_rule", ""))

    @property
    def flagged(self) -> pd.DataFrame:
        """The flagged pupils, highest risk first."""
        return self.scores[self.scores["flagged"]].sort_values("rank")

    @property
    def added_value(self) -> dict | None:
        """How many flagged pupils were not already known to any service.

        ``None`` unless the screener had ``known_if`` (the scores then have
        ``already_known``). Otherwise a dict: ``n_flagged``,
        ``n_flagged_already_known``, ``n_flagged_not_known``, ``share_not_known``,
        ``n_already_known`` and ``suppressed`` (the counts below ``min_cell``, which
        the report shows as "fewer than ..."). :attr:`Evaluation.added_value` adds the
        outcome rate among each.
        """
        from ._added_value import added_value

        return added_value(self.scores, self.facts.get("min_cell", 10))

    def model_facts(self) -> dict:
        """What the model is, what it was trained on, and how flags are sized (a copy)."""
        import copy

        return copy.deepcopy(self.facts)

    @property
    def scorecard(self) -> pd.DataFrame | None:
        """The points table of the scorecard that made the scores, or None."""
        rows = self.facts.get("scorecard_table")
        return None if rows is None else pd.DataFrame(rows)

    def to_dict(self) -> dict:
        """The JSON document as a Python dict (see :meth:`to_json`)."""
        audit = self.audit
        return _jsonable({
            "schema": JSON_SCHEMA_NAME,
            "schema_version": JSON_SCHEMA_VERSION,
            "as_of": self.as_of.date().isoformat(),
            "data_end": self.data_end,
            "model": self.model_facts(),
            "summary": {
                "after_data_end": self.after_data_end,
                "n_pupils": int(len(self.scores)),
                "n_flagged": int(self.scores["flagged"].sum()),
                "mean_risk": float(self.scores["risk"].mean()) if len(self.scores) else None,
                "status_counts": self.scores["status"].value_counts().to_dict(),
                "ties": None if self.ties is None else _records(self.ties),
                "ties_text": self.ties_text,
                "shared_reasons": {str(k): list(v) for k, v in self.shared_reasons.items()},
                "added_value": self.added_value,
            },
            "scores": _records(self.scores),
            "audit": audit.to_dict() if hasattr(audit, "to_dict") else _records(
                _audit_frame(audit)),
            "drift": _records(self.drift),
            "intended_use": INTENDED_USE,
        })

    def to_json(self, path: PathLike | None = None, *, indent: int | None = None) -> str:
        """Scores, audit and model facts as a versioned JSON document for MIS use.

        The schema is documented in ``docs/json-schema.md``; ``schema_version`` changes
        its major number only when a field is removed or changes meaning.

        Parameters
        ----------
        path : str or Path, optional
            Also write the document here.
        indent : int, optional

        Returns
        -------
        str
        """
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def to_csv(self, folder: PathLike) -> list[Path]:
        """Write ``scores.csv``, ``audit.csv``, ``audit_breakdowns.csv`` (the audit within
        each school and year group: the full tables the report collapses), ``drift.csv``
        and ``findings.txt`` to ``folder``.

        The CSV files are spreadsheet-safe: text that a spreadsheet would run as a
        formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return,
        such as a UPN ``=HYPERLINK(...)``) is written with an apostrophe in front;
        numbers are written as numbers. :meth:`to_json` keeps the original values.
        """
        from ._csv import write_csv

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / "scores.csv", folder / "audit.csv", folder / "drift.csv",
                 folder / "findings.txt", folder / "audit_breakdowns.csv"]
        write_csv(self.scores, paths[0])
        write_csv(_audit_frame(self.audit), paths[1])
        write_csv(self.drift, paths[2])
        by_control = getattr(self.audit, "by_control", None)
        write_csv(by_control[[c for c in by_control.columns if not c.startswith("_")]]
                  if by_control is not None else pd.DataFrame(), paths[4])
        findings = list(getattr(self.audit, "findings", []) or [])
        paths[3].write_text("\n".join(findings) + ("\n" if findings else ""), encoding="utf-8")
        return paths

    def write_packs(self, folder: PathLike, *,
                    evaluation: Evaluation | None = None) -> list[Path]:
        """Write one output per audience into ``folder``; return the paths written.

        * ``overview.html``: for scrutiny and partners, no pupil rows at all (totals,
          the flagging rule, the suppressed audit, findings, model card, the
          evaluation's summary when given);
        * ``case_list.html`` and ``.csv``: restricted to the LA team, every flagged
          pupil;
        * ``schools/<school>.html`` and ``.csv``: only that school's pupils (the HTML
          lists its flagged pupils with reasons and what the points mean; the CSV
          every screened pupil of the school);
        * ``handover/<school>.html`` and ``.csv`` per receiving school, when the
          records had allocations: the pupils allocated a place there;
        * ``README.txt``: who each file is for.

        Every page and every CSV row says who it is for.

        Parameters
        ----------
        folder : str or Path
            Created if missing; files of the same names are replaced.
        evaluation : Evaluation, optional
            An out-of-time evaluation to summarise in the overview.
        """
        from ._packs import write_packs

        return write_packs(self, folder, evaluation=evaluation)

    def to_html(self, path: PathLike | None = None, *, evaluation: Evaluation | None = None,
                backtest: Backtest | None = None) -> str:
        """One self-contained HTML report: summary, flagged pupils with reasons, the
        scorecard, the audit with charts, calibration, backtest and a model card.

        Parameters
        ----------
        path : str or Path, optional
            Also write the report here.
        evaluation : Evaluation, optional
            An out-of-time evaluation (:meth:`Screener.evaluate`) to show. Without one
            the report says that none was run.
        backtest : Backtest, optional
            A rolling-origin backtest (:meth:`Screener.backtest`) to show.
        """
        from ._report import render_report

        html = render_report(self, evaluation=evaluation, backtest=backtest)
        if path is not None:
            Path(path).write_text(html, encoding="utf-8")
        return html

    def _repr_html_(self):
        from ._report import result_html

        return result_html(self)

    def __repr__(self):
        n = len(self.scores)
        k = int(self.scores["flagged"].sum())
        # after_data_end is only set when data_end is known
        after = (f", AFTER THE RECORDS END ({self.data_end.date()})"  # type: ignore[union-attr]
                 if self.after_data_end else "")
        return (
            f"ScreeningResult(as_of={self.as_of.date()}{after}, pupils={n}, flagged={k}, "
            f"audit={self.audit!r})"
        )


INTENDED_USE = (
    "This screen exists to prioritise early support for pupils. It must never be used to "
    "justify a suspension or exclusion, to refuse a school place, or to make any automated "
    "decision about a child. A trained professional reviews every flag with the child's "
    "school and family, and the disproportionality audit is read alongside every score."
)
