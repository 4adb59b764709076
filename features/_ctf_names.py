"""CTF element names: the known tree, and near-miss spellings read or reported.

Element names are matched on local names (namespaces stripped). A name that differs
only in case, or a known alias, is read with a note; a name within edit distance
1-2 of a CTF name, or any other unknown name, is not read and is noted.
"""

from __future__ import annotations

from typing import Any

from ._xml import local_name

NEAR_MISS_READ = "element '{0}' read as '{1}' (CTF names are case-sensitive); fix the exporter"
ALIAS_READ = "element '{0}' read as '{1}' (not a CTF name); fix the exporter"
NEAR_MISS = "element '{0}' not read: did you mean '{1}'? Rename it to be read"
UNKNOWN = "element '{0}' is not a CTF element read by read_ctf; it was not read"

#: Every element name in the CTF tree of reference section 5b.
KNOWN_ELEMENTS = frozenset("""
CTfile Header DocumentName CTFversion DateTime DocumentQualifier DataDescriptor SupplierID
SourceSchool LEA Estab URN SchoolName AcademicYear DestSchool CTFpupilData Pupil UPN
UniqueLearnerNumber UCI Surname Forename DOB Sex Gender BasicDetails FormerUPN
PreferredSurname PreferredForename FormerSurname FormerForename MiddleNames NCyearActual
Ethnicity EthnicitySource Languages Type LanguageType Language MedicalFlag Disabilities
Disability EnrolStatus LookedAfter InCare CareAuthority SENhistory SEN StartDate EndDate
SENprovision SENneeds SENneed SENtype SENtypeRank FSMhistory FSMreviewDate FSMinstance
FSMstartDate FSMendDate UKcountry FSMEligibilityVerificationDate FSMCategory NAWdetails
Admissions Address Phones Phone Email Contacts Contact Attendance YearData Year
SessionsPossible SessionsAuthorised SessionsAttended SessionsUnauthorised AttendSessions
AttendanceStartDate AttendanceMarks StageAssessments KeyStage Stage StageAssessment Locale
Subject Method Component ResultStatus ResultQualifier Result SchoolHistory School EntryDate
LeavingDate LeavingReason LastSchool
""".split())
#: Containers whose contents read_ctf does not use; their children are not checked.
_OPAQUE = frozenset({"NAWdetails", "Admissions", "Address", "Phones", "Contacts",
                     "StageAssessments", "Disabilities"})
#: Other names seen for an element, read as the CTF name (with a warning).
_ALIASES = {"DateOfBirth": "DOB", "BirthDate": "DOB"}
_LOWER = {n.lower(): n for n in KNOWN_ELEMENTS}


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (small strings only)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _near_miss(name: str) -> tuple[str, bool] | None:
    """Return ``(known_name, read)`` for a near-miss element name, else ``None``."""
    if name.lower() in _LOWER:
        return _LOWER[name.lower()], True
    if name in _ALIASES:
        return _ALIASES[name], True
    limit = 1 if len(name) <= 4 else 2
    best = min(KNOWN_ELEMENTS, key=lambda k: (_distance(name.lower(), k.lower()), k))
    if _distance(name.lower(), best.lower()) <= limit:
        return best, False
    return None


def canonicalise(root: Any, fname: str, notes: list[tuple[str, str, str, str]]) -> None:
    """Strip namespaces, rename case/alias near-misses and note every unknown element."""
    def walk(el, path):
        counts: dict[str, int] = {}
        for child in list(el):
            if not isinstance(child.tag, str):  # comments, processing instructions
                continue
            name = local_name(child.tag)
            counts[name] = counts.get(name, 0) + 1
            here = f"{path}/{name}[{counts[name]}]" if name == "Pupil" else f"{path}/{name}"
            if name not in KNOWN_ELEMENTS:
                hit = _near_miss(name)
                if hit is None:
                    notes.append((fname, here, name, UNKNOWN.format(name)))
                    child.tag = "_unread_" + name
                    continue
                known, read = hit
                if read:
                    msg = ALIAS_READ if name in _ALIASES else NEAR_MISS_READ
                    notes.append((fname, here, name, msg.format(name, known)))
                    name = known
                else:
                    notes.append((fname, here, name, NEAR_MISS.format(name, known)))
                    child.tag = "_unread_" + name
                    continue
            child.tag = name
            if name not in _OPAQUE:
                walk(child, here)

    walk(root, local_name(root.tag))

