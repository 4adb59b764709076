"""An out-of-time evaluation written out: JSON, CSV tables and one HTML page.

Used by ``screening evaluate`` (and so by anyone who wants an :class:`Evaluation` on
disk). The page reuses the screening report's model card, calibration chart and the
audit's own fragment (error rates by group, suppressed by the audit's rules).
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from ._csv import write_csv
from ._result import _jsonable, _records
from ._typing import PathLike

if TYPE_CHECKING:
    from ._result import Evaluation, ScreeningResult

#: Schema of ``evaluation.json``; see ``docs/json-schema.md``.
EVALUATION_SCHEMA = "pupil-risk-screening/evaluation"
EVALUATION_SCHEMA_VERSION = "1.0"

#: Files written by :func:`write_evaluation`.
EVALUATION_FILES = ("evaluation.json", "metrics.csv", "calibration.csv", "audit.csv",
                    "scores.csv", "evaluation.html")


def evaluation_dict(ev: Evaluation) -> dict[str, Any]:
    """The evaluation as a JSON-able dict (no pupil rows: those are in ``scores.csv``)."""
    audit = ev.audit
    return _jsonable({
        "schema": EVALUATION_SCHEMA,
        "schema_version": EVALUATION_SCHEMA_VERSION,
        "as_of": ev.as_of.date().isoformat(),
        "metrics": ev.metrics.to_dict(),
        "calibration": _records(ev.calibration),
        "training": dict(ev.training),
        "model": dict(ev.facts),
        "audit": audit.to_dict() if hasattr(audit, "to_dict") else None,
    })


def evaluation_html(ev: Evaluation) -> str:
    """One self-contained page: the measures, calibration, model card and audit."""
    from ._report import _CSS, _calibration_chart, _model_card, _table

    # a stand-in for the result: the model card reads only its model facts
    holder = SimpleNamespace(model_facts=lambda: json.loads(json.dumps(
        _jsonable(dict(ev.facts)))))
    as_of = escape(str(ev.as_of.date()))
    trained = escape(", ".join(ev.training.get("census_dates", [])))
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Out-of-time evaluation {as_of}</title><style>{_CSS}</style></head><body>",
        f"<h1>Out-of-time evaluation at census {as_of}</h1>",
        f"<p>The model trained on census dates {trained} scored the cohort at {as_of}, "
        "whose outcomes are now known and were not used in training.</p>",
        _table(ev.metrics.rename("value").rename_axis("metric").reset_index(),
               float_format="{:.4f}".format),
        "<h2>Calibration</h2>", _calibration_chart(ev.calibration),
        "<h2>Model card</h2>", _model_card(cast("ScreeningResult", holder), ev, None),
        ev.audit.html_fragment() if hasattr(ev.audit, "html_fragment") else "",
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


def write_evaluation(ev: Evaluation, folder: PathLike) -> list[Path]:
    """Write :data:`EVALUATION_FILES` for ``ev`` into ``folder``; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in EVALUATION_FILES]
    paths[0].write_text(json.dumps(evaluation_dict(ev), allow_nan=False), encoding="utf-8")
    write_csv(ev.metrics.rename("value").rename_axis("metric").reset_index(), paths[1])
    write_csv(ev.calibration, paths[2])
    write_csv(ev.audit.to_frame(), paths[3])
    write_csv(ev.scores, paths[4])
    paths[5].write_text(evaluation_html(ev), encoding="utf-8")
    return paths
