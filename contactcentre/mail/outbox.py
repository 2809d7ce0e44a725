"""A development mail drop: each message is written as an .eml file in a folder (by default
instance/outbox/), which any mail client opens; used when no SMTP host is configured."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from pathlib import Path


class OutboxFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{uuid.uuid4().hex}.eml"
        # Written under a temporary name first, so a reader never sees half a message.
        partial = path.with_suffix(".part")
        partial.write_bytes(message.as_bytes())
        partial.replace(path)
        return str(path)
