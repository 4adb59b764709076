"""Loading and writing record folders (CSV or Parquet). Owner: records/validation work."""

from __future__ import annotations


def load_records(folder):
    """Load a folder of tables in the input contract into :class:`Records`."""
    raise NotImplementedError("load_records is being written")
