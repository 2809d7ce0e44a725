"""Sends an email through the configured SMTP server, or, with no CC_SMTP_HOST, writes it as
an .eml file under instance/outbox/ (a development mail drop any mail client can open)."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from contactcentre.settings import Settings


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Deliver the message; returns where it went (for logs and tests)."""
        ...


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host is not None
        self._settings = settings

    def send(self, message: EmailMessage) -> str:
        s = self._settings
        assert s.smtp_host is not None
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password or "")
            smtp.send_message(message)
        return f"smtp://{s.smtp_host}:{s.smtp_port}"


class OutboxFolder:
    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def send(self, message: EmailMessage) -> str:
        self._folder.mkdir(parents=True, exist_ok=True)
        path = self._folder / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(message.as_bytes())
        return str(path)


def sender_for(settings: Settings) -> MailSender:
    if settings.smtp_host:
        return SmtpSender(settings)
    return OutboxFolder(Path(settings.instance_path) / "outbox")


def new_message(
    settings: Settings, to: str, subject: str, text: str, html: str | None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@contactcentre>"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message
