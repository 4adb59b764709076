"""Reading Common Transfer Files. Owner: CTF work."""

from __future__ import annotations


def read_ctf(paths, suspensions=None):
    """Read CTF XML files into :class:`Records`."""
    raise NotImplementedError("read_ctf is being written")
