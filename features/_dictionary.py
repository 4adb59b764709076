"""The feature dictionary: every model input of :func:`features.build` and what it means.

The rows are not written here: each domain module declares its own
(:class:`~features._spec.FeatureSpec` in its ``FEATURES``) beside the code that
computes them, and this module only assembles them in ``build``'s column order.
It also turns the dictionary into what a model needs (:func:`model_hints`), so the
facade never reads units or directions itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from . import _attendance, _school, _sen, _suspension, _transition
from ._episodes import check_kinds, episode_specs
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


def episode_feature_specs(episode_kinds: Sequence[str] = ()) -> tuple[Any, ...]:
    """The dictionary rows of the listed episode kinds' features, in ``build`` order.

    Examples
    --------
    >>> len(episode_feature_specs(("child_in_need", "early_help")))
    10
    """
    return tuple(s for k in check_kinds(episode_kinds) for s in episode_specs(k))


def _specs(episode_kinds: Sequence[str] = ()) -> tuple[Any, ...]:
    return SPECS + episode_feature_specs(episode_kinds)


def describe(episode_kinds: Sequence[str] = ()) -> pd.DataFrame:
    """Return the feature dictionary.

    Parameters
    ----------
    episode_kinds : sequence of str, default=()
        Episode kinds (the LA's labels in the ``episodes`` table) whose features
        :func:`build` adds when given the same kinds: five rows per kind, after the
        fixed features.

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
    >>> describe(episode_kinds=("child_in_need",))["feature"].iloc[-1]
    'months_since_episode_child_in_need'
    """
    frame = pd.DataFrame(
        [(s.name, s.domain, s.meaning, s.unit, s.direction, s.kind, s.label, s.fairness_note)
         for s in _specs(episode_kinds)], columns=_COLUMNS)
    frame["direction"] = frame["direction"].astype("int64")
    return frame


def check_feature_names(names: Iterable[str], where: str = "exclude_features",
                        episode_kinds: Sequence[str] = ()) -> list[str]:
    """Return ``names`` as a list, or raise ``ValueError`` naming any that are not features.

    The features of ``episode_kinds`` count as features too.

    Examples
    --------
    >>> check_feature_names(("year_group",))
    ['year_group']
    """
    names = [str(n) for n in names]
    allowed = [s.name for s in _specs(episode_kinds)]
    unknown = sorted(set(names) - set(allowed))
    if unknown:
        raise ValueError(_UNKNOWN_FEATURES.format(where=where, unknown=unknown,
                                                  known=allowed))
    return names


def model_hints(names: Iterable[str] | None = None,
                episode_kinds: Sequence[str] = ()) -> dict[str, Any]:
    """What a model needs from the dictionary, for the features ``names`` (default all).

    ``names`` may include the features of ``episode_kinds``.

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
    specs_all = _specs(episode_kinds)
    names = ([s.name for s in specs_all] if names is None
             else check_feature_names(names, "names", episode_kinds))
    by_name = {s.name: s for s in specs_all}
    specs = [by_name[n] for n in names]
    return {
        "monotone": {s.name: s.direction for s in specs
                     if s.kind != CATEGORICAL and s.direction != 0},
        "feature_labels": {s.name: s.label for s in specs},
        "value_formats": {s.name: s.value_format for s in specs
                          if s.kind == NUMERIC and s.value_format is not None},
    }
