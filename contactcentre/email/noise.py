"""Mail no person wrote: auto-replies (RFC 3834 Auto-Submitted, Precedence, the vendors'
X-Auto-Response headers), mailing lists (List-*) and bounces (RFC 3464 delivery status
notifications), with each bounce's recipients. None of these is ever acknowledged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

KINDS = ("customer", "auto_reply", "list", "bounce")
BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
AUTO_REPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponse")
LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post")
_DAEMONS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.I)


@dataclass(frozen=True)
class Bounce:
    address: str
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str  # "5.1.1"
    diagnostic: str


def classify(message: Message, headers: dict[str, str], sender: str | None) -> tuple[str, str]:
    """The message's kind and the header that decided it (for the record)."""
    if _is_report(message):
        return "bounce", "content-type: multipart/report"
    if sender is not None and _DAEMONS.match(sender):
        return "bounce", "sender"
    auto = headers.get("auto-submitted", "").strip().lower()
    precedence = headers.get("precedence", "").strip().lower()
    suppress = headers.get("x-auto-response-suppress", "").lower()
    checks = [
        (bool(auto) and not auto.startswith("no"), "auto_reply", f"auto-submitted: {auto[:40]}"),
        *((name in headers, "auto_reply", name) for name in AUTO_REPLY_HEADERS),
        (any(w in suppress for w in ("all", "oof")), "auto_reply", "x-auto-response-suppress"),
        (precedence == "list", "list", "precedence: list"),
        (precedence in BULK_PRECEDENCE, "auto_reply", f"precedence: {precedence}"),
        *((name in headers, "list", name) for name in LIST_HEADERS),
    ]
    return next(((kind, why) for hit, kind, why in checks if hit), ("customer", ""))


def _is_report(message: Message) -> bool:
    return (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type", "")).lower() == "delivery-status"
    )


def bounces(message: Message) -> tuple[list[Bounce], str | None]:
    """The recipients a delivery status notification reports on, and the Message-ID of the
    message that bounced (from its returned copy or headers), when it says."""
    found: list[Bounce] = []
    original: str | None = None
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks[1:] if isinstance(blocks, list) else []:
                if not isinstance(block, Message):
                    continue
                recipient = str(
                    block.get("Final-Recipient") or block.get("Original-Recipient") or ""
                )
                address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
                if "@" in address:
                    found.append(
                        Bounce(
                            address[:254],
                            str(block.get("Action", "")).strip().lower()[:16],
                            str(block.get("Status", "")).strip()[:16],
                            " ".join(str(block.get("Diagnostic-Code", "")).split())[:1000],
                        )
                    )
        elif kind in ("message/rfc822", "text/rfc822-headers") and original is None:
            original = _returned_message_id(part)
    return found, original


def _returned_message_id(part: Message) -> str | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        value = payload[0].get("Message-ID")
        return None if value is None else str(value)
    if isinstance(payload, str):
        match = re.search(r"(?im)^message-id:\s*(<[^>]+>)", payload)
        return match.group(1) if match else None
    return None
