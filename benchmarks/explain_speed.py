"""``RiskScorecard.explain`` against interpret EBM's ``eval_terms`` on the same rows (issue 13).

Both models are fitted on a synthetic LA (``make_local_authority(n_pupils, seed)``, two
complete censuses, the default features without the school's suspension rate; EBM with
``interactions=0``, purely additive like the card), then the test census's cohort is tiled
to about ``--rows`` rows and each model's per-feature contributions are computed on those
same rows: best of ``--repeat`` runs, in rows per second. The ratio is measured in the
same run, so it is less affected by other work on the machine than the absolute rates.
Writes ``benchmarks/explain_speed.json``. Run
``python benchmarks/explain_speed.py [--pupils 20000] [--seed 7] [--rows 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

OUT = Path(__file__).with_suffix(".json")


def _best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    """Fit both models, time their contributions on the same tiled rows, write the JSON."""
    from interpret.glassbox import ExplainableBoostingClassifier
    from model_peers import load_la

    from screening import models

    ap = argparse.ArgumentParser()
    ap.add_argument("--pupils", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    X_tr, y_tr, g_tr, X_te, _, hints = load_la(a.pupils, a.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        card = models.RiskScorecard(**hints, random_state=0).fit(X_tr, y_tr, groups=g_tr)
        ebm = ExplainableBoostingClassifier(interactions=0, random_state=0).fit(X_tr, y_tr)
    reps = max(1, round(a.rows / len(X_te)))
    X = pd.concat([X_te] * reps, ignore_index=True)
    n = len(X)
    card_s = _best(lambda: card.explain(X), a.repeat)
    ebm_s = _best(lambda: ebm.eval_terms(X), a.repeat)
    # the card's contributions add up to its score exactly on these rows
    c = card.explain(X.iloc[:20_000])
    assert np.allclose(c.sum(axis=1).to_numpy() + card.intercept_,
                       card.decision_function(X.iloc[:20_000]))
    doc = {"pupils": a.pupils, "seed": a.seed, "rows": n, "features": X.shape[1],
           "load_1min_before": os.getloadavg()[0],
           "scorecard_rows_per_s": n / card_s, "ebm_eval_terms_rows_per_s": n / ebm_s,
           "ratio_scorecard_over_ebm": ebm_s / card_s, "head": os.popen(
               f"git -C {Path(__file__).parent} rev-parse --short HEAD").read().strip()}
    print(json.dumps(doc, indent=1))
    label = os.environ.get("LABEL", "run")
    old = json.loads(OUT.read_text()) if OUT.exists() else {}
    old[label] = doc
    OUT.write_text(json.dumps(old, indent=1) + "\n")


if __name__ == "__main__":
    main()
