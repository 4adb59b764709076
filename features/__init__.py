"""Leakage-safe features for early identification, built from records as of a census date.

This package also owns the input contract: the :class:`Records` type, loading,
validation and :class:`InputError`.
"""

from ._errors import InputError
from ._records import Records

__all__ = ["InputError", "Records"]
