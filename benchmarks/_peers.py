"""Peers, side by side in the same run: shap, fairlearn, boosting, logistic regression, oracle.

- :func:`compare_shap`: the scorecard's ``explain`` against shap on the same model.
- :func:`compare_models`: scorecard, boosting, logistic regression and the generator's
  true risk on a temporal split (train on two censuses, test on the next complete one).
- :func:`compare_fairlearn` and :func:`real_data`: call the comparisons other benchmark
  modules provide (``audit_vs_fairlearn.py``, ``real_data.py``) when they are present.
"""

from __future__ import annotations

import importlib
import time

import numpy as np
import pandas as pd


def _timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


# --------------------------------------------------------------------------- shap
def _banded_design(model, X):
    """The scorecard's one-hot banded design (n, total bands) and its coefficients (points).

    ``decision_function(X) == design @ coef + intercept_`` exactly: every row has one band
    per feature set to 1, and the coefficient of a band is its points.
    """
    from scipy import sparse

    codes, _ = model._encode(X)
    table = np.concatenate([np.asarray(p, dtype=float) for p in model.band_points_])
    offsets = np.cumsum([0] + [len(p) for p in model.band_points_[:-1]])
    flat = codes + offsets
    n, p = flat.shape
    rows = np.repeat(np.arange(n), p)
    design = sparse.csr_matrix((np.ones(n * p), (rows, flat.ravel())), shape=(n, len(table)))
    return design, table, offsets


def _numeric_view(model, X):
    """(encode, f): X as a float array for shap, and the scorecard's score on such arrays.

    Categorical columns become their category codes (NaN when missing); ``f`` turns an
    array back into a frame with the original dtypes and returns ``decision_function``.
    """
    cols = list(X.columns)
    cats = {c: X[c].cat.categories for c in cols
            if isinstance(X[c].dtype, pd.CategoricalDtype)}

    def encode(frame):
        out = np.empty(frame.shape, dtype=float)
        for j, c in enumerate(cols):
            s = frame[c]
            if c in cats:
                codes = s.cat.codes.to_numpy().astype(float)
                codes[codes < 0] = np.nan
                out[:, j] = codes
            else:
                out[:, j] = s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return out

    def f(values):
        t = time.perf_counter()
        # numeric and yes/no columns stay float (0/1/NaN reads the same through the
        # scorecard's bands); categorical codes go back to categories
        data = {}
        for j, c in enumerate(cols):
            v = values[:, j]
            if c in cats:
                codes = np.where(np.isnan(v), -1, v).astype(int)
                data[c] = pd.Categorical.from_codes(codes, categories=cats[c])
            else:
                data[c] = v
        out = model.decision_function(pd.DataFrame(data, columns=cols, copy=False))
        f.seconds += time.perf_counter() - t
        f.calls += 1
        f.rows += len(values)
        return out

    f.seconds, f.calls, f.rows = 0.0, 0, 0
    return encode, f


