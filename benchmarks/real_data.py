"""The price of interpretability on real public data: RiskScorecard vs gradient boosting.

Datasets are read from ``<repo>/../shared/datasets`` (never copied into the repository):

- **OULAD** (Open University Learning Analytics, CC BY 4.0): one row per student and
  module presentation. Temporal split: train on the 2013 presentations, test on 2014.
  Snapshot on day 30 of the presentation; the cohort is every registration still active
  on day 30 (``date_unregistration`` missing or >= 30). Outcome: final result Withdrawn or
  Fail. Features known by day 30: module, highest education, IMD band (deprivation),
  previous attempts, studied credits, registration date, and the assessments due before
  day 30 (submitted, mean score, days late). Protected characteristics (gender,
  disability, age band) and region are left out of the model.
- **UCI student performance** (Portuguese course, CC BY 4.0): outcome final grade G3 < 10;
  the period grades G1/G2 are left out (they are the outcome's early parts) as are sex
  and age. No time variable exists, so a stratified 70/30 split with a fixed seed.

Run ``python benchmarks/real_data.py`` to print the table.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from screening.models import BoostedRiskModel, RiskScorecard
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
SNAPSHOT_DAY = 30


def expected_calibration_error(y, p, n_bins=10):
    """ECE over equal-count bins of the predicted probability."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    order = np.argsort(p, kind="stable")
    ece = 0.0
    for part in np.array_split(order, n_bins):
        if part.size:
            ece += part.size / y.size * abs(y[part].mean() - p[part].mean())
    return float(ece)


def load_oulad(root=DATASETS):
    """(X_train, y_train, X_test, y_test) for OULAD as described in the module docstring."""
    folder = Path(root) / "oulad"
    key = ["code_module", "code_presentation", "id_student"]
    info = pd.read_csv(folder / "studentInfo.csv")
    reg = pd.read_csv(folder / "studentRegistration.csv")
    assessments = pd.read_csv(folder / "assessments.csv")
    marks = pd.read_csv(folder / "studentAssessment.csv")
    frame = info.merge(reg, on=key, how="left")
    active = frame["date_unregistration"].isna() | (frame["date_unregistration"]
                                                    >= SNAPSHOT_DAY)
    frame = frame[active].copy()

    early = assessments[(assessments["date"] < SNAPSHOT_DAY)
                        & (assessments["assessment_type"] != "Exam")]
    due = early.groupby(["code_module", "code_presentation"]).size().rename("n_due")
    sub = marks.merge(early, on="id_assessment")
    sub = sub[sub["date_submitted"] < SNAPSHOT_DAY]
    sub = sub.assign(late=(sub["date_submitted"] - sub["date"]).clip(lower=0))
    per_student = sub.groupby(key).agg(n_submitted=("id_assessment", "size"),
                                       mean_score=("score", "mean"),
                                       days_late=("late", "mean")).reset_index()
    frame = frame.merge(per_student, on=key, how="left").merge(
        due.reset_index(), on=["code_module", "code_presentation"], how="left")
    frame["n_due"] = frame["n_due"].fillna(0)
    frame["n_submitted"] = frame["n_submitted"].fillna(0)
    frame["share_missed"] = np.where(frame["n_due"] > 0,
                                     1 - frame["n_submitted"] / frame["n_due"].clip(lower=1),
                                     np.nan)
    y = frame["final_result"].isin(["Withdrawn", "Fail"]).astype(int).to_numpy()
    features = ["code_module", "highest_education", "imd_band", "num_of_prev_attempts",
                "studied_credits", "date_registration", "share_missed", "mean_score",
                "days_late"]
    X = frame[features].astype({"code_module": "category", "highest_education": "category",
                                "imd_band": "category"})
    train = frame["code_presentation"].str.startswith("2013").to_numpy()
    return (X[train].reset_index(drop=True), y[train],
            X[~train].reset_index(drop=True), y[~train])


def load_uci_student(root=DATASETS, random_state=0):
    """(X_train, y_train, X_test, y_test) for UCI student (Portuguese), G3 < 10."""
    frame = pd.read_csv(Path(root) / "uci-student" / "student-por.csv")
    y = (frame["G3"] < 10).astype(int).to_numpy()
    X = frame.drop(columns=["G1", "G2", "G3", "sex", "age"])
    text = X.select_dtypes(exclude="number").columns
    X = X.astype({c: "category" for c in text})
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y,
                                              random_state=random_state)
    return (X_tr.reset_index(drop=True), y_tr, X_te.reset_index(drop=True), y_te)


def _models(X, random_state):
    cats = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    nums = [c for c in X.columns if c not in cats]
    logistic = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore", min_frequency=20), cats),
            (make_pipeline(SimpleImputer(add_indicator=True),
                           StandardScaler()),
             nums)),
        LogisticRegression(max_iter=2000))
    return {
        "RiskScorecard": RiskScorecard(random_state=random_state),
        "BoostedRiskModel": BoostedRiskModel(random_state=random_state),
        "HistGradientBoosting": HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=random_state),
        "LogisticRegression": logistic,
    }


def evaluate(name, X_train, y_train, X_test, y_test, *, models=None, random_state=0):
    """One row per model: AUC, ECE, Brier on the test split."""
    rows = []
    for model_name, model in _models(X_train, random_state).items():
        if models is not None and model_name not in models and (
                model_name != "HistGradientBoosting"):
            continue
        p = model.fit(X_train, y_train).predict_proba(X_test)[:, 1]
        rows.append({"dataset": name, "model": model_name,
                     "auc": roc_auc_score(y_test, p),
                     "ece": expected_calibration_error(y_test, p),
                     "brier": brier_score_loss(y_test, p),
                     "n_train": len(y_train), "n_test": len(y_test),
                     "base_rate_test": float(np.mean(y_test))})
    out = pd.DataFrame(rows)
    hgb = out.loc[out["model"] == "HistGradientBoosting", "auc"].iloc[0]
    out["auc_gap_to_hgb"] = hgb - out["auc"]
    return out


def evaluate_real_datasets(root=None, *, datasets=("oulad", "uci-student"), models=None,
                           random_state=0):
    """AUC/ECE of the scorecard, boosted models and logistic regression on real data.

    Parameters
    ----------
    root : path, optional
        Folder holding ``oulad/`` and ``uci-student/``; default ``../shared/datasets``
        relative to the repository.
    datasets : tuple of str
        Which of "oulad", "uci-student" to run (those whose folder exists).
    models : tuple of str, optional
        Subset of "RiskScorecard", "BoostedRiskModel", "LogisticRegression" to run
        (default all); "HistGradientBoosting", the reference, always runs.
    random_state : int

    Returns
    -------
    DataFrame
        Columns dataset, model, auc, ece, brier, n_train, n_test, base_rate_test,
        auc_gap_to_hgb (HistGradientBoosting AUC minus the model's).
    """
    root = DATASETS if root is None else Path(root)
    loaders = {"oulad": load_oulad,
               "uci-student": lambda r: load_uci_student(r, random_state=random_state)}
    frames = [evaluate(name, *loaders[name](root), models=models, random_state=random_state)
              for name in datasets if (root / name).is_dir()]
    if not frames:
        return pd.DataFrame(columns=["dataset", "model", "auc", "ece", "brier", "n_train",
                                     "n_test", "base_rate_test", "auc_gap_to_hgb"])
    return pd.concat(frames, ignore_index=True)


if __name__ == "__main__":
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(evaluate_real_datasets().round(4))
