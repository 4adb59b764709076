"""Three outputs for three audiences: an LA overview, a restricted case list, school packs.

:meth:`ScreeningResult.write_packs` writes

* ``overview.html``: for scrutiny and partners. No pupil rows at all: the cohort totals,
  the flagging rule, the audit (suppressed by the audit's own rules, so no count under
  ``min_cell`` is shown or derivable from it), the findings, the model card and the
  evaluation's summary measures. Nothing pupil-level is added beside the audit: no
  status counts, no risk histogram, no calibration bins, no per-school counts, and any
  evaluation measure that would reveal a count under ``min_cell`` is withheld;
* ``case_list.html`` and ``case_list.csv``: restricted, for the LA inclusion team: every
  flagged pupil of every school;
* ``schools/<school>.html`` and ``.csv``: for one school, only that school's pupils,
  their reasons, what the points mean and LA-wide context without pupil rows;
* ``handover/<school>.html`` and ``.csv`` per receiving school when the screen had
  allocations (see :mod:`screening._handover`).

Every page says who it is for at its top and bottom (and, printed, on every page).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from ._csv import write_csv
from ._report import _CSS, _model_card, _table
from ._typing import PathLike
from ._units import ties_sentence

if TYPE_CHECKING:
    from ._result import Evaluation, ScreeningResult

OVERVIEW_AUDIENCE = (
    "LA overview: for scrutiny committees, governors and partners. It holds no "
    "pupil-level data, and counts under {min_cell} are suppressed.")
CASE_LIST_AUDIENCE = (
    "RESTRICTED case list: for the LA inclusion team only. It names pupils of every "
    "school; do not share it outside the team.")
SCHOOL_AUDIENCE = (
    "School pack for school {school} only: the pupils on this school's roll at the "
    "census. Do not share it outside the school.")
HANDOVER_AUDIENCE = (
    "Transition handover for receiving school {school} only: the pupils allocated a "
    "place there. Do not share it outside the school.")

#: Columns of a pupil list, in order (those present are used).
PUPIL_COLUMNS = ("rank", "upn", "school", "year_group", "risk", "flagged", "flag_unit",
                 "tied_at_cutoff", "reason_1", "reason_2", "reason_3", "status")

_PRINT_CSS = """
.audience{background:#222;color:#fff;padding:.4em .8em;font-weight:600}
@media print{.audience{position:fixed;left:0;right:0}.audience.top{top:0}
.audience.bottom{bottom:0}body{margin-top:3em;margin-bottom:3em}}
"""


def safe_name(text: str) -> str:
    """A file name for a school code: letters, digits, ``.``, ``_`` and ``-`` only.

    Examples
    --------
    >>> safe_name("100001"), safe_name("../etc/passwd"), safe_name("")
    ('100001', 'etc_passwd', 'school')
    """
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._")
    return name or "school"


def file_names(schools: Iterable[Any]) -> dict[Any, str]:
    """A distinct safe file name for each school (a suffix when two would collide).

    Examples
    --------
    >>> file_names(["A/B", "A_B", "C"])
    {'A/B': 'A_B', 'A_B': 'A_B-2', 'C': 'C'}
    """
    out, used = {}, set()
    for school in schools:
        base = name = safe_name(school)
        i = 1
        while name.lower() in used:
            i += 1
            name = f"{base}-{i}"
        used.add(name.lower())
        out[school] = name
    return out


def page(title: str, audience: str, body: list[str]) -> str:
    """A self-contained HTML page with the audience line at its top and bottom."""
    banner = escape(audience)
    return "\n".join([
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title><style>{_CSS}{_PRINT_CSS}</style></head><body>",
        f"<div class='audience top' role='note'>{banner}</div>",
        f"<h1>{escape(title)}</h1>",
        *[b for b in body if b],
        f"<div class='audience bottom' role='note'>{banner}</div>",
        "</body></html>",
    ])


def pupil_table(scores: pd.DataFrame, audience: str) -> pd.DataFrame:
    """The pupil columns of ``scores``, highest risk first, with an ``audience`` column."""
    cols = [c for c in PUPIL_COLUMNS if c in scores.columns]
    extra = [c for c in ("destination", "start_date", "already_known") if c in scores]
    out = scores.sort_values("rank")[cols + extra] if "rank" in scores else scores[cols + extra]
    out = out.reset_index(drop=True)
    out.insert(0, "audience", audience)
    return out


def _points_table(result: ScreeningResult) -> str:
    card = result.scorecard
    if card is None:
        return f"<p>{escape(result.facts['model_type'])} has no points table.</p>"
    labels = result.facts.get("feature_labels", {})
    cols = [c for c in ("feature", "band", "points") if c in card]
    card = card[cols].copy()  # no training counts: a band may hold few pupils
    if "feature" in card:
        card.insert(0, "indicator", card["feature"].map(lambda f: labels.get(f, f)))
    return ("<p>Each pupil's risk comes from points: every indicator band below adds its "
            "points, and the total maps to a probability. A reason names the band that "
            "adds most for the pupil, with its points. Points describe recorded data, "
            "not the child.</p>" + _table(card))


def _rule(result: ScreeningResult, min_cell: int | None = None) -> str:
    facts = result.facts
    rule = facts.get("tie_rule", "")
    sentence = "" if result.ties is None else ties_sentence(result.ties, rule,
                                                            min_cell=min_cell)
    sizing = facts["sizing"]
    text = f"<p><b>Who is flagged.</b> {escape(sizing[:1].upper() + sizing[1:])}"
    if sentence:
        return text + f".</p><p id='ties'><b>Ties at the cut-off.</b> {escape(sentence)}</p>"
    return text + (f"; {escape(rule)}." if rule else ".") + "</p>"


def _findings(result: ScreeningResult) -> str:
    findings = list(getattr(result.audit, "findings", []) or [])
    if not findings:
        return ""
    return ("<div class='warn'><b>LA-wide audit findings</b><ul>" + "".join(
        f"<li>{escape(f)}</li>" for f in findings) + "</ul></div>")


def _evaluation_summary(evaluation: Evaluation | None, min_cell: int) -> str | None:
    """The evaluation's measures, withholding any that would reveal a count < min_cell."""
    if evaluation is None:
        return None
    m = evaluation.metrics
    n = int(m["n"])
    outcomes = float(m["base_rate"]) * n
    hits = float(m["recall_at_capacity"]) * outcomes
    flagged = hits / float(m["precision_at_capacity"]) if m["precision_at_capacity"] else 0
    small = min(hits, flagged - hits, outcomes - hits) < min_cell - 1e-6
    capacity = (f"precision at capacity {m['precision_at_capacity']:.3f}, recall at capacity "
                f"{m['recall_at_capacity']:.3f}, " if not small else
                f"precision and recall at capacity withheld (they would show a count under "
                f"{min_cell}), ")
    rate = (f"outcome rate {m['base_rate']:.3%}" if min(outcomes, n - outcomes) >= min_cell
            else "outcome rate withheld")
    return (f"<p>On the later census {escape(str(evaluation.as_of.date()))} (outcomes known, "
            f"not used in training): AUC {m['auc']:.3f}, average precision "
            f"{m['average_precision']:.3f}, calibration error {m['calibration_error']:.4f}, "
            f"{capacity}{n:,} pupils, {rate}.</p>")


#: The audit tables a per-unit capacity makes derivable: with "the top 5% of each
#: school" public, each school's number of flags follows from its size, so a breakdown
#: by school (or year group) could give away a count the audit hides.
_UNIT_TABLES: dict[str, tuple[str, ...]] = {"school": ("school",), "phase": ("year_group",),
                "year_group": ("year_group",)}


def overview_audit(result):
    """The audit as the overview shows it: without the tables split by the capacity unit.

    With ``capacity_by``, every unit's number of flags is known from the rule and the
    unit's size, a total the audit's suppression does not know is public. The overview
    therefore leaves out the breakdown by that unit (and the unit as an audit group);
    the restricted outputs keep the whole audit.
    """
    import dataclasses

    rep: Any = result.audit
    drop = _UNIT_TABLES.get(result.facts.get("capacity_by") or "", ())
    if not drop or not dataclasses.is_dataclass(cast(Any, rep)):  # rep stays an AuditReport
        return rep

    def keep(frame, column):
        if frame is None or not len(frame) or column not in frame:
            return frame
        return frame[~frame[column].isin(drop)].reset_index(drop=True)

    findings = tuple(f for f in rep.findings if not any(f"with {d} =" in f for d in drop))
    return dataclasses.replace(
        rep, by_group=keep(rep.by_group, "attribute"),
        by_control=keep(rep.by_control, "control"),
        concentration=keep(rep.concentration, "control"),
        comparisons=keep(rep.comparisons, "attribute"),
        calibration=keep(rep.calibration, "attribute"), findings=findings,
        adjusted=keep(rep.adjusted, "attribute"))


def overview_html(result: ScreeningResult, evaluation: Evaluation | None = None) -> str:
    """The LA overview: no pupil rows, nothing beyond the audit's suppressed counts."""
    min_cell = int(result.facts.get("min_cell", 10))
    s = result.scores
    audit = overview_audit(result)
    as_of = str(result.as_of.date())
    body = [
        f"<p>Census {escape(as_of)}. {len(s):,} pupils in Years "
        f"{escape(', '.join(map(str, result.facts['year_groups'])))} were screened and "
        f"{int(s['flagged'].sum()):,} flagged for a conversation about early support.</p>",
        _rule(result, min_cell=min_cell),
        _findings(result),
        "<h2>Model card</h2>",
        _model_card(result, evaluation, None,
                    metrics=_evaluation_summary(evaluation, min_cell)),
        "<h2>Disproportionality audit</h2>", _unit_note(result),
        audit.html_fragment() if hasattr(audit, "html_fragment") else "",
    ]
    return page(f"Early identification screen {as_of}: LA overview",
                OVERVIEW_AUDIENCE.format(min_cell=min_cell), body)


def _unit_note(result: ScreeningResult) -> str:
    drop = _UNIT_TABLES.get(result.facts.get("capacity_by") or "", ())
    if not drop:
        return ""
    return (f"<p>The capacity applies within each {escape(result.facts['capacity_by'])}, so "
            "each unit's number of flags follows from the rule; the audit's tables by "
            f"{escape(' and '.join(d.replace('_', ' ') for d in drop))} are left out of "
            "this overview, as they could reveal a count it hides.</p>")


def case_list_html(result: ScreeningResult, table: pd.DataFrame) -> str:
    body = [f"<p>Every flagged pupil ({len(table):,}), highest risk first. Reasons are the "
            "scorecard lines that add most points for the pupil.</p>",
            _rule(result), _table(table.drop(columns="audience"))]
    return page(f"Early identification screen {result.as_of.date()}: case list",
                CASE_LIST_AUDIENCE, body)


def school_html(result: ScreeningResult, school: object, pupils: pd.DataFrame, audience: str,
                name: str) -> str:
    flagged = pupils[pupils["flagged"]]
    s = result.scores
    body = [
        f"<p>Census {escape(str(result.as_of.date()))}. {len(pupils):,} of this school's "
        f"pupils were screened; {len(flagged):,} are flagged for a conversation about "
        "early support. The flag prioritises support; it never justifies a suspension or "
        "exclusion.</p>",
        _rule(result, min_cell=int(result.facts.get("min_cell", 10))),
        "<h2>Flagged pupils and reasons</h2>",
        _table(flagged.drop(columns="audience")) if len(flagged) else
        "<p>No pupil of this school is flagged.</p>",
        "<h2>What the points mean</h2>", _points_table(result),
        "<h2>LA-wide context (no pupil rows)</h2>",
        f"<p>Across the LA, {len(s):,} pupils were screened and "
        f"{int(s['flagged'].sum()):,} flagged.</p>",
        _findings(result),
        f"<p>The full list of this school's screened pupils is in the CSV file beside this "
        f"page ({escape(name)}.csv).</p>",
    ]
    return page(f"Early identification screen {result.as_of.date()}: school {school}",
                audience, body)


def write_packs(result: ScreeningResult, folder: PathLike, *,
                evaluation: Evaluation | None = None) -> list[Path]:
    """Write the overview, the case list and one pack per school into ``folder``."""
    from ._handover import write_handover

    folder = Path(folder)
    (folder / "schools").mkdir(parents=True, exist_ok=True)
    paths = [folder / "overview.html", folder / "case_list.html", folder / "case_list.csv"]
    paths[0].write_text(overview_html(result, evaluation), encoding="utf-8")
    cases = pupil_table(result.scores[result.scores["flagged"]], CASE_LIST_AUDIENCE)
    paths[1].write_text(case_list_html(result, cases), encoding="utf-8")
    write_csv(cases, paths[2])
    scores = result.scores
    names = file_names(sorted(scores["school"].astype(str).unique()))
    school_of = scores["school"].astype(str).to_numpy()
    for school, name in names.items():
        audience = SCHOOL_AUDIENCE.format(school=school)
        pupils = pupil_table(scores[school_of == school], audience)
        html, csv = folder / "schools" / f"{name}.html", folder / "schools" / f"{name}.csv"
        html.write_text(school_html(result, school, pupils, audience, name), encoding="utf-8")
        write_csv(pupils, csv)
        paths += [html, csv]
    paths += write_handover(result, folder / "handover")
    readme = folder / "README.txt"
    readme.write_text(_README.format(as_of=result.as_of.date(), n=len(names)),
                      encoding="utf-8")
    return [*paths, readme]


_README = """Early identification screen, census {as_of}: who each file is for.

overview.html        LA overview for scrutiny and partners: no pupil-level data, counts
                     under the audit's minimum suppressed. Safe to share.
case_list.html/.csv  RESTRICTED: the LA inclusion team only. Every flagged pupil.
schools/             One pack per school ({n} schools): each holds ONLY that school's
                     pupils. Send each school its own two files and nothing else.
handover/            Present when allocations were given: for each receiving school, the
                     pupils allocated a place there. Send each school its own files only.

A flag prioritises early support. It must never be used to justify a suspension or
exclusion, to refuse a school place, or to make any automated decision about a child.
"""