def compare_shap(model, X, *, n_shap_rows=200, n_background=100, seed=0) -> dict:
    """Scorecard ``explain`` against shap on the same fitted scorecard.

    Two shap routes are timed, both exact for this model:

    1. ``shap.Explainer(model.decision_function, masker)`` with an independent masker on
       the raw features: shap's model-agnostic route, the one a user gets by handing shap
       the scorecard (it picks the permutation algorithm for more than 10 features). Each
       explained row costs shap many model calls over the background rows, so it is timed
       on ``n_shap_rows`` rows and its speed is rows per second.
    2. ``shap.LinearExplainer`` on the scorecard's one-hot banded design with the points as
       coefficients: shap's fastest exact route, which needs the model's internals (the
       band encoding) that only the scorecard itself knows. Timed on all rows, including
       building the design.

    Both give interventional SHAP values, which for an additive score are each feature's
    points minus that feature's mean points over the background; ``explain`` gives the
    points themselves. The comparison therefore centres ``explain`` on the same background
    before taking the largest absolute difference (summed over each feature's bands for the
    linear route).

    Returns
    -------
    dict
        Rows per second of each method, speed ratios and largest absolute differences.
    """
    import shap

    rng = np.random.default_rng(seed)
    n = len(X)
    bg_idx = np.sort(rng.choice(n, size=min(n_background, n), replace=False))
    rows_idx = np.sort(rng.choice(n, size=min(n_shap_rows, n), replace=False))
    background = X.iloc[bg_idx]
    rows = X.iloc[rows_idx]

    # ours, on the whole cohort and on the same rows shap explains
    model.explain(rows)  # warm-up
    ours_all, t_ours_all = _timed(model.explain, X)
    t_ours_rows = min(_timed(model.explain, rows)[1] for _ in range(5))
    centre = model.explain(background).mean(axis=0)

    # 1. model-agnostic shap on the raw features (shap's maskers need numbers, so
    #    categorical columns are passed as integer codes and decoded for the model)
    to_numbers, f = _numeric_view(model, X)
    masker = shap.maskers.Independent(to_numbers(background), max_samples=len(background))
    explainer = shap.Explainer(f, masker, seed=seed)
    explainer(to_numbers(background.iloc[:1]), silent=True)  # warm-up: numba compiles here
    f.seconds, f.calls, f.rows = 0.0, 0, 0
    sv, t_shap = _timed(explainer, to_numbers(rows), silent=True)
    phi = np.asarray(sv.values, dtype=float)
    ours_c = (model.explain(rows) - centre).to_numpy()
    diff_agnostic = float(np.max(np.abs(phi - ours_c)))
    algo = type(explainer).__name__
    model_share = f.seconds / t_shap
    model_rows = f.rows / len(rows)

    # 2. LinearExplainer on the banded design
    def linear_route():
        design, coef, offsets = _banded_design(model, X)
        bg_design, _, _ = _banded_design(model, background)
        lin = shap.LinearExplainer((coef, float(model.intercept_)),
                                   shap.maskers.Independent(bg_design.toarray()))
        values = lin.shap_values(design)
        return np.asarray(values), offsets

    linear_route()  # warm-up, as for the permutation route
    (lin_values, offsets), t_linear = _timed(linear_route)
    per_feature = np.add.reduceat(lin_values, offsets, axis=1)
    diff_linear = float(np.max(np.abs(per_feature - (ours_all - centre).to_numpy())))

    ours_rate = n / t_ours_all
    shap_rate = len(rows) / t_shap
    linear_rate = n / t_linear
    return {
        "rows": int(n), "features": int(X.shape[1]), "background_rows": int(len(background)),
        "shap_rows": int(len(rows)), "shap_algorithm": algo,
        "explain_seconds": t_ours_all, "explain_rows_per_s": ours_rate,
        "explain_seconds_same_rows": t_ours_rows,
        "shap_seconds": t_shap, "shap_rows_per_s": shap_rate,
        "shap_model_share": model_share, "shap_model_rows_per_row": model_rows,
        "speed_ratio": ours_rate / shap_rate,
        "speed_ratio_same_rows": t_shap / t_ours_rows,
        "max_abs_diff": diff_agnostic,
        "linear_seconds": t_linear, "linear_rows_per_s": linear_rate,
        "linear_speed_ratio": ours_rate / linear_rate,
        "linear_max_abs_diff": diff_linear,
    }


# --------------------------------------------------------------------------- models
def _as_plain(X):
    """Numeric and bool columns as float (missing NaN), others as strings ('missing')."""
    out = {}
    for c in X.columns:
        s = X[c]
        if pd.api.types.is_bool_dtype(s.dtype) or (
                pd.api.types.is_numeric_dtype(s.dtype)
                and not isinstance(s.dtype, pd.CategoricalDtype)):
            out[c] = s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        else:
            out[c] = s.astype(object).where(s.notna(), "missing").astype(str).to_numpy(object)
    return pd.DataFrame(out, index=X.index)


def logistic_pipeline():
    """Plain logistic regression: median imputation with indicators, scaling, one-hot."""
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    prep = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True,
                                            keep_empty_features=True), StandardScaler()),
         make_column_selector(dtype_include=np.number)),
        ("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=20),
         make_column_selector(dtype_exclude=np.number)),
    ])
    return make_pipeline(FunctionTransformer(_as_plain), prep,
                         LogisticRegression(max_iter=2000))


class DropEmptyColumns:
    """Drop the columns that are missing in every training row (a stateless-looking step).

    Used only when ``BoostedRiskModel`` cannot fit with such columns present (scikit-learn
    1.9's ``HistGradientBoostingClassifier`` fails on an all-NaN column). A column with no
    values carries no information, so dropping it does not change what the model can learn.
    """

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y=None):
        self.keep_ = [c for c in X.columns if X[c].notna().any()]
        return self

    def transform(self, X):
        return X[self.keep_]

    def fit_transform(self, X, y=None):
        return self.fit(X, y).transform(X)


