"""Leakage-safe features for early identification, built from records as of a census date.

This package also owns the input contract: the :class:`Records` type, loading,
validation, :class:`InputError`, the code tables and Common Transfer Files.
"""

from ._build import (
    audit_attributes,
    build,
    describe,
    label,
    outcome_window_complete,
)
from ._combine import DuplicateRecordsWarning, concat_records
from ._ctf import CTFWarning, is_ctf_folder, read_ctf
from ._ctf_write import write_ctf
from ._errors import InputError
from ._io import load_records, write_records
from ._records import Records, records_equal
from ._summary import summarise_problems

__all__ = [
    # input contract
    "Records", "InputError", "load_records", "write_records", "records_equal",
    "summarise_problems", "concat_records", "DuplicateRecordsWarning",
    # common transfer files
    "read_ctf", "write_ctf", "is_ctf_folder", "CTFWarning",
    # features
    "build", "label", "describe", "audit_attributes", "outcome_window_complete",
]
