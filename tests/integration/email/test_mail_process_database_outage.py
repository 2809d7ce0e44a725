"""The mail process through a database failure: its housekeeping (the IMAP pollers' check of
the mailboxes table) fails while the table is away and the process goes on; RCPT meanwhile is
refused for now (451), the message being processed is not quarantined for it, and mail is
accepted again once the table is back. In the fault suite's
postgres scenario the process used to exit here."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from contactcentre.settings import Settings
from contactcentre.store.db import Database
from contactcentre.store.models import InboundEmail
from tests.email_corpus import simple
from tests.integration.email.mailboxes import MailProcess, add_mailbox
from tests.integration.realtime.live import eventually
from tests.ports import free_port

POLL_PASSES = 10  # the process's loop runs every 0.2 s (MailProcess's CC_EMAIL_POLL_SECONDS)


@pytest.fixture
def mail_process(settings: Settings, redis_client: object) -> Iterator[MailProcess]:
    process = MailProcess(settings, free_port())
    yield process
    process.stop()


def _rename(db: Database, old: str, new: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"ALTER TABLE {old} RENAME TO {new}"))


def _statuses(db: Database) -> dict[str, str]:
    with db.session() as session:
        return dict(session.execute(sa.select(InboundEmail.message_key, InboundEmail.status)).all())


def _send(port: int, n: int) -> int:
    """The RCPT's code, or the DATA's when RCPT was accepted."""
    raw = simple(message_id=f"<outage-{n}@customer.example>")
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.ehlo()
        smtp.mail("ann@customer.example")
        code, _ = smtp.rcpt("support@example.com")
        if code != 250:
            return code
        code, _ = smtp.data(raw)
        return code


def test_the_mail_process_outlives_a_database_failure(
    database: Database, mail_process: MailProcess
) -> None:
    """Alive after many failed passes, 451 during the failure, 250 after it."""
    add_mailbox(database)
    mail_process.start()
    assert _send(mail_process.port, 1) == 250
    _rename(database, "email_mailboxes", "email_mailboxes_away")
    try:
        time.sleep(POLL_PASSES * 0.2)
        assert mail_process.process.poll() is None  # type: ignore[attr-defined]
        assert _send(mail_process.port, 2) == 451
    finally:
        _rename(database, "email_mailboxes_away", "email_mailboxes")
    eventually(lambda: _send(mail_process.port, 3) == 250)
    assert mail_process.process.poll() is None  # type: ignore[attr-defined]
    # The message being processed when the table went is processed, not quarantined: the
    # failed passes were the database's fault, not the message's.
    eventually(
        lambda: (
            _statuses(database)
            == {"outage-1@customer.example": "processed", "outage-3@customer.example": "processed"}
        )
    )
