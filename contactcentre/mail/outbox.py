"""A development mail drop: each message is written as an .eml file in a folder (by default
instance/outbox/), which any mail client opens; used when no SMTP host is configured.

The file is named after the message's Message-ID, so a message sent again (a retried job)
replaces its own file instead of adding a second.
"""

from __future__ import annotations

import hashlib
import uuid
from email.message import EmailMessage
from pathlib import Path


class OutboxFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        ident = str(message.get("Message-ID") or uuid.uuid4().hex)
        path = self.folder / f"{hashlib.sha256(ident.encode()).hexdigest()[:32]}.eml"
        # Written under a temporary name first, so a reader never sees half a message.
        partial = path.with_suffix(f".{uuid.uuid4().hex}.part")
        partial.write_bytes(message.as_bytes())
        partial.replace(path)
        return str(path)
