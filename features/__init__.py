"""Leakage-safe features for early identification, built from records as of a census date.

This package also owns the input contract: the :class:`Records` type, loading,
validation, :class:`InputError`, the code tables and Common Transfer Files.
"""

from ._allocations import allocations_at
from ._attributes import DERIVED_GROUPS, NESTED_GROUPS, audit_attributes, audit_groups
from ._build import build, history_notes
from ._combine import DuplicateRecordsWarning, concat_records
from ._ctf import CTFWarning, is_ctf_folder, read_ctf
from ._ctf_write import write_ctf
from ._dates import parse_date
from ._describe import ATTRIBUTE_NAMES, describe_attribute, describe_group
from ._dictionary import check_feature_names, describe, model_hints
from ._episodes import PROTECTED_KINDS, is_protected
from ._episodes import check_kinds as check_episode_kinds
from ._errors import InputError
from ._io import load_records, write_records
from ._known_to import already_known
from ._outcome import (
    DATA_END_GRACE_MONTHS,
    CensusError,
    census_after_data_end,
    check_census_in_records,
    check_outcome_window,
    data_end,
    label,
    latest_complete_census,
    outcome_window_complete,
    outcome_window_end,
)
from ._records import Records, records_equal
from ._summary import summarise_problems

__all__ = [
    # input contract
    "Records", "InputError", "load_records", "write_records", "records_equal",
    "summarise_problems", "concat_records", "DuplicateRecordsWarning",
    # common transfer files
    "read_ctf", "write_ctf", "is_ctf_folder", "CTFWarning",
    # features
    "build", "describe", "history_notes", "parse_date",
    # the LA's own dated episodes: features per kind, who is already known
    "already_known", "is_protected", "PROTECTED_KINDS", "check_episode_kinds",
    # what a model needs from the dictionary
    "model_hints", "check_feature_names",
    # outcomes and their windows
    "label", "outcome_window_complete", "check_outcome_window", "outcome_window_end",
    "latest_complete_census",
    # census dates the records can support
    "CensusError", "data_end", "census_after_data_end", "check_census_in_records",
    "DATA_END_GRACE_MONTHS",
    # allocated places at the next school (transition handover; never features)
    "allocations_at",
    # audit groups (never model features)
    "audit_attributes", "audit_groups", "NESTED_GROUPS", "DERIVED_GROUPS",
    # audit groups in words (from the code tables), for reports
    "describe_group", "describe_attribute", "ATTRIBUTE_NAMES",
]
