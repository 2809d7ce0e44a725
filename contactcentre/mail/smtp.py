"""Sends email through an SMTP server (CC_SMTP_HOST, CC_SMTP_PORT, optional STARTTLS and login).

One connection per message: the senders are jobs that send a few mails, not a mailing list.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from contactcentre.settings import Settings

TIMEOUT_SECONDS = 30


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise ValueError("SmtpSender needs CC_SMTP_HOST; without it use the outbox folder")
        self._host = settings.smtp_host
        self._port = settings.smtp_port
        self._starttls = settings.smtp_starttls
        self._username = settings.smtp_username
        self._password = settings.smtp_password or ""

    def send(self, message: EmailMessage) -> str:
        with smtplib.SMTP(self._host, self._port, timeout=TIMEOUT_SECONDS) as smtp:
            if self._starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self._username:
                smtp.login(self._username, self._password)
            smtp.send_message(message)
        return f"smtp://{self._host}:{self._port}"
