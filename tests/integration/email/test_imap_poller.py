"""The IMAP poller against a real Dovecot: messages APPENDed to the mailbox are imported once and
stay unseen; a restarted poller imports nothing twice; what arrived while it was down is
backfilled; a new UIDVALIDITY re-reads the folder without duplicates; a server that goes away
and comes back is reconnected to; and the `mail` process runs the poller (kill -9 included)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted
from sqlalchemy import func, select

from contactcentre.email.imap_poller import MailboxPoller
from contactcentre.settings import Settings
from contactcentre.store.db import Database
from contactcentre.store.models import InboundEmail, Mailbox
from tests.email_corpus import simple
from tests.integration.email.dovecot import PASSWORD, USER, Dovecot, dovecot_missing
from tests.integration.email.mailboxes import MailProcess, add_mailbox
from tests.integration.realtime.live import eventually
from tests.ports import free_port

pytestmark = pytest.mark.skipif(dovecot_missing() is not None, reason=str(dovecot_missing()))

SECRET_ENV = "CC_TEST_IMAP_PASSWORD"


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[Dovecot]:
    server = Dovecot(tmp_path / "dovecot").start()
    yield server
    server.cleanup()


@pytest.fixture
def mailbox_id(database: Database, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv(SECRET_ENV, PASSWORD)
    return _imap_mailbox(database, dovecot)


def _imap_mailbox(database: Database, dovecot: Dovecot) -> int:
    return add_mailbox(
        database,
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_tls="none",
        imap_user=USER,
        imap_secret_ref=f"env:{SECRET_ENV}",
    )


def _append(dovecot: Dovecot, *numbers: int) -> None:
    with MailBoxUnencrypted("127.0.0.1", dovecot.port).login(USER, PASSWORD) as client:
        for number in numbers:
            raw = simple(message_id=f"<imap{number}@customer.example>", subject=f"Order {number}")
            client.append(raw, "INBOX", flag_set=[])  # simple() is CRLF already


def _counts(database: Database) -> dict[str, int]:
    with database.session() as session:
        rows = session.execute(
            select(InboundEmail.message_key, func.count())
            .where(InboundEmail.source == "imap")
            .group_by(InboundEmail.message_key)
        ).all()
    return {key: int(count) for key, count in rows}


def _expected(*numbers: int) -> dict[str, int]:
    return {f"imap{number}@customer.example": 1 for number in numbers}


def _poller(database: Database, mailbox_id: int) -> MailboxPoller:
    return MailboxPoller(database, mailbox_id, idle_seconds=0.5, backoff_max_seconds=0.5)


def _settle(poller: MailboxPoller) -> None:
    """Until a whole pass began after now: whatever is on the server by now has been seen."""
    assert poller.wait_for_pass(poller.passes), "the poller made no pass"


def _state(database: Database, mailbox_id: int) -> tuple[int | None, int]:
    with database.session() as session:
        row = session.get(Mailbox, mailbox_id)
        assert row is not None
        return row.imap_uidvalidity, row.imap_last_uid


def test_appended_messages_are_imported_once_and_stay_unseen(
    database: Database, dovecot: Dovecot, mailbox_id: int
) -> None:
    poller = _poller(database, mailbox_id).start()
    try:
        _settle(poller)
        _append(dovecot, 1, 2, 3)
        eventually(lambda: _counts(database) == _expected(1, 2, 3), timeout=30)
        _settle(poller)
        _settle(poller)
        assert _counts(database) == _expected(1, 2, 3)
    finally:
        poller.stop()
    with MailBoxUnencrypted("127.0.0.1", dovecot.port).login(USER, PASSWORD) as client:
        flags = [message.flags for message in client.fetch(mark_seen=False, headers_only=True)]
    assert len(flags) == 3
    assert all("\\Seen" not in message_flags for message_flags in flags)
    uidvalidity, last_uid = _state(database, mailbox_id)
    assert uidvalidity is not None and last_uid == 3
    with database.session() as session:
        assert {row.status for row in session.scalars(select(InboundEmail))} == {"received"}


def test_a_restarted_poller_imports_nothing_twice_and_backfills_what_it_missed(
    database: Database, dovecot: Dovecot, mailbox_id: int
) -> None:
    poller = _poller(database, mailbox_id).start()
    _append(dovecot, 1, 2)
    eventually(lambda: _counts(database) == _expected(1, 2), timeout=30)
    poller.stop()

    restarted = _poller(database, mailbox_id).start()  # nothing new: nothing imported
    _settle(restarted)
    assert _counts(database) == _expected(1, 2)
    restarted.stop()

    _append(dovecot, 3, 4, 5)  # while nobody polls: an outage
    backfilling = _poller(database, mailbox_id).start()
    try:
        eventually(lambda: _counts(database) == _expected(1, 2, 3, 4, 5), timeout=30)
        _settle(backfilling)
        assert _counts(database) == _expected(1, 2, 3, 4, 5)
        assert _state(database, mailbox_id)[1] == 5
    finally:
        backfilling.stop()


def test_a_new_uidvalidity_reads_the_folder_again_without_duplicates(
    database: Database, dovecot: Dovecot, mailbox_id: int
) -> None:
    poller = _poller(database, mailbox_id).start()
    _append(dovecot, 1, 2, 3)
    eventually(lambda: _counts(database) == _expected(1, 2, 3), timeout=30)
    poller.stop()
    old_validity, _ = _state(database, mailbox_id)
    assert old_validity is not None

    dovecot.set_uidvalidity(old_validity + 1000)
    _append(dovecot, 4)
    again = _poller(database, mailbox_id).start()
    try:
        eventually(lambda: _state(database, mailbox_id) == (old_validity + 1000, 4), timeout=30)
        _settle(again)
        assert _counts(database) == _expected(1, 2, 3, 4)
    finally:
        again.stop()


def test_the_poller_reconnects_when_the_server_comes_back(
    database: Database, dovecot: Dovecot, mailbox_id: int
) -> None:
    poller = _poller(database, mailbox_id).start()
    try:
        _append(dovecot, 1)
        eventually(lambda: _counts(database) == _expected(1), timeout=30)
        dovecot.stop()
        dovecot.start()  # the same port and maildir: the poller's connection is gone
        _append(dovecot, 2)
        eventually(lambda: _counts(database) == _expected(1, 2), timeout=30)
    finally:
        poller.stop()


def test_the_mail_process_polls_imap_and_survives_kill_9(
    settings: Settings, database: Database, dovecot: Dovecot, redis_client: object
) -> None:
    mailbox_id = _imap_mailbox(database, dovecot)
    env = {
        SECRET_ENV: PASSWORD,
        "CC_EMAIL_IMAP_IDLE_SECONDS": "0.5",
        "CC_EMAIL_IMAP_BACKOFF_MAX_SECONDS": "0.5",
    }
    process = MailProcess(settings, free_port(), **env).start()
    try:
        _append(dovecot, 1, 2)
        eventually(lambda: _counts(database) == _expected(1, 2), timeout=60)
        process.kill()
        _append(dovecot, 3)
        process.start()
        eventually(lambda: _counts(database) == _expected(1, 2, 3), timeout=60)

        def processed() -> bool:
            with database.session() as session:
                statuses = session.scalars(
                    select(InboundEmail.status).where(InboundEmail.mailbox_id == mailbox_id)
                ).all()
            return len(statuses) == 3 and set(statuses) == {"processed"}

        eventually(processed, timeout=60)
        assert _counts(database) == _expected(1, 2, 3)
    finally:
        process.stop()
