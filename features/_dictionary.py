"""The feature dictionary: every model input of :func:`features.build` and what it means.

The rows are not written here: each domain module declares its own
(:class:`~features._spec.FeatureSpec` in its ``FEATURES``) beside the code that
computes them, and this module only assembles them in ``build``'s column order.
It also turns the dictionary into what a model needs (:func:`model_hints`), so the
facade never reads units or directions itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from . import _attendance, _school, _sen, _suspension, _transition
from ._spec import CATEGORICAL, NUMERIC

#: The domain modules in ``build``'s column order.
DOMAINS = (_transition, _attendance, _suspension, _sen, _school)

#: Every feature's spec, in ``build`` column order (after ``school``).
SPECS = tuple(spec for domain in DOMAINS for spec in domain.FEATURES)

#: Model feature names, in ``build`` column order.
FEATURE_NAMES = tuple(s.name for s in SPECS)

#: Fixed categories of the categorical features (the same at every census).
CATEGORIES = {s.name: s.categories for s in SPECS if s.kind == CATEGORICAL}

_COLUMNS = ["feature", "domain", "meaning", "unit", "direction", "kind", "label",
            "fairness_note"]

_UNKNOWN_FEATURES = (
    "{where} names {unknown}, which are not features. The features are: {known} "
    "(see features.describe())."
)

if len(set(FEATURE_NAMES)) != len(FEATURE_NAMES):  # pragma: no cover - a library fault
    raise RuntimeError("Two feature domains declare a feature with the same name.")


def describe() -> pd.DataFrame:
    """Return the feature dictionary.

    Returns
    -------
    pandas.DataFrame
        One row per model feature of :func:`screening.features.build` (its columns except
        ``school``, same order), with columns ``feature``, ``domain``, ``meaning``,
        ``unit``, ``direction`` (+1 higher = more risk, -1 lower = more risk, 0 none
        or categorical), ``kind`` (``'numeric'``, ``'bool'`` or ``'categorical'``),
        ``label`` (short plain-English name for reasons) and ``fairness_note``.

    Examples
    --------
    >>> d = describe()
    >>> d.loc[d.feature == "absence_rate_12m", "label"].item()
    'Absence, last 12 months'
    >>> bool(d.set_index("feature").loc["school_suspension_rate_12m", "fairness_note"])
    True
    """
    frame = pd.DataFrame(
        [(s.name, s.domain, s.meaning, s.unit, s.direction, s.kind, s.label, s.fairness_note)
         for s in SPECS], columns=_COLUMNS)
    frame["direction"] = frame["direction"].astype("int64")
    return frame


def check_feature_names(names: Iterable[str], where: str = "exclude_features") -> list[str]:
    """Return ``names`` as a list, or raise ``ValueError`` naming any that are not features.

    Examples
    --------
    >>> check_feature_names(("year_group",))
    ['year_group']
    """
    names = [str(n) for n in names]
    unknown = sorted(set(names) - set(FEATURE_NAMES))
    if unknown:
        raise ValueError(_UNKNOWN_FEATURES.format(where=where, unknown=unknown,
                                                  known=list(FEATURE_NAMES)))
    return names


def model_hints(names: Iterable[str] | None = None) -> dict[str, Any]:
    """What a model needs from the dictionary, for the features ``names`` (default all).

    Returns
    -------
    dict
        ``monotone`` ({feature: +1 or -1} for numeric and yes/no features with an
        expected direction), ``feature_labels`` ({feature: label}) and
        ``value_formats`` ({feature: format string} for numeric features whose unit
        has one), ready to pass to :class:`screening.models.RiskScorecard`.

    Examples
    --------
    >>> hints = model_hints(["absence_rate_12m", "sen_provision"])
    >>> hints["monotone"], hints["value_formats"]
    ({'absence_rate_12m': 1}, {'absence_rate_12m': '{:.1%}'})
    """
    names = list(FEATURE_NAMES) if names is None else check_feature_names(names, "names")
    by_name = {s.name: s for s in SPECS}
    specs = [by_name[n] for n in names]
    return {
        "monotone": {s.name: s.direction for s in specs
                     if s.kind != CATEGORICAL and s.direction != 0},
        "feature_labels": {s.name: s.label for s in specs},
        "value_formats": {s.name: s.value_format for s in specs
                          if s.kind == NUMERIC and s.value_format is not None},
    }
