"""The customer's new words apart from what they quoted and their signature, by
mail-parser-reply (a maintained reply parser with client headers in many languages).

Only the first REPLY_SCAN_CHARS are parsed: its expressions are not meant for megabytes, and the
new words are at the top. Whatever it cannot split stays in the reply, never lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from mailparser_reply import EmailReplyParser

log = logging.getLogger(__name__)
REPLY_SCAN_CHARS = 20_000
LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt", "sv", "pl", "ja"]


@dataclass(frozen=True)
class ReplyParts:
    reply: str  # what the sender wrote this time
    quoted: str  # the earlier messages they quoted
    signature: str


def split_reply(text: str) -> ReplyParts:
    """Split a plain-text body into the new reply, the quoted history and the signature."""
    if not text.strip():
        return ReplyParts("", "", "")
    head, tail = text[:REPLY_SCAN_CHARS], text[REPLY_SCAN_CHARS:]
    try:
        parsed = EmailReplyParser(languages=LANGUAGES).read(head)
    except Exception:  # a third-party parser; the message must still get through
        log.exception("reply parser failed; the whole body is kept as the reply")
        return ReplyParts(text.strip(), "", "")
    if not parsed.replies:
        return ReplyParts(text.strip(), "", "")
    first = parsed.replies[0]
    reply = first.body.strip()
    quoted = "\n\n".join(r.full_body for r in parsed.replies[1:]) + tail
    if not reply:  # all signature or all quote: show what there is rather than nothing
        reply = first.full_body.strip() or head.strip()
    return ReplyParts(reply, quoted.strip(), (first.signatures or "").strip())
