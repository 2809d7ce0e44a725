"""A provider's parsed fields (headers, text, HTML, attachments) written back as one MIME
message, so a webhook delivery enters the intake as the same raw bytes the parser reads from
SMTP and IMAP.

The bytes are a function of the fields alone (boundaries are derived from the content, never
random), so a provider's retry of a message without a Message-ID rebuilds the same bytes and
the intake's hash key stores it once. Header values are written as they came (UTF-8 where
they are not ASCII, RFC 6532), never re-parsed: a malformed Date is kept, not emptied.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import quote

# The message's structure is ours now: the provider's description of the original is dropped.
STRUCTURAL = frozenset(
    {"content-type", "content-transfer-encoding", "mime-version", "content-length",
     "content-disposition"}
)  # fmt: skip
_NAME = re.compile(r"^[!-9;-~]{1,76}$")  # printable ASCII without the colon (RFC 5322 ftext)
_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+-]{1,63}/[A-Za-z0-9!#$&^_.+-]{1,63}$")
_CHARSET = re.compile(r"^[A-Za-z0-9!#$%&'+^_`{}~.:-]{1,40}$")
_LINE_BREAKS = re.compile(r"[\r\n]+[ \t]*")


@dataclass(frozen=True)
class Body:
    """A text or HTML body in the charset it came in (None: not said)."""

    data: bytes
    charset: str | None = "utf-8"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None


def header_line(name: str, value: str) -> bytes:
    """One header field, unfolded; a name that is not a header name is kept under X-Invalid-."""
    name = name.strip()
    if not _NAME.match(name):
        name, value = "X-Invalid-Header", f"{name}: {value}"
    return name.encode("ascii") + b": " + _LINE_BREAKS.sub(" ", value).strip().encode() + b"\r\n"


def header_block(raw: bytes) -> bytes:
    """A raw header block (SendGrid's `headers`) with CRLF line ends, without the structural
    fields: the fields' bytes are otherwise kept exactly, folding included."""
    fields: list[list[bytes]] = []
    for line in re.split(rb"\r?\n", raw):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1].append(line)
        elif line.strip():
            fields.append([line])
    kept = []
    for lines in fields:
        name = lines[0].split(b":", 1)[0].strip().decode("ascii", "replace").lower()
        if name not in STRUCTURAL:
            kept.append(b"\r\n".join(lines) + b"\r\n")
    return b"".join(kept)


def message(
    headers: bytes, text: Body | None, html: Body | None, attachments: list[Attachment]
) -> bytes:
    """`headers` (already header lines, see header_line and header_block) and a MIME body."""
    leaves = [leaf for leaf in (_text(text, "plain"), _text(html, "html")) if leaf is not None]
    if not leaves:
        leaves = [_text(Body(b""), "plain") or b""]
    seed = hashlib.sha256(b"".join(leaves)).hexdigest()[:24]
    body = leaves[0] if len(leaves) == 1 else _multipart("alternative", leaves, f"{seed}a")
    if attachments:
        parts = [body, *(_attachment(a) for a in attachments)]
        seed = hashlib.sha256(b"".join(parts)).hexdigest()[:24]
        body = _multipart("mixed", parts, f"{seed}m")
    return headers + b"MIME-Version: 1.0\r\n" + body


def _text(body: Body | None, subtype: str) -> bytes | None:
    if body is None:
        return None
    charset = body.charset if body.charset and _CHARSET.match(body.charset) else "unknown-8bit"
    head = f'Content-Type: text/{subtype}; charset="{charset}"\r\n'
    return _leaf(head.encode("ascii"), body.data)


def _attachment(attachment: Attachment) -> bytes:
    kind = attachment.content_type.strip().lower()
    kind = kind if _TYPE.match(kind) else "application/octet-stream"
    name = _filename_param(attachment.filename)
    head = f"Content-Type: {kind}{name}\r\n"
    if attachment.content_id:
        ident = _LINE_BREAKS.sub("", attachment.content_id).strip().strip("<>")
        head += f"Content-ID: <{ident}>\r\nContent-Disposition: inline{name}\r\n"
    else:
        head += f"Content-Disposition: attachment{name}\r\n"
    return _leaf(head.encode(), attachment.data)


def _filename_param(filename: str) -> str:
    name = _LINE_BREAKS.sub(" ", filename).strip()
    if not name:
        return ""
    if name.isascii():
        return '; filename="' + name.replace("\\", "_").replace('"', "_") + '"'
    return "; filename*=utf-8''" + quote(name, safe="")  # RFC 2231


def _leaf(head: bytes, data: bytes) -> bytes:
    # base64 for every part: no line of the content can then look like a boundary ("=_" never
    # occurs in base64), and 8-bit bytes pass any hop.
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return head + b"Content-Transfer-Encoding: base64\r\n\r\n" + encoded


def _multipart(subtype: str, parts: list[bytes], seed: str) -> bytes:
    boundary = f"=_cc_{seed}".encode("ascii")
    out = [b"Content-Type: multipart/" + subtype.encode() + b'; boundary="' + boundary + b'"\r\n']
    out.append(b"\r\n")
    for part in parts:
        out.append(b"--" + boundary + b"\r\n" + part + b"\r\n")
    out.append(b"--" + boundary + b"--\r\n")
    return b"".join(out)
