"""Which sender outgoing email goes through: SMTP when CC_SMTP_HOST is set, otherwise .eml
files in instance/outbox/ (the development mail drop). Callers see only MailSender."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

from contactcentre.mail.outbox import OutboxFolder
from contactcentre.mail.smtp import SmtpSender
from contactcentre.settings import Settings

OUTBOX = "outbox"  # under settings.instance_path


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Deliver the message; returns where it went (for logs and tests)."""
        ...


def sender_for(settings: Settings) -> MailSender:
    if settings.smtp_host:
        return SmtpSender(settings)
    return OutboxFolder(settings.instance_path / OUTBOX)
