"""The facts a result keeps about the screener that made it (a snapshot, never a link)."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._screener import Screener


def _plain(value):
    """Numbers and sequences as plain JSON-able Python values."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def sizing_text(capacity: float | None, threshold: float | None) -> str:
    """How flags were sized, in words.

    Examples
    --------
    >>> sizing_text(0.05, None), sizing_text(40, None), sizing_text(None, 0.2)
    ('the top 5.0% of the cohort', 'the top 40 pupils', 'risk at least 0.200')
    """
    if threshold is not None:
        return f"risk at least {threshold:.3f}"
    assert capacity is not None  # a Screener has a capacity or a threshold
    if capacity < 1:
        return f"the top {capacity:.1%} of the cohort"
    return f"the top {int(capacity)} pupils"


def model_facts(screener: Screener) -> dict[str, Any]:
    """What the model is, what it was trained on and how flags are sized, as plain data.

    Everything is copied, so changing the screener later changes no result.
    """
    from . import __version__

    model = screener.model_
    threshold = _plain(screener.threshold)
    capacity = None if threshold is not None else _plain(screener.capacity)
    facts = {
        "library_version": __version__,
        "model_type": type(model).__name__,
        "target": screener.target,
        "horizon_months": int(screener.horizon_months),
        "year_groups": [int(g) for g in screener.year_groups],
        "capacity": capacity,
        "threshold": threshold,
        "sizing": sizing_text(capacity, threshold),
        "tie_break": "risk descending, then UPN ascending",
        "features": list(screener.feature_names_),
        "feature_labels": dict(screener.feature_labels_),
        "audit_groups": list(screener.audit_groups),
        "min_cell": int(screener.min_cell),
        "training": copy.deepcopy(dict(screener.training_)),
    }
    if hasattr(model, "to_json"):
        facts["scorecard"] = json.loads(model.to_json())
    if hasattr(model, "scorecard_"):
        facts["scorecard_table"] = model.scorecard_.to_dict(orient="records")
    return facts
