"""The frozen result object returned by :func:`screening.audits.audit`."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _messages as msg

if TYPE_CHECKING:
    from ._tally import Tally


def _ci(name):
    return [name, name + "_low", name + "_high"]


_ERRORS = ("tpr", "fpr", "fnr", "ppv", "npv", "fdr", "for", "tnr")

#: Columns of :meth:`AuditReport.to_frame`, in order.
FRAME_COLUMNS = [
    "attribute", "group", "reference", "n", "n_flagged", "flag_rate", "flag_rate_diff",
    *_ci("flag_ratio"), *_ci("flag_ratio_overall"),
    "mean_score", "n_outcome", "base_rate", "base_rate_diff", *_ci("base_ratio"),
    *_ci("amplification"),
    "recent_base_rate", *_ci("recent_base_ratio"), *_ci("recent_amplification"),
    *_ERRORS,
    *(c for e in _ERRORS for c in (*_ci(f"{e}_ratio"), f"{e}_diff")),
    "auc", "calibration_gap", "suppressed", "note",
]
#: Government statistics symbols written by :meth:`AuditReport.to_csv` with symbols=True.
SYMBOLS = {"suppressed": "c", "low": "low", "not_applicable": "z"}

def _jsonable(x):
    """Python scalars for JSON: NaN, inf and pandas NA become None."""
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, pd.Timestamp):
        return x.isoformat()
    return str(x) if not isinstance(x, str) else x


def _records(df: pd.DataFrame) -> list[dict]:
    return [_jsonable(dict(zip(df.columns, row))) for row in df.itertuples(index=False)]


@dataclass(frozen=True, eq=False, repr=False)
class AuditReport:
    """Result of :func:`screening.audits.audit`, computed once; every table is a DataFrame.

    Attributes
    ----------
    by_group : pandas.DataFrame
        One row per attribute and group (columns :data:`FRAME_COLUMNS`).
    overall : pandas.Series
        Cohort-wide counts and rates (``n``, ``n_flagged``, ``flag_rate`` ...).
    calibration : pandas.DataFrame
        Binned reliability table per attribute and group (empty without
        both a score and an outcome).
    by_control : pandas.DataFrame
        The same table within each value of each control feature; never
        aggregated over controls. Use :meth:`breakdown`.
    concentration : pandas.DataFrame
        Share of flags (and outcomes) made by the top units of each control.
    comparisons : pandas.DataFrame
        Every ratio tested: ``attribute, group, reference_group, measure, ratio, low,
        high, p, p_bootstrap, difference, p_holm, finding, sentence``. ``p`` comes from a
        test on the counts (``params["p_value_method"]``); ``p_bootstrap`` is the
        bootstrap's own p-value, kept as a check (its resolution is ``2 / (n_boot + 1)``).
    findings : tuple of str
        A summary line, then one plain-English sentence per finding.
    references : dict
        The reference group of each attribute.
    params : dict
        The settings used (``n_boot``, ``ci``, ``min_cell``, the p-value method, the
        recent cohort's label, ...).
    adjusted : pandas.DataFrame or None
        Odds and risk ratios controlling for ``adjust=`` covariates
        (:func:`adjusted_ratios`), one block per measure (``flagged``, ``outcome``,
        ``recent outcome``); None when not asked for.
    cells : CellTables
        The unsuppressed cell counts every table was computed from, kept so that audits
        of several local authorities can be merged exactly. Never published: not in
        :meth:`to_dict`, :meth:`to_csv` or the HTML.
    tally : Tally
        The joint counts of the audit's inputs and its settings, from which
        :func:`merge_audits` rebuilds the audit of several frames exactly (see
        ``screening.audits._tally``). Never published either.

    See Also
    --------
    audit : builds this report.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.audits import audit
    >>> df = pd.DataFrame({"fsm": [True, False] * 30, "school": ["a", "b", "c"] * 20,
    ...                    "flagged": [1, 0, 0, 0] * 15})
    >>> rep = audit(df, groups="fsm", flag="flagged", controls="school", n_boot=100,
    ...             random_state=0)
    >>> rep.to_frame()[["group", "n", "n_flagged", "flag_ratio"]]
       group   n  n_flagged  flag_ratio
    0  False  30          0         NaN
    1   True  30         15         NaN
    >>> rep.to_frame().loc[1, "note"]
    'reference group has no flags: flag ratios undefined'
    >>> rep.breakdown("school")[["control_value", "group", "n"]].head(2)
      control_value  group   n
    0             a  False  10
    1             a   True  10
    >>> rep.to_dict()["by_group"][0]["flag_ratio"] is None
    True
    """

    by_group: pd.DataFrame
    overall: pd.Series
    calibration: pd.DataFrame
    by_control: pd.DataFrame
    concentration: pd.DataFrame
    comparisons: pd.DataFrame
    findings: tuple[str, ...]
    references: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    adjusted: pd.DataFrame | None = None
    cells: object = field(default=None, repr=False)
    tally: Tally | None = field(default=None, repr=False)

    @property
    def attributes(self) -> list[str]:
        """Names of the audited attributes, in order."""
        return list(dict.fromkeys(self.by_group["attribute"]))

    def to_frame(self) -> pd.DataFrame:
        """Tidy table, one row per attribute and group (a copy).

        Rates are fractions; suppressed rows show no counts or rates.
        """
        return self.by_group[FRAME_COLUMNS].copy()

    def breakdown(self, control: str) -> pd.DataFrame:
        """The table within each value of one control feature (e.g. ``"school"``)."""
        known = list(dict.fromkeys(self.by_control["control"])) if len(self.by_control) else []
        if control not in known:
            raise KeyError(msg._UNKNOWN_CONTROL.format(control, known or "none"))
        out = self.by_control[self.by_control["control"] == control]
        return out.drop(columns="control").reset_index(drop=True)

    def to_dict(self) -> dict:
        """Everything as JSON-safe Python objects (NaN and inf become None)."""
        return {
            "params": _jsonable(self.params),
            "references": _jsonable(self.references),
            "overall": _jsonable(self.overall.to_dict()),
            "by_group": _records(self.to_frame()),
            "calibration": _records(self.calibration),
            "by_control": _records(self.by_control),
            "concentration": _records(self.concentration),
            "comparisons": _records(self.comparisons),
            "adjusted": None if self.adjusted is None else _records(self.adjusted),
            "findings": list(self.findings),
        }

    def not_applicable(self) -> list[str]:
        """Columns that are blank in every row because the audit had nothing to fill them.

        (No outcome given: outcome, error-rate and amplification columns; no score:
        mean score and AUC; no recent cohort: the ``recent_*`` columns; no bootstrap:
        the intervals.)
        """
        p = self.params
        out = []
        if not p.get("has_outcome"):
            out += [c for c in FRAME_COLUMNS if c.startswith(
                ("n_outcome", "base_", "amplification", "auc", "calibration_gap",
                 *(e + "_" for e in _ERRORS))) or c in _ERRORS]
        if not p.get("has_score"):
            out += ["mean_score", "auc", "calibration_gap"]
        if not p.get("has_recent"):
            out += [c for c in FRAME_COLUMNS if c.startswith("recent_")]
        if not p.get("n_boot"):
            out += [c for c in FRAME_COLUMNS if c.endswith(("_low", "_high"))]
        return list(dict.fromkeys(out))

    def to_csv(self, path: str | os.PathLike[str] | None = None, *, symbols: bool = False,
               decimals: int | None = None, table: str = "by_group") -> str:
        """The tidy table (or a breakdown) as CSV; written to ``path`` if given.

        Parameters
        ----------
        symbols : bool, default=False
            Write the government statistics symbols in blank cells: ``c`` where a
            value is suppressed to protect small counts, ``z`` where it does not apply
            (the reference group's interval, no outcome given, a rate with no
            denominator), and ``low`` for a non-zero value that rounds to zero at
            ``decimals``.
        decimals : int, optional
            Round numbers to this many decimal places.
        table : {"by_group", "by_control"}
            Which table to write.

        Examples
        --------
        >>> import pandas as pd
        >>> from screening.audits import audit
        >>> df = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 20 + ["c"] * 4, "f": [1, 0] * 27})
        >>> rep = audit(df, groups="g", flag="f", n_boot=0)
        >>> print(rep.to_csv(symbols=True).splitlines()[3][:30])
        g,c,False,c,c,c,c,c,z,z,c,z,z,
        """
        if not isinstance(symbols, bool):
            raise ValueError(msg._SYMBOLS.format(symbols))
        if table == "by_control":
            src = self.by_control
            cols = ["control", "control_value"] + FRAME_COLUMNS
        else:
            src, cols = self.by_group, FRAME_COLUMNS
        out = src[cols].copy()
        if decimals is not None:
            num = [c for c in cols if out[c].dtype.kind == "f"]
            raw = out[num].copy()
            out[num] = out[num].round(decimals)
        if symbols:
            gone = src.get("_suppressed_columns", pd.Series([""] * len(src), index=src.index))
            na = set(self.not_applicable())
            out = out.astype(object)
            for i, (idx, row) in enumerate(out.iterrows()):
                hidden = set(str(gone.iloc[i]).split(",")) if gone.iloc[i] else set()
                for c in cols:
                    v = row[c]
                    if c in ("note", "attribute", "group", "control", "control_value"):
                        continue
                    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                        out.at[idx, c] = SYMBOLS["suppressed"] if (
                            c in hidden and c not in na) else SYMBOLS["not_applicable"]
                    elif decimals is not None and c in num and v == 0 and raw.at[idx, c] != 0:
                        out.at[idx, c] = SYMBOLS["low"]
        text = out.to_csv(index=False)
        if path is not None:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        return text

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as a JSON string (strict JSON: no NaN)."""
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    def html_fragment(self) -> str:
        """Tables and charts as an HTML ``<section>`` to embed in another page."""
        from ._html import fragment

        return fragment(self)

    def _repr_html_(self) -> str:
        """Notebooks show the findings, the ratio chart and the tables (the HTML fragment)."""
        return self.html_fragment()

    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """A self-contained HTML page (charts inline); written to ``path`` if given."""
        from ._html import page

        html = page(self)
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(html)
        return html

    def __repr__(self) -> str:
        fr = self.by_group["flag_ratio"].astype(float)
        fr = fr[np.isfinite(fr)]
        span = f", flag_ratio {fr.min():.2f}-{fr.max():.2f}" if len(fr) else ""
        n_find = max(0, len(self.findings) - 1)
        return (f"AuditReport({len(self.attributes)} attributes, {len(self.by_group)} groups, "
                f"n={self.params.get('n_rows')}, n_boot={self.params.get('n_boot')}"
                f"{span}, {n_find} finding{'s' if n_find != 1 else ''})")
