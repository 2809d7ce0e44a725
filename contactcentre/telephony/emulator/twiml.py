"""TwiML documents: parse the app's XML with ElementTree and check it against the verbs we know.

Parsing fails the way Twilio fails (12100 parse error, 12200 schema error), so the interpreter can
turn any problem into the caller hearing an application error.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from . import defaults
from .exceptions import TwimlError

__all__ = ["TwimlError", "Verb", "parse"]

VERBS = frozenset(
    {
        "Say",
        "Play",
        "Pause",
        "Gather",
        "Redirect",
        "Record",
        "Dial",
        "Enqueue",
        "Leave",
        "Hangup",
        "Reject",
    }
)
GATHER_CHILDREN = frozenset({"Say", "Play", "Pause"})
DIAL_NOUNS = frozenset({"Number", "Client", "Conference", "Queue"})
XML_TYPES = ("text/xml", "application/xml", "text/plain", "")


@dataclass(frozen=True)
class Verb:
    """One TwiML verb or noun: its name, attributes, text and children."""

    name: str
    attrs: dict[str, str]
    text: str
    children: tuple[Verb, ...]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.attrs.get(name)
        return default if value is None else value.strip().lower() == "true"

    def number(self, name: str, default: float) -> float:
        value = self.attrs.get(name)
        if value is None or value.strip() == "":
            return default
        try:
            return float(value)
        except ValueError as exc:
            raise TwimlError(
                defaults.ERR_SCHEMA, f"<{self.name} {name}={value!r}> is not a number"
            ) from exc

    def words(self, name: str, default: str = "") -> frozenset[str]:
        """A space- or comma-separated attribute such as statusCallbackEvent="join leave"."""
        raw = self.attrs.get(name, default)
        return frozenset(w for w in raw.replace(",", " ").split() if w)


def _convert(element: ET.Element) -> Verb:
    return Verb(
        name=element.tag,
        attrs={k: v for k, v in element.attrib.items()},
        text=(element.text or "").strip(),
        children=tuple(_convert(child) for child in element),
    )


def _check(verb: Verb, allowed: frozenset[str], where: str) -> None:
    if verb.name not in allowed:
        raise TwimlError(defaults.ERR_SCHEMA, f"<{verb.name}> is not allowed in {where}")
    if verb.name == "Gather":
        for child in verb.children:
            _check(child, GATHER_CHILDREN, "<Gather>")
    if verb.name == "Dial":
        for child in verb.children:
            _check(child, DIAL_NOUNS, "<Dial>")
        if not verb.children and not verb.text:
            raise TwimlError(defaults.ERR_SCHEMA, "<Dial> needs a number or a noun")


def parse(document: str, content_type: str = "text/xml") -> list[Verb]:
    """The verbs of a <Response> document, in order; raises TwimlError like Twilio would."""
    media = content_type.split(";", maxsplit=1)[0].strip().lower()
    if media not in XML_TYPES:
        raise TwimlError(defaults.ERR_CONTENT_TYPE, f"Content-Type {media!r} is not TwiML")
    try:
        root = ET.fromstring(document)  # noqa: S314 - trusted: our own app under test
    except ET.ParseError as exc:
        raise TwimlError(defaults.ERR_DOCUMENT_PARSE, f"document parse failure: {exc}") from exc
    if root.tag != "Response":
        raise TwimlError(defaults.ERR_SCHEMA, f"root element is <{root.tag}>, not <Response>")
    verbs = [_convert(child) for child in root]
    for verb in verbs:
        _check(verb, VERBS, "<Response>")
    return verbs