def compare_models(la, records, *, n_boot=100, capacity=0.05, quick=False) -> dict:
    """Scorecard, boosting, logistic regression and the oracle on a temporal split.

    Trained on two consecutive complete censuses and tested on the next complete census
    (the last census, whose outcome window is still open, is not used). Every model goes
    through the same :class:`screening.Screener` (same features, labels and flags).
    ``quick=True`` (smoke tests only) fits a much smaller booster.

    Returns
    -------
    dict
        ``table`` (list of rows: model, auc, average_precision, precision_at_5pct,
        calibration_error, fit_seconds), ``train`` and ``test`` census dates.
    """
    from screening.models import score_metrics

    import screening
    from screening import audits, models

    dates = list(la.census_dates)
    complete = dates[:-1]
    test = complete[-1]
    train = complete[-3:-1] if len(complete) >= 3 else complete[:-1]
    candidates = {
        "RiskScorecard": None,
        "BoostedRiskModel": (models.BoostedRiskModel(max_iter=20, cv=2, random_state=0)
                             if quick else models.BoostedRiskModel(random_state=0)),
        "LogisticRegression": logistic_pipeline(),
    }
    rows, y_test, upn, notes = [], None, None, []
    for name, model in candidates.items():
        scr = screening.Screener(model=model, capacity=capacity, n_boot=n_boot,
                                 random_state=0)
        try:
            _, t_fit = _timed(scr.fit, records, as_of=train)
        except ValueError as exc:
            if name != "BoostedRiskModel" or "window shape" not in str(exc):
                raise
            from sklearn.pipeline import make_pipeline

            notes.append(
                f"BoostedRiskModel failed to fit on the features as built ({exc}): "
                "scikit-learn's HistGradientBoostingClassifier raises this on a feature "
                "column that is missing in every row. It was benchmarked with those "
                "columns dropped first (they carry no information); the models owner "
                "should make BoostedRiskModel do the same.")
            scr = screening.Screener(model=make_pipeline(DropEmptyColumns(), model),
                                     capacity=capacity, n_boot=n_boot, random_state=0)
            _, t_fit = _timed(scr.fit, records, as_of=train)
        ev, t_eval = _timed(scr.evaluate, records, as_of=test)
        m = ev.metrics
        rows.append({"model": name, "auc": m["auc"], "average_precision":
                     m["average_precision"], "precision_at_5pct": m["precision_at_capacity"],
                     "calibration_error": m["calibration_error"], "fit_seconds": t_fit,
                     "n_test": int(m["n"]), "base_rate": m["base_rate"]})
        if y_test is None:
            y_test = ev.scores["outcome"].to_numpy()
            upn = ev.scores["upn"].astype(str).to_numpy()
    truth = la.true_risk(test)
    truth.index = truth.index.astype(str)
    p = truth.reindex(upn).to_numpy(dtype=float)
    missing = int(np.isnan(p).sum())
    flagged = audits.flag_top(np.nan_to_num(p, nan=0.0), capacity=capacity, tiebreak=upn)
    ok = ~np.isnan(p)
    m = score_metrics(y_test[ok], p[ok], flagged[ok])
    rows.append({"model": "oracle (true risk)", "auc": m["auc"],
                 "average_precision": m["average_precision"],
                 "precision_at_5pct": m["precision_at_capacity"],
                 "calibration_error": m["calibration_error"], "fit_seconds": float("nan"),
                 "n_test": int(m["n"]), "base_rate": m["base_rate"],
                 "oracle_missing": missing})
    return {"table": rows, "train": [str(d.date()) for d in train],
            "test": str(test.date()), "notes": notes}


# --------------------------------------------------------------------------- others' modules
def optional_module(name):
    """Import ``benchmarks.<name>`` if it exists, else None (and why)."""
    try:
        return importlib.import_module(f"benchmarks.{name}"), None
    except ModuleNotFoundError as exc:
        if exc.name == f"benchmarks.{name}":
            return None, f"benchmarks/{name}.py is not present"
        raise


def compare_fairlearn(*, n, n_boot, seed=0) -> dict:
    """Call ``benchmarks.audit_vs_fairlearn.compare_with_fairlearn`` when present."""
    mod, why = optional_module("audit_vs_fairlearn")
    if mod is None:
        return {"skipped": why}
    out, seconds = _timed(mod.compare_with_fairlearn, n=n, n_attrs=6, n_boot=n_boot, seed=seed)
    out = dict(out)
    out["_call_seconds"] = seconds
    return out


def real_data() -> dict:
    """Call ``benchmarks.real_data.evaluate_real_datasets`` when present."""
    mod, why = optional_module("real_data")
    if mod is None:
        return {"skipped": why}
    frame, seconds = _timed(mod.evaluate_real_datasets)
    return {"table": frame.to_dict(orient="records"), "columns": list(frame.columns),
            "seconds": seconds}
