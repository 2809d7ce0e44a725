"""The SMTP listener, spoken to with smtplib over a real loopback socket: unknown recipients
refused at RCPT (550), an oversized message at MAIL FROM by its SIZE (552), and a 250 to DATA
only once the message is committed."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from contactcentre.email.smtp_listener import IntakeHandler, listener
from contactcentre.store.db import Database
from contactcentre.store.models import InboundEmail
from tests.email_corpus import simple
from tests.integration.email.mailboxes import add_mailbox
from tests.ports import free_port

MAX_BYTES = 64 * 1024


@pytest.fixture
def smtp_port(database: Database) -> Iterator[int]:
    port = free_port()
    controller = listener(IntakeHandler(database), "127.0.0.1", port, MAX_BYTES)
    controller.start()
    yield port
    controller.stop()


def test_a_delivered_message_is_committed_when_250_is_answered(
    database: Database, smtp_port: int
) -> None:
    """smtplib's sendmail returns after 250; a fresh connection then reads the stored bytes."""
    add_mailbox(database)
    raw = simple(message_id="<smtp1@customer.example>") + b"\r\n"  # SMTP ends on CRLF
    with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
        refused = smtp.sendmail("ann@customer.example", ["support@example.com"], raw)
    assert refused == {}
    fresh = Database(database.url)
    try:
        with fresh.session() as session:
            row = session.scalars(select(InboundEmail)).one()
            assert row.raw == raw and row.source == "smtp"
            assert row.envelope_from == "ann@customer.example"
            assert row.message_key == "smtp1@customer.example"
    finally:
        fresh.dispose()


def test_an_unknown_recipient_is_refused_before_data(database: Database, smtp_port: int) -> None:
    """RCPT TO a mailbox we do not have: 550, and nothing is stored."""
    add_mailbox(database)
    with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
        smtp.ehlo()
        smtp.mail("ann@customer.example")
        code, _ = smtp.rcpt("nobody@example.com")
        assert code == 550
        code, _ = smtp.rcpt("support+orders@example.com")  # plus-addressing reaches support@
        assert code == 250
    with database.session() as session:
        assert session.scalars(select(InboundEmail)).all() == []


def test_a_message_over_the_size_limit_is_refused_at_mail_from(
    database: Database, smtp_port: int
) -> None:
    """The listener advertises SIZE; a sender declaring more gets 552 before any data."""
    add_mailbox(database)
    with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
        smtp.ehlo()
        assert int(smtp.esmtp_features["size"]) == MAX_BYTES
        code, _ = smtp.mail("ann@customer.example", [f"SIZE={MAX_BYTES + 1}"])
        assert code == 552
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            smtp.sendmail("ann@customer.example", ["support@example.com"], b"x" * (MAX_BYTES + 1))
        assert refused.value.smtp_code == 552
    with database.session() as session:
        assert session.scalars(select(InboundEmail)).all() == []


def test_one_message_to_two_mailboxes_is_stored_for_each(
    database: Database, smtp_port: int
) -> None:
    """One transaction, one 250, one row per recipient mailbox."""
    add_mailbox(database)
    add_mailbox(database, "sales@example.com")
    with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
        smtp.sendmail(
            "ann@customer.example", ["support@example.com", "sales@example.com"], simple()
        )
    with database.session() as session:
        assert len(session.scalars(select(InboundEmail)).all()) == 2


def test_a_recipient_lookup_that_fails_is_a_temporary_refusal(tmp_path: Path) -> None:
    """The database away at RCPT: 451 (the sending server keeps the message and retries),
    never a 5xx that would bounce the customer's mail."""
    away = Database(f"sqlite:///{tmp_path / 'no such folder' / 'db.sqlite3'}")
    port = free_port()
    controller = listener(IntakeHandler(away), "127.0.0.1", port, MAX_BYTES)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.ehlo()
            smtp.mail("ann@customer.example")
            code, _ = smtp.rcpt("support@example.com")
        assert code == 451
    finally:
        controller.stop()
        away.dispose()
