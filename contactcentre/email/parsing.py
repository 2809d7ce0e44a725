"""One stored message read into what the channel needs: addresses, threading headers, the text
and sanitised HTML, the reply apart from quotes and signature, attachments judged, its kind.

The standard library's `email` (policy.default) parses; bodies are decoded through our charset
aliases, never through `get_content()`, which raises on a charset Python does not know. A
message that cannot be understood raises `Unparseable` with a stable reason code, and nothing
else: the caller quarantines it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from contactcentre.email import charsets, noise
from contactcentre.email.attachments import AttachmentFacts, judge
from contactcentre.email.authentication import SenderAuthentication, assess
from contactcentre.email.language import detect
from contactcentre.email.noise import Bounce
from contactcentre.email.replies import ReplyParts, split_reply
from contactcentre.email.sanitising import sanitise, text_of

MAX_DEPTH = 32  # nested multiparts deeper than this are a parser bomb, not mail
MAX_PARTS = 1_000
MESSAGE_ID_CHARS = 250
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,998})>")
FACT_HEADERS = (
    "auto-submitted", "precedence", "x-autoreply", "x-autorespond", "x-autoresponse",
    "x-auto-response-suppress", "list-id", "list-unsubscribe", "list-post",
    "authentication-results",
)  # fmt: skip


class Unparseable(Exception):
    """The message cannot be read as mail; `reason` is a stable code shown to administrators."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Limits:
    max_attachment_bytes: int
    attachment_types: frozenset[str]
    # Our receiving servers' authserv-ids: only their Authentication-Results are believed.
    trusted_authserv_ids: frozenset[str] = frozenset()


@dataclass
class ParsedEmail:
    message_id: str | None
    in_reply_to: list[str]
    references: list[str]
    from_address: str | None
    from_name: str
    to: list[str]
    subject: str
    text: str
    html: str | None
    reply: ReplyParts
    language: str | None
    kind: str  # noise.KINDS
    kind_reason: str
    headers: dict[str, str]
    attachments: list[AttachmentFacts] = field(default_factory=list)
    authentication: SenderAuthentication = field(default_factory=SenderAuthentication)
    bounces: list[Bounce] = field(default_factory=list)
    bounced_message_id: str | None = None
    charsets: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def message_ids(value: str | None) -> list[str]:
    """The Message-IDs in a header value (In-Reply-To, References), in order, normalised."""
    if not value:
        return []
    return [normalise_message_id(found) for found in _MESSAGE_ID.findall(value)]


def normalise_message_id(value: str) -> str:
    """Without angle brackets or spaces; an over-long one becomes its hash (column width)."""
    ident = value.strip().strip("<>").strip()
    if len(ident) > MESSAGE_ID_CHARS:
        return "sha256:" + hashlib.sha256(ident.encode("utf-8", "replace")).hexdigest()
    return ident


def message_key(raw: bytes) -> str:
    """What makes a message unique in its mailbox: its Message-ID, else a hash of its bytes.

    Read from the raw header block, without a full parse, so intake stays fast and a message
    the parser would choke on is still stored once.
    """
    head = raw[:65536].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    match = re.search(rb"(?im)^message-id:[ \t]*(?:\r?\n[ \t]+)?<([^<>\s]{1,998})>", head)
    if match:
        return normalise_message_id(match.group(1).decode("ascii", "replace"))
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def parse(raw: bytes, limits: Limits, envelope_from: str | None = None) -> ParsedEmail:
    """Read one message; raises Unparseable (and only that) when it cannot."""
    try:
        return _parse(raw, limits, envelope_from)
    except Unparseable:
        raise
    except RecursionError:
        raise Unparseable("too_complex", "parts nested too deeply") from None
    except Exception as exc:  # the stdlib parser's own bugs on hostile input included
        raise Unparseable("parser_error", f"{type(exc).__name__}: {exc}"[:500]) from None


