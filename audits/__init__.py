"""Disproportionality and fairness audits of any scores or flags.

``audits`` is generic: any DataFrame with group columns and a score, a flag,
or both. It imports neither ``features``, ``models`` nor ``screening``.

>>> import pandas as pd; from screening import audits
>>> df = pd.DataFrame({"fsm": [True, False] * 50, "risk": [i / 100 for i in range(100)]})
>>> rep = audits.audit(df, groups="fsm", score="risk", capacity=0.2, n_boot=100,
...                    random_state=0)
>>> rep.to_frame()[["group", "n", "n_flagged"]]
   group   n  n_flagged
0  False  50         10
1   True  50         10
"""

from ._adjusted import adjusted_ratios
from ._audit import audit
from ._capacity import CURVE_COLUMNS, DEFAULT_CAPACITIES, capacity_curve
from ._flag import check_rule, cutoff_ties, flag_top, n_to_flag, rank_order
from ._merge import merge_audits
from ._metricframe import metric_frame
from ._report import FRAME_COLUMNS, SYMBOLS, AuditReport

__all__ = [
    # core
    "audit",
    "AuditReport",
    # many frames (local authorities) into one exact audit
    "merge_audits",
    # disproportionality after controlling for covariates
    "adjusted_ratios",
    # any scikit-learn metric per group (fairlearn MetricFrame), suppressed, with intervals
    "metric_frame",
    # the flagging rule (capacity, threshold, ties) every part of the library uses
    "flag_top", "check_rule", "n_to_flag", "rank_order", "cutoff_ties",
    # precision, recall, flags per group and amplification as the capacity varies
    "capacity_curve", "DEFAULT_CAPACITIES", "CURVE_COLUMNS",
    # constants
    "FRAME_COLUMNS", "SYMBOLS",
]
