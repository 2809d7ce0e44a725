"""Which attachments are kept: within the size limit, of an allowed type, and what their first
bytes say they are rather than only what the sender declared (an .exe labelled a PDF is not one).

Refused attachments are listed with the reason; the raw message still holds them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath

EXECUTABLE_EXTENSIONS = frozenset(
    {".exe", ".bat", ".cmd", ".com", ".scr", ".pif", ".js", ".jse", ".vbs", ".vbe", ".ps1",
     ".msi", ".jar", ".hta", ".lnk", ".dll", ".sh"}
)  # fmt: skip
# Office Open XML documents are zip files: a zip may carry one of these declared types.
ZIP_CONTAINERS = frozenset(
    {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"MZ", "executable"),
    (b"\x7fELF", "executable"),
    (b"#!", "executable"),
    (b"\x78\x9f\x3e\x22", "application/ms-tnef"),  # winmail.dat
)


@dataclass(frozen=True)
class AttachmentFacts:
    part: str
    filename: str
    content_type: str  # what we take it to be
    size: int
    sha256: str
    accepted: bool
    refusal: str | None  # too_large, executable, type_not_allowed


def sniff(data: bytes) -> str | None:
    """The type the first bytes prove, if they prove one."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def judge(
    part: str,
    filename: str,
    declared: str,
    data: bytes,
    *,
    max_bytes: int,
    allowed: frozenset[str],
) -> AttachmentFacts:
    """Keep or refuse one attachment, saying why."""
    declared = declared.lower()
    sniffed = sniff(data)
    kind = declared
    if sniffed == "application/zip" and declared in ZIP_CONTAINERS:
        kind = declared
    elif sniffed is not None:
        kind = sniffed
    refusal = None
    if len(data) > max_bytes:
        refusal = "too_large"
    elif kind == "executable" or PurePosixPath(filename.lower()).suffix in EXECUTABLE_EXTENSIONS:
        refusal = "executable"
    elif kind not in allowed:
        refusal = "type_not_allowed"
    return AttachmentFacts(
        part=part,
        filename=filename[:255],
        content_type=kind[:127],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        accepted=refusal is None,
        refusal=refusal,
    )
