"""kill -9 of the mail process in the middle of a message's DATA: what was acknowledged with
250 is there after the restart, exactly once, the half-sent message is not, and the sender's
retry (of both) stores nothing twice; the restarted process then processes everything."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from contactcentre.settings import Settings
from contactcentre.store.db import Database
from contactcentre.store.models import InboundEmail
from tests.email_corpus import simple
from tests.integration.email.mailboxes import MailProcess, add_mailbox
from tests.integration.realtime.live import eventually
from tests.ports import free_port

ACKNOWLEDGED = 5


@pytest.fixture
def mail_process(settings: Settings, redis_client: object) -> Iterator[MailProcess]:
    process = MailProcess(settings, free_port())
    yield process
    process.stop()


def _counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        rows = session.execute(
            select(InboundEmail.message_key, func.count()).group_by(InboundEmail.message_key)
        ).all()
    return {key: int(count) for key, count in rows}


def _half_sent(port: int, raw: bytes) -> socket.socket:
    """A session stopped in the middle of DATA: half the message, no final dot."""
    connection = socket.create_connection(("127.0.0.1", port))
    reader = connection.makefile("rb")
    reader.readline()  # 220
    for line in (b"EHLO sender.example", b"MAIL FROM:<ann@customer.example>",
                 b"RCPT TO:<support@example.com>", b"DATA"):  # fmt: skip
        connection.sendall(line + b"\r\n")
        while True:
            answer = reader.readline()
            if answer[3:4] != b"-":
                break
        assert answer[:1] in (b"2", b"3"), answer
    connection.sendall(raw[: len(raw) // 2])
    return connection


def test_kill_minus_nine_mid_data_loses_and_duplicates_nothing(
    database: Database, mail_process: MailProcess
) -> None:
    """Acknowledged messages survive exactly once; the unacknowledged one arrives once, when
    the sender retries; nothing is left unprocessed."""
    add_mailbox(database)
    mail_process.start()
    acked = [simple(message_id=f"<acked-{n}@customer.example>") for n in range(ACKNOWLEDGED)]
    with smtplib.SMTP("127.0.0.1", mail_process.port) as smtp:
        for raw in acked:
            assert smtp.sendmail("ann@customer.example", ["support@example.com"], raw) == {}
    in_flight = simple(
        message_id="<in-flight@customer.example>", body="a line of the message\n" * 400
    )
    connection = _half_sent(mail_process.port, in_flight)
    mail_process.kill()
    connection.close()

    counts = _counts(database)
    assert counts == {f"acked-{n}@customer.example": 1 for n in range(ACKNOWLEDGED)}

    mail_process.start()
    with smtplib.SMTP("127.0.0.1", mail_process.port) as smtp:
        # The sender retries what got no 250, and (as servers do) one that did.
        smtp.sendmail("ann@customer.example", ["support@example.com"], in_flight)
        smtp.sendmail("ann@customer.example", ["support@example.com"], acked[0])
    counts = _counts(database)
    assert set(counts.values()) == {1}
    assert len(counts) == ACKNOWLEDGED + 1

    def all_processed() -> bool:
        with database.session() as session:
            waiting = session.scalar(select(func.count()).where(InboundEmail.status == "received"))
        return waiting == 0

    assert eventually(all_processed, timeout=60)
