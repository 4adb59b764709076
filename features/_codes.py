"""Code tables of the English school data standards, and small vectorised helpers.

Sources and evidence tags are in ``reference/uk-school-data-standards.md``. Every
table maps a *normalised* (stripped, upper-case) code to its meaning, so callers
should normalise first (``codes.str.strip().str.upper()``), or use the helpers
below, which do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

# --------------------------------------------------------------------------- attendance
#: Statistical classes of register marks (reference section 1).
MARK_CLASSES = ("PRESENT", "AUTH", "UNAUTH", "NOT_POSSIBLE", "MISSING")

#: The mark an MIS shows for a session not yet marked: missing, not absence.
MISSING_MARK = "-"

#: First session date on which the 2024 code set applies (reference section 1c).
CODE_SET_CHANGE = pd.Timestamp("2024-08-19")

_PRESENT, _AUTH, _UNAUTH, _NP = "PRESENT", "AUTH", "UNAUTH", "NOT_POSSIBLE"

#: Register codes used before 19 August 2024 -> statistical class (section 1b).
ATTENDANCE_CODES_PRE_2024: dict[str, str] = {
    "/": _PRESENT, "\\": _PRESENT, "L": _PRESENT, "B": _PRESENT, "J": _PRESENT,
    "P": _PRESENT, "V": _PRESENT, "W": _PRESENT,
    "C": _AUTH, "E": _AUTH, "H": _AUTH, "I": _AUTH, "M": _AUTH, "R": _AUTH,
    "S": _AUTH, "T": _AUTH, "F": _AUTH,
    "G": _UNAUTH, "N": _UNAUTH, "O": _UNAUTH, "U": _UNAUTH,
    "D": _NP, "X": _NP, "Y": _NP, "Z": _NP, "#": _NP,
}

#: Register codes from 19 August 2024 -> statistical class (section 1a).
#: ``H``, ``J`` and ``Y`` were withdrawn; ``J1`` (interview) is now AUTH.
ATTENDANCE_CODES_2024: dict[str, str] = {
    "/": _PRESENT, "\\": _PRESENT, "L": _PRESENT, "K": _PRESENT, "V": _PRESENT,
    "P": _PRESENT, "W": _PRESENT, "B": _PRESENT,
    "C1": _AUTH, "M": _AUTH, "J1": _AUTH, "S": _AUTH, "C2": _AUTH, "C": _AUTH,
    "T": _AUTH, "R": _AUTH, "I": _AUTH, "E": _AUTH,
    "G": _UNAUTH, "N": _UNAUTH, "O": _UNAUTH, "U": _UNAUTH,
    "D": _NP, "X": _NP, "Q": _NP, "Y1": _NP, "Y2": _NP, "Y3": _NP, "Y4": _NP,
    "Y5": _NP, "Y6": _NP, "Y7": _NP, "Z": _NP, "#": _NP,
}


_CLASS_INDEX = {c: i for i, c in enumerate(MARK_CLASSES)}
_CLASS_ARRAY = pd.array(list(MARK_CLASSES), dtype="string")


def _lookup(uniques: Iterable[Any], table: dict[Any, str]) -> np.ndarray:
    """Class index (into MARK_CLASSES, -1 unknown) of each distinct code, plus -1 for NA."""
    idx = [(_CLASS_INDEX["MISSING"] if u == MISSING_MARK
            else _CLASS_INDEX.get(table.get(u, ""), -1)) for u in uniques]
    return np.array(idx + [-1], dtype=np.int8)


def mark_class_index(codes: np.ndarray, uniques: Iterable[Any],
                     dates: pd.Series | np.ndarray) -> np.ndarray:
    """Vectorised core of :func:`classify_marks` on factorised codes.

    ``codes`` index ``uniques`` (normalised code strings; -1 = blank), ``dates``
    are the session dates. Returns an int8 array indexing :data:`MARK_CLASSES`,
    -1 where the class is unknown.
    """
    pre = _lookup(uniques, ATTENDANCE_CODES_PRE_2024)[codes]
    post = _lookup(uniques, ATTENDANCE_CODES_2024)[codes]
    d = np.asarray(pd.Series(dates, copy=False).to_numpy(), dtype="datetime64[ns]")
    nat = np.isnat(d)
    out = np.where(d < CODE_SET_CHANGE.to_datetime64(), pre, post)
    if nat.any():
        out[nat] = np.where(pre[nat] == post[nat], pre[nat], -1)
    return out.astype(np.int8)


def classify_marks(codes: pd.Series, dates: pd.Series) -> pd.Series:
    """Return the statistical class of each register mark, choosing the code set by date.

    Sessions dated before :data:`CODE_SET_CHANGE` (19 August 2024) use
    :data:`ATTENDANCE_CODES_PRE_2024`, later ones :data:`ATTENDANCE_CODES_2024`.
    ``'-'`` (no mark yet) is ``'MISSING'``. Codes are compared stripped and
    upper-cased. An unknown code, a blank code, or a code whose date is missing and
    whose class differs between the two sets gives ``<NA>``, so the caller can
    report it rather than guess.

    Parameters
    ----------
    codes : pandas.Series
        Register codes, one per session.
    dates : pandas.Series
        Session dates (datetime64), aligned with ``codes``.

    Returns
    -------
    pandas.Series
        String dtype, same index as ``codes``: ``PRESENT``, ``AUTH``, ``UNAUTH``,
        ``NOT_POSSIBLE``, ``MISSING`` or ``<NA>``.

    Examples
    --------
    >>> import pandas as pd
    >>> codes = pd.Series(["J", "J", "J1", "-", "??"])
    >>> dates = pd.to_datetime(pd.Series(["2024-07-01", "2024-09-02", "2024-09-02",
    ...                                   "2024-09-02", "2024-09-02"]))
    >>> classify_marks(codes, dates).tolist()
    ['PRESENT', <NA>, 'AUTH', 'MISSING', <NA>]
    """
    key = pd.Series(codes, copy=False)
    idx, uniques = pd.factorize(key, use_na_sentinel=True)
    norm = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype(
        "string").str.strip().str.upper().tolist()
    cls = mark_class_index(idx, norm, pd.to_datetime(pd.Series(dates, copy=False)))
    out = pd.api.extensions.take(_CLASS_ARRAY, cls.astype(np.intp), allow_fill=True)
    return pd.Series(out, index=key.index, name="code_class")


# --------------------------------------------------------------------------- suspensions
#: Exclusion categories (section 2a) and accepted spellings -> normalised category.
#: Lunchtime exclusions (``LNCH``) count as suspensions.
CATEGORY_CODES: dict[str, str] = {
    "FIXD": "suspension", "FIXED": "suspension", "SUSPENSION": "suspension",
    "FIXED PERIOD": "suspension", "FIXED-PERIOD": "suspension", "LNCH": "suspension",
    "LUNCHTIME": "suspension",
    "PERM": "permanent", "PERMANENT": "permanent", "PERMANENT EXCLUSION": "permanent",
}

#: Reason codes whose older spelling is mapped onto the current one (PD became DB).
REASON_ALIASES: dict[str, str] = {"PD": "DB", "OT": "OT"}

#: DfE exclusion reason code (section 2c, plus common local codes) -> reason group.
#: ``violence``: physical assault (PP pupil, PA adult), verbal abuse or threats
#: (VP, VA), offensive weapon (OW), racist abuse (RA), abuse about sexual orientation
#: or gender identity (LG) or disability (DS). ``disruption``: persistent disruptive
#: behaviour (DB, and its predecessor PD) and the local codes LD (low-level
#: disruption) and CB (challenging behaviour). Everything else (bullying, sexual
#: misconduct, drugs, damage, theft, social media, public health, other, MP, OS)
#: is ``other``.
REASON_GROUPS: dict[str, str] = {
    "PP": "violence", "PA": "violence", "VP": "violence", "VA": "violence",
    "OW": "violence", "RA": "violence", "LG": "violence", "DS": "violence",
    "DB": "disruption", "PD": "disruption", "LD": "disruption", "CB": "disruption",
    "BU": "other", "SM": "other", "DA": "other", "DM": "other", "TH": "other",
    "MT": "other", "PH": "other", "OT": "other", "MP": "other", "OS": "other",
}

# --------------------------------------------------------------------------- SEN
#: SEN provision codes (section 3a) -> normalised provision. Legacy statements
#: (S) are EHC plans; School Action (A), Action Plus (P) and Q are SEN support.
#: ``N`` (no provision) is kept so the caller can set those rows aside.
PROVISION_CODES: dict[str, str] = {
    "K": "K", "E": "E", "S": "E", "A": "K", "P": "K", "Q": "K", "N": "N",
}

#: SEN type of need (section 3b) -> the need groups used as features.
SEN_NEED_GROUPS: dict[str, str] = {
    "SEMH": "SEMH", "BESD": "SEMH",
    "SLCN": "SLCN",
    "ASD": "ASD",
    "SPLD": "other", "MLD": "other", "SLD": "other", "PMLD": "other", "HI": "other",
    "VI": "other", "MSI": "other", "PD": "other", "OTH": "other", "NSA": "other",
}

# --------------------------------------------------------------------------- pupils
#: Accepted spellings of sex (upper-cased) -> census code.
SEX_CODES: dict[str, str] = {"M": "M", "F": "F", "MALE": "M", "FEMALE": "F"}

#: Accepted spellings of booleans (upper-cased) -> bool.
BOOLEAN_SPELLINGS: dict[str, bool] = {
    "1": True, "0": False, "1.0": True, "0.0": False, "TRUE": True, "FALSE": False,
    "T": True, "F": False, "Y": True, "N": False, "YES": True, "NO": False,
}

#: Ethnicity main codes (section 4) -> major group.
ETHNICITY_MAJOR: dict[str, str] = {
    **dict.fromkeys(["WBRI", "WIRI", "WIRT", "WROM", "WOTH"], "White"),
    **dict.fromkeys(["MWBC", "MWBA", "MWAS", "MOTH"], "Mixed"),
    **dict.fromkeys(["AIND", "APKN", "ABAN", "AOTH"], "Asian"),
    **dict.fromkeys(["BCRB", "BAFR", "BOTH"], "Black"),
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Unknown", "NOBT": "Unknown",
}

#: Ethnicity main codes (section 4) -> the DfE description of the code.
ETHNICITY_NAMES: dict[str, str] = {
    "WBRI": "White British", "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage", "WROM": "Gypsy or Roma",
    "WOTH": "Any other White background",
    "MWBC": "Mixed White and Black Caribbean", "MWBA": "Mixed White and Black African",
    "MWAS": "Mixed White and Asian", "MOTH": "Any other Mixed background",
    "AIND": "Indian", "APKN": "Pakistani", "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean", "BAFR": "Black African", "BOTH": "Any other Black background",
    "CHNE": "Chinese", "OOTH": "Any other ethnic group",
    "REFU": "Refused", "NOBT": "Information not yet obtained",
}

_ETHNICITY_FIRST_LETTER = {"W": "White", "M": "Mixed", "A": "Asian", "B": "Black",
                           "C": "Chinese", "O": "Any other ethnic group"}

#: Codes reported as Gypsy, Roma and Traveller in audits (WROG/WROR are the
#: extended Gypsy and Roma codes that roll up to WROM).
GRT_CODES = frozenset({"WIRT", "WROM", "WROG", "WROR"})
GRT_GROUP = "Gypsy, Roma and Traveller"


def _upper(codes: pd.Series | ArrayLike) -> pd.Series:
    s = pd.Series(codes, copy=False)
    if s.dtype == object or not pd.api.types.is_string_dtype(s.dtype):
        s = s.astype("string")
    return s.str.strip().str.upper()


def ethnicity_major(codes: pd.Series | ArrayLike) -> pd.Series:
    """Return the major ethnic group of each census ethnicity code.

    Main codes use :data:`ETHNICITY_MAJOR`; other 4-letter extended codes roll up
    by their first letter (W, M, A, B, C, O). ``REFU``/``NOBT`` are ``'Unknown'``.
    Anything else (and blanks) is ``<NA>``.

    Examples
    --------
    >>> import pandas as pd
    >>> ethnicity_major(pd.Series(["WBRI", "walb", "REFU", "XX", None])).tolist()
    ['White', 'White', 'Unknown', <NA>, <NA>]
    """
    key = _upper(codes)
    out = key.map(ETHNICITY_MAJOR)
    fallback = key.str[0].map(_ETHNICITY_FIRST_LETTER).where(key.str.len() == 4)
    return out.fillna(fallback).astype("string").rename("ethnicity_major")


def ethnicity_audit_group(codes: pd.Series | ArrayLike) -> pd.Series:
    """Return the ethnicity group used in fairness audits.

    The major group, except that Gypsy, Roma and Traveller codes (``WIRT``,
    ``WROM`` and their extended forms) are reported as their own group (section 4:
    pooling them into White hides disparities).

    Examples
    --------
    >>> import pandas as pd
    >>> ethnicity_audit_group(pd.Series(["WBRI", "WROM", "WIRT", "BAFR"])).tolist()
    ['White', 'Gypsy, Roma and Traveller', 'Gypsy, Roma and Traveller', 'Black']
    """
    key = _upper(codes)
    major = ethnicity_major(key)
    return major.mask(key.isin(GRT_CODES).fillna(False), GRT_GROUP).rename(
        "ethnicity_group")


# --------------------------------------------------------------------------- UPN
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_BODY = ("A UPN body must be 11 digits then a digit or one of {letters}; got {{!r}}. "
             "Pass the UPN without its first (check) letter.").format(letters=UPN_LETTERS)
#: Social-care placeholders for "UPN unknown": missing, not invalid.
UPN_UNKNOWN = frozenset({"UN1", "UN2", "UN3", "UN4", "UN5"})


def upn_check_letter(body12: str) -> str:
    """Return the check letter for the last 12 characters of a UPN.

    Examples
    --------
    >>> upn_check_letter("801200005001")
    'B'
    """
    body12 = body12.strip().upper()
    if not (len(body12) == 12 and body12[:11].isdigit() and body12.isascii()
            and (body12[11].isdigit() or body12[11] in UPN_LETTERS)):
        raise ValueError(_UPN_BODY.format(body12))
    s = sum((int(c) if c.isdigit() else UPN_LETTERS.index(c)) * w
            for w, c in enumerate(body12, 2))
    return UPN_LETTERS[s % 23]


def upn_is_valid(upn: object) -> bool:
    """Return whether ``upn`` is a well-formed UPN with the right check letter.

    Examples
    --------
    >>> upn_is_valid("B801200005001"), upn_is_valid("A801200005001")
    (True, False)
    >>> upn_is_valid("R674123101121")
    True
    """
    if not isinstance(upn, str):
        return False
    u = upn.strip().upper()
    return (len(u) == 13 and u[0] in UPN_LETTERS and u[1:12].isdigit()
            and u[1:12].isascii() and (u[12].isdigit() or u[12] in UPN_LETTERS)
            and upn_check_letter(u[1:]) == u[0])


def _ascii_13(s: pd.Series) -> np.ndarray | None:
    """The characters of 13-character ASCII strings as an ``(n, 13)`` array of code
    points, read from the Arrow text buffer; ``None`` unless ``s`` is Arrow text whose
    every value is 13 bytes (13 characters and 13 bytes: ASCII)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"):
        return None
    a = pa.array(s.array)
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    a = a.cast(pa.large_string())
    if a.null_count or not len(a) or not pc.all(pc.equal(pc.binary_length(a), 13)).as_py():
        return None
    _, offsets, data = a.buffers()
    start = int(np.frombuffer(offsets, dtype=np.int64)[a.offset])  # 13 bytes each:
    data = np.frombuffer(data, dtype=np.uint8)[start:start + 13 * len(a)]  # end to end
    return data.reshape(-1, 13).astype(np.int64)


