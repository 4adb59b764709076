"""Pseudonymised records for research: a keyed hash of every UPN, coarser dates of birth.

The same key gives the same pseudonym for a UPN in every table, every output and every
year, so exports made with one key join; without the key a pseudonym cannot be turned
back into a UPN (HMAC-SHA256; guessing needs the key, not just the list of UPNs). The
key is never written anywhere by this library.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from screening.features import Records

#: Hex characters kept of each HMAC: 96 bits (collisions need ~10^14 pupils).
UPN_CHARS = 24
SCHOOL_CHARS = 12
MIN_KEY_BYTES = 16
#: Pupil columns kept besides the contract's: the audit groups the library knows.
_PUPIL_COLUMNS = ("upn", "date_of_birth", "sex", "ethnicity", "fsm", "eal", "looked_after")

_BAD_KEY = (
    "The pseudonymisation key must be bytes (or text) of at least {n} bytes; got {got}. "
    "Make one with `python -c \"import secrets; print(secrets.token_hex(32))\" > key.txt`, "
    "keep it where only the LA can read it, and use the same key every year so exports "
    "join."
)
_BAD_KEEP = "keep_columns names {names}, which are not columns of the pupils table ({have})."


def check_key(key: Any) -> bytes:
    """The key as bytes, or ``ValueError`` saying how to make a good one.

    Examples
    --------
    >>> check_key("a long enough secret")
    b'a long enough secret'
    """
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)):
        raise ValueError(_BAD_KEY.format(n=MIN_KEY_BYTES, got=type(key).__name__))
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(_BAD_KEY.format(n=MIN_KEY_BYTES, got=f"{len(key)} bytes"))
    return bytes(key)


def pseudonym(values: pd.Series, key: bytes, *, prefix: str = "",
              chars: int = UPN_CHARS) -> pd.Series:
    """The keyed hash of each value: the first ``chars`` hex digits of HMAC-SHA256.

    Missing values stay missing. ``prefix`` separates kinds of identifier (schools
    from pupils), so one value never gets the same pseudonym as both.

    Examples
    --------
    >>> p = pseudonym(["A123", "A123", None], b"0123456789abcdef")
    >>> p[0] == p[1], len(p[0]), p[2] is pd.NA
    (True, 24, True)
    """
    key = check_key(key)
    values = pd.Series(values, copy=False)
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    hashed = np.array([hmac.new(key, (prefix + str(u)).encode("utf-8"),
                                hashlib.sha256).hexdigest()[:chars] for u in uniques],
                      dtype=object)
    out = np.full(len(codes), pd.NA, dtype=object)
    out[codes >= 0] = hashed[codes[codes >= 0]]
    return pd.Series(out, index=values.index, dtype="string")


def pseudonymise(records: Records, *, key: bytes | str, hash_schools: bool = False,
                 keep_columns: Sequence[str] = ()) -> Records:
    """Return the records with every UPN replaced by its keyed hash.

    Parameters
    ----------
    records : Records
        Valid records (they are validated first).
    key : bytes or str
        At least 16 bytes, kept by the LA. The same key gives the same pseudonyms in
        every table, output and year, so two exports made with it join; the key is
        never written anywhere.
    hash_schools : bool, default=False
        Also replace school identifiers (URN/LAESTAB) by a keyed hash (12 hex digits),
        in every table.
    keep_columns : sequence of str, default=()
        Extra pupils columns to keep. By default the pupils table keeps only the
        contract's columns and the audit groups (``sex``, ``ethnicity``, ``fsm``,
        ``eal``, ``looked_after``): any other column (a name, an address) is dropped.

    Returns
    -------
    Records
        The same tables, with ``upn`` (and, with ``hash_schools``, ``school``)
        pseudonymised and each date of birth moved to the first of its month (year
        groups do not change: the school year starts on the first of a month).
        Features, scores and audits built from them equal those of the original
        records, pupil for pupil.

    Notes
    -----
    What remains identifying: a pupil's combination of school, year group, sex,
    ethnicity, month of birth and dated events can still single them out, above all in
    small schools and rare groups, and anyone holding both the original records and a
    pseudonymised export can match them by those dates. Treat an export as personal
    data: share it only under a data-sharing agreement, and publish only aggregates
    with counts under 10 suppressed (as the audit does).

    Examples
    --------
    >>> import screening
    >>> la = screening.datasets.make_local_authority(n_pupils=200, seed=0)
    >>> pseudo = pseudonymise(la.records, key=b"an LA's secret key")
    >>> bool(pseudo.pupils["upn"].isin(la.records.pupils["upn"]).any())
    False
    >>> set(pseudo.pupils["date_of_birth"].dt.day)
    {1}
    """
    from screening.features import Records

    key = check_key(key)
    tables = records.tables()
    tables["attendance"] = records.given_attendance()
    tables["attendance_marks"] = tables["attendance_marks"].drop(columns="code_class")
    pupils = tables["pupils"]
    missing = sorted(set(keep_columns) - set(pupils.columns))
    if missing:
        raise ValueError(_BAD_KEEP.format(names=missing, have=list(pupils.columns)))
    keep = [c for c in pupils.columns if c in _PUPIL_COLUMNS or c in set(keep_columns)]
    tables["pupils"] = pupils[keep]
    out = {}
    for name, frame in tables.items():
        if records.raw.get(name) is None and name in ("allocations", "episodes"):
            continue
        frame = frame.copy()
        frame["upn"] = pseudonym(frame["upn"], key)
        if hash_schools and "school" in frame:
            frame["school"] = pseudonym(frame["school"], key, prefix="school:",
                                        chars=SCHOOL_CHARS)
        out[name] = frame
    dob = out["pupils"]["date_of_birth"]
    out["pupils"]["date_of_birth"] = dob.dt.to_period("M").dt.to_timestamp()
    return Records(**out, extract_date=records.extract_date,
                   source="pseudonymised records")
