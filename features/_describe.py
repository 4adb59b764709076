"""Plain-English descriptions of audit groups, from the code tables (for people to read)."""

from __future__ import annotations

from ._codes import ETHNICITY_NAMES, GRT_GROUP

#: What each audit attribute is, in words.
ATTRIBUTE_NAMES = {
    "sex": "Sex",
    "fsm": "Free school meals",
    "eal": "First language",
    "looked_after": "Looked-after status",
    "ethnicity": "Ethnicity",
    "ethnicity_major": "Ethnic group",
    "ethnicity_group": "Ethnic group",
    "sen": "Special educational needs",
    "year_group": "Year group",
    "school": "School",
}

_YES_NO = {
    "fsm": ("Eligible for free school meals", "Not eligible for free school meals"),
    "eal": ("English as an additional language", "English as first language"),
    "looked_after": ("Looked after", "Not looked after"),
}
_SEX = {"M": "Boys", "F": "Girls"}
_SEN = {"none": "No special educational needs", "SEN support": "SEN support",
        "EHC plan": "Education, health and care (EHC) plan"}
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
_UNKNOWN = {"", "nan", "<na>", "none", "unknown", "nat"}


def describe_attribute(attribute: str) -> str:
    """The name of an audit attribute in words (the attribute itself when unknown).

    Examples
    --------
    >>> describe_attribute("fsm"), describe_attribute("house")
    ('Free school meals', 'house')
    """
    return ATTRIBUTE_NAMES.get(str(attribute), str(attribute))


def describe_group(attribute: str, value: object) -> str:
    """A group of an audit attribute in words, from the DfE code tables.

    Parameters
    ----------
    attribute : str
        An audit group column (``sex``, ``fsm``, ``eal``, ``looked_after``,
        ``ethnicity``, ``ethnicity_major``, ``sen``, ``year_group``, ``school``, or
        any other, which is shown as it is).
    value : object
        The group's value as the audit shows it (a code, True/False, a number).

    Returns
    -------
    str

    Examples
    --------
    >>> describe_group("ethnicity", "ABAN"), describe_group("fsm", True)
    ('Bangladeshi', 'Eligible for free school meals')
    >>> describe_group("sex", "F"), describe_group("year_group", 7)
    ('Girls', 'Year 7')
    >>> describe_group("ethnicity", "ZZZZ"), describe_group("eal", None)
    ('ZZZZ', 'Not recorded')
    """
    attribute = str(attribute)
    text = "" if value is None else str(value).strip()
    if text.lower() in _UNKNOWN and not (attribute == "sen" and text == "none"):
        return "Not recorded"
    if attribute in _YES_NO:
        yes, no = _YES_NO[attribute]
        if text.lower() in _TRUE:
            return yes
        if text.lower() in _FALSE:
            return no
        return text
    if attribute == "sex":
        return _SEX.get(text.upper(), text)
    if attribute == "sen":
        return _SEN.get(text, text)
    if attribute == "ethnicity":
        return ETHNICITY_NAMES.get(text.upper(), text)
    if attribute == "year_group":
        try:
            return f"Year {int(float(text))}"
        except ValueError:
            return text
    if attribute in ("ethnicity_major", "ethnicity_group") and text == GRT_GROUP:
        return GRT_GROUP
    return text
