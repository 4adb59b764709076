"""Feature building as of a census date. Owner: features work."""

from __future__ import annotations


def build(records, as_of, year_groups=(5, 6, 7)):
    """Return one row of features per pupil in the cohort at ``as_of``."""
    raise NotImplementedError("features.build is being written")


def label(records, as_of, horizon_months=12, target="suspension"):
    """Return the 0/1 outcome for the cohort at ``as_of``."""
    raise NotImplementedError("features.label is being written")


def describe():
    """Return the feature dictionary."""
    raise NotImplementedError("features.describe is being written")
