"""An outgoing email as the standard library builds it: plain text, with an HTML alternative.

Every sender takes this one shape, so what a job writes is what the SMTP server receives.
"""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import formatdate

from contactcentre.settings import Settings


def compose(settings: Settings, to: str, subject: str, text: str, html: str | None) -> EmailMessage:
    """From `settings.mail_from` to one address; `html` becomes the multipart alternative."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{uuid.uuid4().hex}@contactcentre>"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message
