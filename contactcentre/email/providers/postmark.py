"""Postmark inbound: a JSON POST with the message parsed (`FromFull`, `ToFull`, `CcFull`,
`Subject`, `Date`, `Headers`, `TextBody`, `HtmlBody`, `Attachments` in base64), and the whole
message in `RawEmail` when the server has "include raw email content" on.

Postmark authenticates with basic auth on the webhook URL (https://user:secret@host/...),
checked in constant time. Its `MessageID` is the delivery's own id, the same on every retry:
the intake's provider event id.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from contactcentre.email.providers import Inbound
from contactcentre.email.providers.forms import Malformed
from contactcentre.email.providers.rebuild import (
    STRUCTURAL,
    Attachment,
    Body,
    header_line,
    message,
)

EVENT_ID_CHARS = 128  # the intake's provider_event_id column


def payload(body: bytes) -> dict[str, Any]:
    try:
        found = json.loads(body)
    except ValueError:
        raise Malformed(None, "the body is not JSON") from None
    if not isinstance(found, dict):
        raise Malformed(None, "the body is not a JSON object")
    return found


def event_id(data: dict[str, Any]) -> str:
    ident = data.get("MessageID")
    if not isinstance(ident, str) or not ident.strip() or len(ident) > EVENT_ID_CHARS:
        raise Malformed("MessageID", f"MessageID must be a string of 1 to {EVENT_ID_CHARS} chars")
    return ident.strip()


def inbound(data: dict[str, Any]) -> Inbound:
    ident = event_id(data)
    raw = _text(data, "RawEmail")
    if raw:
        return Inbound(raw.encode(), None, ident)
    named = [
        ("From", _address(data, "FromFull") or _text(data, "From")),
        ("To", _addresses(data, "ToFull") or _text(data, "To")),
        ("Cc", _addresses(data, "CcFull") or _text(data, "Cc")),
        ("Reply-To", _text(data, "ReplyTo")),
        ("Subject", _text(data, "Subject")),
        ("Date", _text(data, "Date")),
    ]
    lines = [header_line(name, value) for name, value in named if value]
    given = {name.lower() for name, value in named if value}
    headers = data.get("Headers") or []
    if not isinstance(headers, list):
        raise Malformed("Headers", "Headers is not an array")
    for index, header in enumerate(headers):
        if not isinstance(header, dict):
            raise Malformed(f"Headers[{index}]", "a header is {Name, Value} with two strings")
        name, value = header.get("Name"), header.get("Value")
        if not isinstance(name, str) or not isinstance(value, str):
            raise Malformed(f"Headers[{index}]", "a header is {Name, Value} with two strings")
        if name.strip().lower() not in STRUCTURAL | given:
            lines.append(header_line(name, value))
    text, html = _text(data, "TextBody"), _text(data, "HtmlBody")
    return Inbound(
        message(
            b"".join(lines),
            None if text is None else Body(text.encode()),
            None if html is None else Body(html.encode()),
            _attachments(data),
        ),
        None,
        ident,
    )


def _text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise Malformed(name, f"{name} is not a string")
    return value


def _address(data: dict[str, Any], name: str) -> str:
    entry = data.get(name)
    if entry is None:
        return ""
    if not isinstance(entry, dict):
        raise Malformed(name, f"{name} is not an object with Email and Name")
    email, display = entry.get("Email"), entry.get("Name")
    if not isinstance(email, str) or not isinstance(display, (str, type(None))):
        raise Malformed(f"{name}.Email", f"{name}.Email is not a string")
    if not email:
        return ""
    if not display:
        return email
    quoted = display.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{email}>'


def _addresses(data: dict[str, Any], name: str) -> str:
    entries = data.get(name)
    if entries is None:
        return ""
    if not isinstance(entries, list):
        raise Malformed(name, f"{name} is not an array")
    found = [_address({name: e}, name) for e in entries]
    return ", ".join(a for a in found if a)


def _attachments(data: dict[str, Any]) -> list[Attachment]:
    entries = data.get("Attachments") or []
    if not isinstance(entries, list):
        raise Malformed("Attachments", "Attachments is not an array")
    found = []
    for index, entry in enumerate(entries):
        where = f"Attachments[{index}]"
        if not isinstance(entry, dict):
            raise Malformed(where, f"{where} is not an object")
        content = entry.get("Content")
        if not isinstance(content, str):
            raise Malformed(f"{where}.Content", "Content must be the attachment in base64")
        try:
            decoded = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise Malformed(f"{where}.Content", "Content is not valid base64") from None
        name, kind, cid = entry.get("Name"), entry.get("ContentType"), entry.get("ContentID")
        found.append(
            Attachment(
                name if isinstance(name, str) else "",
                kind if isinstance(kind, str) else "application/octet-stream",
                decoded,
                cid if isinstance(cid, str) and cid else None,
            )
        )
    return found
