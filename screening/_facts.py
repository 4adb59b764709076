"""The facts a result keeps about the screener that made it (a snapshot, never a link)."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._screener import Screener

_UNIT_NOUN = {"school": "school", "phase": "phase", "year_group": "year group"}


def _plain(value):
    """Numbers and sequences as plain JSON-able Python values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def sizing_text(capacity: float | Mapping[Any, int] | None, threshold: float | None,
                capacity_by: str | None = None) -> str:
    """How flags were sized, in words.

    Examples
    --------
    >>> sizing_text(0.05, None), sizing_text(40, None), sizing_text(None, 0.2)
    ('the top 5.0% of the cohort', 'the top 40 pupils', 'risk at least 0.200')
    >>> sizing_text(0.05, None, "school"), sizing_text(3, None, "year_group")
    ('the top 5.0% of each school', 'the top 3 pupils of each year group')
    >>> sizing_text({"100001": 4, "100002": 2}, None, "school")
    'the top pupils of each school, up to a number set per school (2 schools given)'
    """
    if threshold is not None:
        return f"risk at least {threshold:.3f}"
    assert capacity is not None  # a Screener has a capacity or a threshold
    if capacity_by is not None:
        noun = _UNIT_NOUN[capacity_by]
        if isinstance(capacity, Mapping):
            plural = "es" if noun.endswith("s") else "s"
            return (f"the top pupils of each {noun}, up to a number set per {noun} "
                    f"({len(capacity)} {noun}{plural} given)")
        if capacity < 1:
            return f"the top {capacity:.1%} of each {noun}"
        return f"the top {int(capacity)} pupils of each {noun}"
    assert not isinstance(capacity, Mapping)  # a capacity per unit needs capacity_by
    if capacity < 1:
        return f"the top {capacity:.1%} of the cohort"
    return f"the top {int(capacity)} pupils"


def tie_rule_text(ties: str, threshold: float | None = None) -> str:
    """How pupils with the same risk at the cut-off were treated, in words.

    Examples
    --------
    >>> tie_rule_text("break")
    'ties were broken by UPN (ascending): the lower UPN was flagged'
    """
    if threshold is not None:
        return "every pupil at or above the threshold was flagged, so no tie was broken"
    if ties == "include":
        return ("every pupil tied with the last pupil flagged was flagged too "
                "(ties='include')")
    return "ties were broken by UPN (ascending): the lower UPN was flagged"


def model_facts(screener: Screener) -> dict[str, Any]:
    """What the model is, what it was trained on and how flags are sized, as plain data.

    Everything is copied, so changing the screener later changes no result.
    """
    from . import __version__

    model = screener.model_
    threshold = _plain(screener.threshold)
    capacity = None if threshold is not None else _plain(screener.capacity)
    capacity_by = None if threshold is not None else screener.capacity_by
    facts = {
        "library_version": __version__,
        "model_type": type(model).__name__,
        "target": screener.target,
        "horizon_months": int(screener.horizon_months),
        "year_groups": [int(g) for g in screener.year_groups],
        "capacity": capacity,
        "threshold": threshold,
        "capacity_by": capacity_by,
        "ties": screener.ties,
        "sizing": sizing_text(capacity, threshold, capacity_by),
        "tie_break": "risk descending, then UPN ascending",
        "tie_rule": tie_rule_text(screener.ties, threshold),
        "features": list(screener.feature_names_),
        "feature_labels": dict(screener.feature_labels_),
        "audit_groups": list(screener.audit_groups),
        "episode_kinds": list(getattr(screener, "episode_kinds_", ())),
        "known_if": list(getattr(screener, "known_if", ())),
        "min_cell": int(screener.min_cell),
        "training": copy.deepcopy(dict(screener.training_)),
    }
    if hasattr(model, "to_json"):
        facts["scorecard"] = json.loads(model.to_json())
    if hasattr(model, "scorecard_"):
        facts["scorecard_table"] = model.scorecard_.to_dict(orient="records")
    return facts
