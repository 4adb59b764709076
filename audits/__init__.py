"""Disproportionality and fairness audits of any scores or flags.

``audits`` is generic: any DataFrame with group columns and a score, a flag,
or both. It imports neither ``features``, ``models`` nor ``screening``.

>>> import pandas as pd, audits
>>> df = pd.DataFrame({"fsm": [True, False] * 50, "risk": [i / 100 for i in range(100)]})
>>> rep = audits.audit(df, groups="fsm", score="risk", capacity=0.2, n_boot=100,
...                    random_state=0)
>>> rep.to_frame()[["group", "n", "n_flagged"]]
   group   n  n_flagged
0  False  50         10
1   True  50         10
"""

from ._audit import audit
from ._report import FRAME_COLUMNS, AuditReport

__all__ = [
    # core
    "audit",
    "AuditReport",
    # constants
    "FRAME_COLUMNS",
]