def upn_valid_mask(upns: pd.Series | ArrayLike) -> np.ndarray:
    """Vectorised :func:`upn_is_valid` over a Series or array of strings.

    Missing values are ``False`` (callers treat missing and ``UN1``-``UN5`` apart).

    Examples
    --------
    >>> import pandas as pd
    >>> upn_valid_mask(pd.Series(["B801200005001", "A801200005001", None, "x"])).tolist()
    [True, False, False, False]
    """
    s = _upper(upns)
    n = len(s)
    ok = (s.str.len() == 13).fillna(False).to_numpy(dtype=bool)
    result = np.zeros(n, dtype=bool)
    if not ok.any():
        return result
    codes = _ascii_13(s[ok])
    if codes is None:
        sub = s[ok].to_numpy(dtype=object).astype("U13")
        chars = sub.view("U1").reshape(-1, 13)  # (m, 13) single characters
        codes = chars.view(np.uint32).astype(np.int64)  # code points
        codes = np.minimum(codes, 127)  # non-ASCII -> DEL, neither digit nor letter
    lut = np.full(128, -1, dtype=np.int64)
    for i, c in enumerate(UPN_LETTERS):
        lut[ord(c)] = i
    digits = (codes >= 48) & (codes <= 57)
    letter_idx = lut[codes]
    good = (letter_idx[:, 0] >= 0) & digits[:, 1:12].all(axis=1) & (
        digits[:, 12] | (letter_idx[:, 12] >= 0))
    values = np.where(digits, codes - 48, letter_idx)
    weights = np.arange(2, 14, dtype=np.int64)
    check = (values[:, 1:] * weights).sum(axis=1) % 23
    good &= check == letter_idx[:, 0]
    result[ok] = good
    return result