def _parse(raw: bytes, limits: Limits, envelope_from: str | None) -> ParsedEmail:
    if not raw.strip():
        raise Unparseable("empty", "the message has no bytes")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not message.keys():
        raise Unparseable("no_headers", "no header could be read; this is not a mail message")
    headers = {name: _header(message, name) for name in FACT_HEADERS if name in message}
    name, address = _sender(message, envelope_from)
    if address is None:
        raise Unparseable("no_sender", "neither From, Sender, Reply-To nor an envelope sender")
    parsed = ParsedEmail(
        message_id=_first_id(_header(message, "message-id")),
        in_reply_to=message_ids(_header(message, "in-reply-to")),
        references=message_ids(_header(message, "references")),
        from_address=address,
        from_name=name,
        to=_addresses(message, "to") + _addresses(message, "cc"),
        subject=" ".join(_header(message, "subject").split())[:255],
        text="",
        html=None,
        reply=ReplyParts("", "", ""),
        language=None,
        kind="customer",
        kind_reason="",
        headers=headers,
        defects=[type(d).__name__ for d in message.defects][:20],
    )
    parsed.kind, parsed.kind_reason = noise.classify(message, headers, address)
    parsed.authentication = assess(
        [str(v) for v in message.get_all("authentication-results") or []],
        limits.trusted_authserv_ids,
    )
    _PartReader(parsed, limits).read(message, "1", 0)
    if parsed.kind == "bounce":
        parsed.bounces, bounced = noise.bounces(message)
        parsed.bounced_message_id = _first_id(bounced)
    parsed.reply = split_reply(parsed.text)
    parsed.language = detect(parsed.reply.reply)
    return parsed


class _PartReader:
    """Depth first: the first text/plain and text/html bodies, the rest judged as attachments.
    A message/rfc822 part (a forward as attachment) is an attachment, not descended into."""

    def __init__(self, parsed: ParsedEmail, limits: Limits) -> None:
        self.parsed = parsed
        self.limits = limits
        self.count = 0
        self.have_plain = False

    def read(self, part: Message, path: str, depth: int) -> None:
        self.count += 1
        if depth > MAX_DEPTH or self.count > MAX_PARTS:
            raise Unparseable("too_complex", f"more than {MAX_DEPTH} levels or {MAX_PARTS} parts")
        kind = part.get_content_type()
        if part.is_multipart() and kind != "message/rfc822":
            for index, child in enumerate(part.iter_parts(), start=1):  # type: ignore[attr-defined]
                self.read(child, f"{path}.{index}", depth + 1)
            return
        if kind.startswith("multipart/") or kind == "message/delivery-status":
            return
        filename = _filename(part)
        disposition = (part.get_content_disposition() or "").lower()
        if kind in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            self._body(part, kind)
            return
        data = part.as_bytes() if kind == "message/rfc822" else _payload(part)
        self.parsed.attachments.append(
            judge(
                path,
                filename,
                kind,
                data,
                max_bytes=self.limits.max_attachment_bytes,
                allowed=self.limits.attachment_types,
            )
        )

    def _body(self, part: Message, kind: str) -> None:
        """The first body of each type; a later alternative (a digest's next text) is skipped.
        The text view is the text/plain body, else the HTML's text."""
        parsed = self.parsed
        if (kind == "text/plain" and self.have_plain) or (kind == "text/html" and parsed.html):
            return
        text, codec = charsets.decode(_payload(part), part.get_content_charset())
        parsed.charsets.append(codec)
        if kind == "text/plain":
            parsed.text = text
            self.have_plain = True
        else:
            parsed.html = sanitise(text)
            if not self.have_plain:
                parsed.text = text_of(text)


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    text = part.get_payload()
    return text.encode("utf-8", "replace") if isinstance(text, str) else b""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        return "unnamed"
    return " ".join(str(name).split()) if name else ""


def _header(message: Message, name: str) -> str:
    """The header decoded; one the policy's parser cannot read is decoded from its raw form."""
    try:
        value = message.get(name)
        return "" if value is None else str(value)
    except Exception:
        raw = next((v for k, v in message.raw_items() if k.lower() == name), "")
        return _decode_words(str(raw))


def _decode_words(raw: str) -> str:
    try:
        pieces = decode_header(raw)
    except Exception:
        return raw
    words = []
    for data, charset in pieces:
        words.append(charsets.decode(data, charset)[0] if isinstance(data, bytes) else data)
    return "".join(words)


def _sender(message: Message, envelope_from: str | None) -> tuple[str, str | None]:
    for name in ("from", "sender", "reply-to"):
        display, address = parseaddr(_header(message, name))
        if "@" in address:
            return display, address.strip().lower()[:254]
    if envelope_from and "@" in envelope_from:
        return "", envelope_from.strip().strip("<>").lower()[:254]
    return "", None


def _addresses(message: Message, name: str) -> list[str]:
    return [a.lower() for _n, a in getaddresses([_header(message, name)]) if "@" in a][:50]


def _first_id(value: str | None) -> str | None:
    found = message_ids(value)
    return found[0] if found else None
