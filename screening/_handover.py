"""The Year 6 to 7 handover: each receiving school gets the list of its incoming pupils.

A screen of Year 6 at any date before the move, with an ``allocations`` table, keeps the
places known at the census (:func:`screening.features.allocations_at`). Each receiving
school's files hold exactly the screened pupils allocated a place there: their risk,
flag, reasons and current school, so the information recorded in primary is not lost at
transition. Allocations group the output; they never change a score or a flag.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ._csv import write_csv
from ._report import _table

if TYPE_CHECKING:
    from ._result import ScreeningResult


def incoming(result: ScreeningResult) -> pd.DataFrame:
    """The screened pupils with an allocated place: scores with ``destination`` and
    ``start_date`` (empty when the screen had no allocations)."""
    alloc = result.allocations
    if alloc is None or not len(alloc):
        return result.scores.iloc[0:0].assign(destination=pd.Series(dtype="string"),
                                              start_date=pd.Series(dtype="datetime64[ns]"))
    return result.scores.merge(alloc[["upn", "destination", "start_date"]], on="upn",
                               how="inner", validate="one_to_one")


def handover_html(result: ScreeningResult, school: object, pupils: pd.DataFrame,
                  audience: str) -> str:
    from ._packs import _points_table, _rule, page

    flagged = pupils[pupils["flagged"]]
    starts = ", ".join(sorted({str(pd.Timestamp(d).date()) for d in pupils["start_date"]}))
    body = [
        f"<p>Screened at census {escape(str(result.as_of.date()))}, before the move. "
        f"{len(pupils):,} pupils are allocated a place at school {escape(str(school))} "
        f"(starting {escape(starts)}); {len(flagged):,} of them are flagged for a "
        "conversation about early support at transition. Their current school is in the "
        "'school' column. The flag prioritises support; it never justifies a suspension, "
        "an exclusion or a refused place.</p>",
        _rule(result, min_cell=int(result.facts.get("min_cell", 10))),
        "<h2>Incoming pupils, highest risk first</h2>",
        _table(pupils.drop(columns="audience")),
        "<h2>What the points mean</h2>", _points_table(result),
    ]
    return page(f"Transition handover {result.as_of.date()}: incoming pupils of school "
                f"{school}", audience, body)


def write_handover(result: ScreeningResult, folder: Path) -> list[Path]:
    """Write ``<school>.html`` and ``.csv`` per receiving school; nothing without
    allocations."""
    from ._packs import HANDOVER_AUDIENCE, file_names, pupil_table

    pupils = incoming(result)
    if not len(pupils):
        return []
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    dest = pupils["destination"].astype(str).to_numpy()
    for school, name in file_names(sorted(set(dest))).items():
        audience = HANDOVER_AUDIENCE.format(school=school)
        table = pupil_table(pupils[dest == school], audience)
        html, csv = folder / f"{name}.html", folder / f"{name}.csv"
        html.write_text(handover_html(result, school, table, audience), encoding="utf-8")
        write_csv(table, csv)
        paths += [html, csv]
    return paths
