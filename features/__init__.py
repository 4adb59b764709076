"""Leakage-safe features for early identification, built from records as of a census date.

This package also owns the input contract: the :class:`Records` type, loading,
validation, :class:`InputError` and the code tables.
"""

from ._build import build, describe, label
from ._ctf import read_ctf
from ._errors import InputError
from ._io import load_records
from ._records import Records

__all__ = [
    # input contract
    "Records", "InputError", "load_records", "read_ctf",
    # features
    "build", "label", "describe",
]
