"""How a feature domain declares its features: one :class:`FeatureSpec` per model input.

Each domain module (``_attendance``, ``_suspension``, ``_sen``, ``_transition``,
``_school``, and the cohort's ``year_group``) declares a tuple ``FEATURES`` of specs
next to the code that computes them, so a feature and its dictionary row cannot
drift apart: :func:`features.build` refuses a domain that returns a column it did
not declare, or misses one it did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

NUMERIC, BOOL, CATEGORICAL = "numeric", "bool", "categorical"
KINDS = (NUMERIC, BOOL, CATEGORICAL)

#: Fairness notes shared by several domains.
NOTE_EXCLUSIONS = (
    "Exclusions record decisions by schools. Rates differ by ethnicity, SEN, "
    "disadvantage and school, so past practice is learned along with behaviour.")
NOTE_SEN = (
    "SEN is closely linked to disability, a protected characteristic; check the "
    "audit by SEN status before acting on scores driven by it.")
NOTE_ABSENCE = (
    "Absence includes illness and disability-related absence; check the audit by "
    "SEN and disadvantage.")
NOTE_MISSING = (
    "Missing records are more common for pupils who move often (e.g. looked-after "
    "or Traveller pupils); this marks a data gap, not behaviour.")
NOTE_SCHOOL = (
    "Encodes school practice, not the pupil's behaviour: pupils at schools that "
    "exclude a lot get higher scores because of the school. Review flags by "
    "school, and consider fitting without this feature when the aim is to "
    "compare pupils across schools.")
NOTE_SERVICE_EPISODE = (
    "Records contact with a service, so it reflects who was referred, assessed and "
    "recorded as well as need; referral rates differ by ethnicity, disadvantage and "
    "area. Check the audit before acting on scores driven by it, and never tell a school "
    "why a pupil was flagged in terms that disclose the episode.")
NOTE_PROTECTED_EPISODE = (
    "Records a protected or sensitive status (looked after): use it as an audit group, "
    "not a model feature; it is a feature only when the user lists the kind.")

#: How values in each unit read in reasons and on the scorecard ("10.6% or more").
#: A unit after the number is written once per band ("6 to < 12 months").
UNIT_FORMATS = {
    "fraction of sessions": "{:.1%}",
    "fraction of months": "{:.0%}",
    "per 100 pupils": "{:.1f} per 100 pupils",
    "days": "{:.0f} days",
    "months": "{:.0f} months",
    "whole months": "{:.0f} months",
    "sessions": "{:g} sessions",
}


@dataclass(frozen=True)
class FeatureSpec:
    """One model input and what it means.

    Parameters
    ----------
    name : str
        Column name in :func:`features.build`.
    domain : str
        The domain that computes it (``attendance``, ``suspensions`` ...).
    meaning : str
        Plain-English definition, with the time rule it follows.
    unit : str
        ``"fraction of sessions"``, ``"count"``, ``"yes/no"``, ``"category"`` ...
    direction : {-1, 0, 1}
        +1 when a higher value means more risk, -1 when a lower value does, 0 when
        no direction is expected (always 0 for categories).
    kind : {"numeric", "bool", "categorical"}
    label : str
        Short plain-English name used in reasons and on the scorecard.
    fairness_note : str, default=""
        What the feature means for fairness, when it carries something.
    categories : tuple of str, optional
        The fixed categories of a categorical feature (the same at every census).
    """

    name: str
    domain: str
    meaning: str
    unit: str
    direction: int
    kind: str
    label: str
    fairness_note: str = ""
    categories: tuple[str, ...] | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"FeatureSpec {self.name!r}: kind must be one of {KINDS}, "
                             f"got {self.kind!r}.")
        if self.direction not in (-1, 0, 1):
            raise ValueError(f"FeatureSpec {self.name!r}: direction must be -1, 0 or 1, "
                             f"got {self.direction!r}.")
        if (self.kind == CATEGORICAL) != (self.categories is not None):
            raise ValueError(f"FeatureSpec {self.name!r}: categorical features, and only "
                             "they, declare their categories.")
        if self.kind == CATEGORICAL and self.direction != 0:
            raise ValueError(f"FeatureSpec {self.name!r}: a categorical feature has no "
                             "direction; use direction=0.")

    @property
    def value_format(self) -> str | None:
        """Format string for this feature's values in text, or None."""
        return UNIT_FORMATS.get(self.unit) if self.kind == NUMERIC else None


def check_domain_output(domain: str, specs: Iterable[FeatureSpec], frame: pd.DataFrame) -> None:
    """Fail loudly when a domain's columns and its declared features differ.

    This is a fault in the library, not in the user's data, so it raises
    ``RuntimeError``.
    """
    declared = [s.name for s in specs]
    got = [str(c) for c in frame.columns]
    if got != declared:
        extra = sorted(set(got) - set(declared))
        missing = sorted(set(declared) - set(got))
        raise RuntimeError(
            f"The {domain} features returned columns that do not match their declared "
            f"dictionary rows (undeclared: {extra}, declared but not returned: {missing}, "
            "or a different order). Every feature needs a FeatureSpec in its domain's "
            "FEATURES, in the order the domain returns them.")
