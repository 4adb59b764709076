"""RiskScorecard against additive peers and boosting on the same splits (issue 13).

Peers: interpret's ExplainableBoostingClassifier (purely additive, ``interactions=0``),
optbinning's ``Scorecard``, a plain logistic regression (``models.plain_logistic``) and
scikit-learn's HistGradientBoosting, with the scorecard before issue 13 (``C=1``,
``min_band_size=0.05``, ``min_band_events=0``) and now (``"auto"``). Peers missing from the
environment are skipped with a note (install the ``bench`` extra).

Data:

- a held-out synthetic LA (``make_local_authority(n_pupils, seed)``): train on two
  complete censuses, test on the next, the default feature set (without the school's
  suspension rate);
- OULAD and UCI student performance as in ``benchmarks/real_data.py`` (read from
  ``/work/shared/datasets``; see each README there).

Measures: AUC, average precision, precision at 5%, calibration error (equal-count bins),
mean predicted risk over the observed rate, fit seconds. Run
``python benchmarks/model_peers.py [n_pupils] [seed]``.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _precision_at(y, p, share=0.05):
    k = max(1, int(share * len(y)))
    return float(np.asarray(y)[np.argsort(-p, kind="stable")[:k]].mean())


def load_la(n_pupils=60_000, seed=7):
    """(X_train, y_train, groups_train, X_test, y_test) of a synthetic LA."""
    import screening
    from screening import features

    la = screening.datasets.make_local_authority(n_pupils=n_pupils, seed=seed)
    complete = list(la.census_dates)[:-1]
    names = [f for f in features.describe()["feature"] if f not in features.SCHOOL_CONTEXT]

    def part(dates):
        Xs, ys, gs = [], [], []
        for d in dates:
            X = features.build(la.records, as_of=d, year_groups=(5, 6, 7))
            y = features.label(la.records, as_of=d, horizon_months=12, target="suspension",
                               year_groups=(5, 6, 7)).reindex(X.index)
            Xs.append(X[names])
            ys.append(y.astype(int).to_numpy())
            gs.append(X.index.to_numpy().astype(str))
        return pd.concat(Xs, ignore_index=True), np.concatenate(ys), np.concatenate(gs)

    X_tr, y_tr, g_tr = part(complete[-3:-1])
    X_te, y_te, _ = part(complete[-1:])
    return X_tr, y_tr, g_tr, X_te, y_te, features.model_hints(names)


def _peers(X, hints, random_state=0):
    from screening.models import RiskScorecard, plain_logistic

    out = {
        "RiskScorecard (before: C=1, 5% bands)": lambda: RiskScorecard(
            **hints, C=1.0, min_band_size=0.05, min_band_events=0, max_points=10,
            random_state=random_state),
        "RiskScorecard (auto)": lambda: RiskScorecard(**hints, random_state=random_state),
        "LogisticRegression": plain_logistic,
        "HistGradientBoosting": lambda: _NoEmptyColumns(HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=random_state)),
    }
    try:
        from interpret.glassbox import ExplainableBoostingClassifier

        out["EBM (interactions=0)"] = lambda: ExplainableBoostingClassifier(
            interactions=0, random_state=random_state)
    except ImportError as exc:
        out["EBM (interactions=0)"] = exc
    try:
        from optbinning import BinningProcess, Scorecard
        from sklearn.linear_model import LogisticRegression

        cats = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])
                and not pd.api.types.is_bool_dtype(X[c])]
        out["optbinning Scorecard"] = lambda: _OptScorecard(
            Scorecard(binning_process=BinningProcess(list(X.columns),
                                                     categorical_variables=cats),
                      estimator=LogisticRegression(max_iter=2000)))
    except ImportError as exc:
        out["optbinning Scorecard"] = exc
    return out


class _NoEmptyColumns:
    """HistGradientBoosting fails on a column missing in every row: drop such columns
    (they carry no information) and make text columns categorical."""

    def __init__(self, model):
        self.model = model

    def _frame(self, X):
        X = X[self.keep_].copy()
        for c in X.columns:
            if X[c].dtype == object:
                X[c] = X[c].astype("category")
        return X

    def fit(self, X, y):
        self.keep_ = [c for c in X.columns if X[c].notna().any()]
        self.model.fit(self._frame(X), y)
        return self

    def predict_proba(self, X):
        return self.model.predict_proba(self._frame(X))


class _OptScorecard:
    """optbinning's Scorecard wants float columns for bools and plain text categories."""

    def __init__(self, card):
        self.card = card

    @staticmethod
    def _frame(X):
        X = X.copy()
        for c in X.columns:
            if pd.api.types.is_bool_dtype(X[c]) or X[c].dtype == object and set(
                    X[c].dropna().unique()) <= {True, False}:
                X[c] = X[c].astype(float)
            elif not pd.api.types.is_numeric_dtype(X[c]):
                X[c] = X[c].astype(object).where(X[c].notna(), "missing").astype(str)
        return X

    def fit(self, X, y):
        self.card.fit(self._frame(X), y)
        return self

    def predict_proba(self, X):
        return self.card.predict_proba(self._frame(X))


def compare(name, X_tr, y_tr, X_te, y_te, *, hints=None, groups=None):
    rows = []
    for model_name, make in _peers(X_tr, hints or {}).items():
        if isinstance(make, Exception):
            rows.append({"data": name, "model": model_name, "note": f"not run: {make}"})
            continue
        model = make()
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if model_name.startswith("RiskScorecard") and groups is not None:
                    model.fit(X_tr, y_tr, groups=groups)
                else:
                    model.fit(X_tr, y_tr)
            except ValueError as error:  # optbinning on an all-missing column
                rows.append({"data": name, "model": model_name, "note": f"not run: {error}"})
                continue
            fit = time.perf_counter() - t
            p = np.asarray(model.predict_proba(X_te))[:, 1]
        from screening.models import calibration_error

        rows.append({"data": name, "model": model_name, "auc": roc_auc_score(y_te, p),
                     "average_precision": average_precision_score(y_te, p),
                     "precision_at_5pct": _precision_at(y_te, p),
                     "calibration_error": calibration_error(y_te, p),
                     "mean_risk_over_rate": float(p.mean() / np.mean(y_te)),
                     "fit_seconds": fit, "note": ""})
        print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def main(n_pupils=60_000, seed=7):
    from real_data import DATASETS, load_oulad, load_uci_student

    # a worktree sits one level deeper than the main checkout
    root = next((p for p in (DATASETS, Path("/work/shared/datasets")) if p.is_dir()),
                DATASETS)
    frames = [compare("UCI student (Portuguese)", *load_uci_student(root)),
              compare("OULAD (2013 -> 2014)", *load_oulad(root))]
    X_tr, y_tr, g_tr, X_te, y_te, hints = load_la(n_pupils, seed)
    frames.append(compare(f"synthetic LA ({n_pupils:,} pupils, seed {seed})", X_tr, y_tr,
                          X_te, y_te, hints=hints, groups=g_tr))
    table = pd.concat(frames, ignore_index=True)
    print(markdown(table))
    return table


def markdown(table):
    """A Markdown table (three decimals, fit time in seconds), without tabulate."""
    cols = ["data", "model", "auc", "average_precision", "precision_at_5pct",
            "calibration_error", "mean_risk_over_rate", "fit_seconds", "note"]
    table = table.reindex(columns=cols)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in table.itertuples(index=False):
        cells = [f"{v:.3f}" if isinstance(v, float) and v == v else
                 ("" if isinstance(v, float) else str(v)) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
