"""Portable JSON scorecard and its reference scorer.

Format (``schema_version`` 2; see also ``models/SCORECARD_JSON.md``)::

    {
      "schema": "risk-scorecard", "schema_version": 2,
      "classes": ["0", "1"],                 # the probability is of classes[1]
      "intercept": -12.3,                     # base score in points (decision function)
      "features": [
        {"name": "absence", "label": "Absence", "type": "numeric",
         "cuts": [0.05, 0.1],                 # band i: cuts[i-1] <= x < cuts[i]
         "bands": [{"label": "< 0.05", "points": 0}, ..., {"label": "missing", ...}]},
        {"name": "looked_after", "type": "bool",
         "bands": [{"label": "no", "value": false, "points": 0},
                   {"label": "yes", "value": true, "points": 3},
                   {"label": "missing", "points": 0}]},
        {"name": "sen", "type": "categorical",
         "bands": [{"label": "E", "categories": ["E"], "points": 4}, ...,
                   {"label": "any other value", "categories": [...rare...], "points": 1},
                   {"label": "missing", "points": 0}]}
      ],
      "probability": {"type": "logistic", "intercept": A, "slope": B,
                      "formula": "p = 1 / (1 + exp(-(A + B * points)))",
                      "table": [{"points": s, "probability": p}, ...]}
    }

Scoring a row: for every feature find its band, add the band's points to get ``points``
(an integer), then ``p = 1 / (1 + exp(-(intercept + slope * points)))`` with the
``probability`` parameters, or look ``points`` up in ``probability.table`` (every integer
between the lowest and the highest attainable total). Numeric and bool values that are
missing (NULL/NaN) take the ``missing`` band; a numeric value ``x`` takes band
``i`` = the number of cut points ``<= x``; a bool takes the band whose ``value`` matches
(``true``/``1`` or ``false``/``0``, read as ``value >= 0.5``; when the card has a single
``"no or yes"`` band, every non-missing value). A categorical value is compared as text
with the band ``categories``; text found in no band (rare or unseen) takes the ``other``
band. Every band says its ``basis``: ``"training rows"``, or ``"feature average"`` for a
band no training row fell in, which scores the feature's average (version 2; version 1
cards, whose empty bands scored 0, are still read).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

SCHEMA_VERSION = 2
#: Versions :func:`apply_json` reads (the scoring rule is the same in both).
READABLE_VERSIONS = (1, 2)

_BAD_SCHEMA = (
    "This is not a risk scorecard JSON of schema_version {0} (got schema={1!r}, "
    "schema_version={2!r}). Export it again with RiskScorecard.to_json()."
)
_MISSING_COLUMN = (
    "The scorecard needs column {0!r}, which X does not have. Pass X with the columns "
    "{1}."
)
_WRONG_WIDTH = (
    "The scorecard has {0} features but the array X has {1} columns. Pass the columns in "
    "the card's order: {2}."
)


def _feature_dict(spec, label, points, counts):
    bands = []
    for b, band_label in enumerate(spec["labels"]):
        band = {"label": band_label, "points": int(points[b]),
                "basis": "training rows" if counts[b] else "feature average"}
        if spec["kind"] == "categorical":
            if b == len(spec["labels"]) - 2:
                band["categories"] = list(spec["other_levels"])
                band["unseen"] = True
            elif b < len(spec["levels"]):
                band["categories"] = [spec["levels"][b]]
        elif spec["kind"] == "bool" and band_label in ("no", "yes"):
            band["value"] = band_label == "yes"
        bands.append(band)
    out = {"name": spec["name"], "label": label, "type": spec["kind"]}
    if spec["kind"] != "categorical":
        out["cuts"] = [float(c) for c in spec["cuts"]]
    out["bands"] = bands
    return out


def scorecard_dict(model):
    """The fitted scorecard as a JSON-ready dict."""
    features = [_feature_dict(s, lab, pts, cnt) for s, lab, pts, cnt
                in zip(model.bands_, model._labels(), model.band_points_,
                       model.band_counts_)]
    low = int(sum(int(p.min()) for p in model.band_points_))
    high = int(sum(int(p.max()) for p in model.band_points_))
    A, B = model.proba_intercept_, model.slope_
    scores = np.arange(low, high + 1)
    table = [{"points": int(s), "probability": float(p)}
             for s, p in zip(scores, 1.0 / (1.0 + np.exp(-(A + B * scores))))]
    return {
        "schema": "risk-scorecard",
        "schema_version": SCHEMA_VERSION,
        "classes": [str(c) for c in model.classes_],
        "max_points": int(max((int(p.max()) for p in model.band_points_), default=0)),
        "intercept": float(model.intercept_),
        "features": features,
        "probability": {"type": "logistic", "intercept": float(A), "slope": float(B),
                        "formula": "p = 1 / (1 + exp(-(intercept + slope * points)))",
                        "table": table},
    }


def to_json(model, path=None):
    """JSON text of ``scorecard_dict(model)``; also written to ``path`` when given."""
    text = json.dumps(scorecard_dict(model), indent=2, allow_nan=False)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _band_of_numeric(feature, values):
    values = np.asarray(values, dtype=np.float64)
    cuts = np.asarray(feature["cuts"], dtype=np.float64)
    band = (values[:, None] >= cuts[None, :]).sum(axis=1) if cuts.size else np.zeros(
        values.shape, dtype=np.intp)
    band = np.asarray(band, dtype=np.intp)
    band[np.isnan(values)] = len(feature["bands"]) - 1
    return band


def _band_of_bool(feature, column):
    series = pd.Series(np.asarray(column, dtype=object))
    missing = series.isna().to_numpy()
    values = np.where(missing, 0.0, series.where(~missing, 0).to_numpy(dtype=np.float64))
    bands = feature["bands"]
    band = np.zeros(len(series), dtype=np.intp)
    for b, spec in enumerate(bands):
        if "value" in spec:
            band[(values >= 0.5) == spec["value"]] = b
    band[missing] = len(bands) - 1
    return band


def _band_of_category(feature, column):
    series = pd.Series(np.asarray(column, dtype=object))
    missing = series.isna().to_numpy()
    bands = feature["bands"]
    lookup = {}
    other = None
    for b, spec in enumerate(bands):
        for category in spec.get("categories", []):
            lookup[category] = b
        if spec.get("unseen"):
            other = b
    band = np.array([lookup.get(str(v), other) for v in series.to_numpy()], dtype=np.intp)
    band[missing] = len(bands) - 1
    return band


def apply_json(card: str | dict[str, Any] | Path, X: pd.DataFrame | ArrayLike) -> np.ndarray:
    """Probabilities from an exported scorecard, without the estimator.

    A plain numpy reference implementation of the JSON format: it reproduces
    ``RiskScorecard.predict_proba(X)[:, 1]`` to within 1e-12.

    Parameters
    ----------
    card : str, dict or Path
        The JSON text, its parsed dict, or a path to a JSON file.
    X : DataFrame or ndarray
        Rows to score; DataFrame columns are found by name, array columns by position.

    Returns
    -------
    ndarray of shape (n_samples,)
        Probability of the outcome (``classes[1]``).

    Examples
    --------
    >>> card = {"schema": "risk-scorecard", "schema_version": 2, "intercept": -2.0,
    ...         "features": [{"name": "a", "type": "numeric", "cuts": [1.0],
    ...                       "bands": [{"label": "< 1", "points": 0},
    ...                                 {"label": ">= 1", "points": 2},
    ...                                 {"label": "missing", "points": 1}]}],
    ...         "probability": {"type": "logistic", "intercept": -2.0, "slope": 1.0}}
    >>> apply_json(card, np.array([[0.5], [3.0], [np.nan]])).round(3).tolist()
    [0.119, 0.5, 0.269]
    """
    if isinstance(card, Path) or (isinstance(card, str) and not card.lstrip().startswith("{")):
        card = Path(card).read_text(encoding="utf-8")
    if isinstance(card, str):
        card = json.loads(card)
    card = cast(dict[str, Any], card)  # text and files were parsed above
    if (card.get("schema") != "risk-scorecard"
            or card.get("schema_version") not in READABLE_VERSIONS):
        raise ValueError(_BAD_SCHEMA.format(" or ".join(map(str, READABLE_VERSIONS)),
                                            card.get("schema"),
                                            card.get("schema_version")))
    features = card["features"]
    names = [f["name"] for f in features]
    if isinstance(X, pd.DataFrame):
        for name in names:
            if name not in X.columns:
                raise ValueError(_MISSING_COLUMN.format(name, names))
        columns = [X[name].to_numpy(dtype=object) for name in names]
    else:
        X = np.asarray(X, dtype=object)
        if X.ndim != 2 or X.shape[1] != len(features):
            raise ValueError(_WRONG_WIDTH.format(len(features), X.shape[-1], names))
        columns = [X[:, j] for j in range(X.shape[1])]
    points = np.zeros(len(columns[0]) if columns else len(X), dtype=np.int64)
    for feature, column in zip(features, columns):
        if feature["type"] == "numeric":
            missing = pd.isna(column)
            values = np.full(len(column), np.nan)
            values[~missing] = column[~missing].astype(np.float64)
            band = _band_of_numeric(feature, values)
        elif feature["type"] == "bool":
            band = _band_of_bool(feature, column)
        else:
            band = _band_of_category(feature, column)
        table = np.array([b["points"] for b in feature["bands"]], dtype=np.int64)
        points += table[band]
    prob = card["probability"]
    return 1.0 / (1.0 + np.exp(-(prob["intercept"] + prob["slope"] * points)))
