"""The frozen result object returned by :func:`screening.audits.audit`."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _messages as msg

#: Columns of :meth:`AuditReport.to_frame`, in order.
FRAME_COLUMNS = [
    "attribute", "group", "reference", "n", "n_flagged", "flag_rate",
    "flag_ratio", "flag_ratio_low", "flag_ratio_high",
    "flag_ratio_overall", "flag_ratio_overall_low", "flag_ratio_overall_high",
    "mean_score", "n_outcome", "base_rate", "base_ratio", "base_ratio_low", "base_ratio_high",
    "amplification", "amplification_low", "amplification_high",
    "tpr", "fpr", "fnr", "ppv", "auc", "calibration_gap", "suppressed", "note",
]


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
        Every ratio tested, with bootstrap and Holm-adjusted p-values.
    findings : tuple of str
        A summary line, then one plain-English sentence per finding.
    references : dict
        The reference group of each attribute.
    params : dict
        The settings used (``n_boot``, ``ci``, ``min_cell``, ...).

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
            "findings": list(self.findings),
        }

    def to_json(self, **kwargs) -> str:
        """:meth:`to_dict` as a JSON string (strict JSON: no NaN)."""
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    def html_fragment(self) -> str:
        """Tables and charts as an HTML ``<section>`` to embed in another page."""
        from ._html import fragment

        return fragment(self)

    def to_html(self, path=None) -> str:
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
