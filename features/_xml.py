"""Read an XML file safely: DTDs and entities are refused, never expanded.

Expanding entities could exhaust memory (billion laughs) or read local files (XXE);
defusedxml refuses both, and this module turns its refusals and parse errors into
one exception with a message that says what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

HOSTILE = ("refused: the XML declares a DTD or entities ({0}); CTFs never do, and "
           "expanding them could exhaust memory (billion laughs) or read local files (XXE). "
           "Ask the sender for a plain CTF export.")
MALFORMED = "malformed XML ({0}); the file is damaged or not XML. Re-export the CTF."


class UnreadableXML(ValueError):
    """An XML file was refused (DTD or entities) or could not be parsed."""


def parse_xml(path):
    """Return the root element of the XML file at ``path``.

    Raises
    ------
    UnreadableXML
        With :data:`HOSTILE` for a DTD or entity declaration, :data:`MALFORMED` for a
        file that is not well-formed XML.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = os.path.join(d, "x.xml")
    ...     _ = open(path, "w").write('<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')
    ...     try:
    ...         parse_xml(path)
    ...     except UnreadableXML as err:
    ...         print(str(err)[:26])
    refused: the XML declares
    """
    try:
        return SafeET.parse(str(path), forbid_dtd=True).getroot()
    except DefusedXmlException as exc:
        raise UnreadableXML(HOSTILE.format(type(exc).__name__)) from None
    except ParseError as exc:
        raise UnreadableXML(MALFORMED.format(exc)) from None
    except LookupError as exc:  # an encoding Python does not know
        raise UnreadableXML(MALFORMED.format(f"{exc}; save the file as UTF-8")) from None
    except RecursionError:
        raise UnreadableXML(MALFORMED.format("elements nested too deeply")) from None


def root_name(path: Path) -> str | None:
    """Local name of the root element of ``path``, read without parsing the rest; None
    when the file cannot be read safely."""
    try:
        for _event, el in SafeET.iterparse(str(path), events=("start",), forbid_dtd=True):
            return local_name(el.tag)
    except (DefusedXmlException, ParseError, OSError, LookupError, RecursionError):
        return None
    return None


def local_name(tag: object) -> str:
    """An element's name without its namespace (``{uri}Pupil`` -> ``Pupil``)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def child_text(el: Any, path: str) -> str | None:
    """Stripped text at ``path`` under ``el``, or None when absent or blank."""
    if el is None:
        return None
    node = el.find(path)
    if node is None or node.text is None or not node.text.strip():
        return None
    return node.text.strip()
