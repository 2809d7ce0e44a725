"""Intake: the raw message stored once per (mailbox, Message-ID) and per provider event id;
unparseable ones quarantined with the reason; one bad message never blocks the next."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from contactcentre.email.processing import AfterParse
from contactcentre.email.processor import MAX_ATTEMPTS, IntakeProcessor
from contactcentre.settings import Settings
from contactcentre.store.db import Database
from contactcentre.store.models import (
    EmailAttachment,
    EmailBounce,
    EmailQuarantine,
    InboundEmail,
)
from tests.email_corpus import corpus, simple
from tests.integration.email.mailboxes import add_mailbox, deliver, processor


def _count(db: Database, model: Any) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_same_message_delivered_twice_is_stored_once(database: Database) -> None:
    """A retrying server's second copy (same Message-ID, same mailbox) is the first row."""
    mailbox = add_mailbox(database)
    first = deliver(database, mailbox, simple(message_id="<dup@x>"))
    again = deliver(database, mailbox, simple(message_id="<dup@x>", body="a resend"))
    assert first.created and not again.created
    assert again.inbound_id == first.inbound_id
    assert _count(database, InboundEmail) == 1


def test_one_message_to_two_mailboxes_is_stored_for_each(database: Database) -> None:
    """Idempotency is per mailbox: a message copied to sales and support reaches both."""
    support = add_mailbox(database)
    sales = add_mailbox(database, "sales@example.com")
    raw = simple(message_id="<both@x>")
    assert deliver(database, support, raw).created
    assert deliver(database, sales, raw).created


def test_a_provider_event_is_stored_once_even_if_its_bytes_differ(database: Database) -> None:
    """A webhook retried by its provider carries the same event id: one row."""
    mailbox = add_mailbox(database)
    first = deliver(database, mailbox, b"From: a@b.example\r\n\r\none", provider_event_id="ev-1")
    again = deliver(database, mailbox, b"From: a@b.example\r\n\r\ntwo", provider_event_id="ev-1")
    assert not again.created and again.inbound_id == first.inbound_id


def test_the_raw_bytes_are_kept_exactly(database: Database) -> None:
    """What is stored is byte for byte what arrived, whatever the parser makes of it."""
    mailbox = add_mailbox(database)
    raw = b"\xff\xfe not mail at all \x00\x01"
    stored = deliver(database, mailbox, raw)
    with database.session() as session:
        row = session.get(InboundEmail, stored.inbound_id)
        assert row is not None and row.raw == raw and row.size == len(raw)


def test_every_corpus_message_ends_processed_or_quarantined(
    database: Database, settings: Settings
) -> None:
    """The hard corpus through the processor: none is left waiting, none lost, and each
    quarantined one has the reason the parser gave."""
    mailbox = add_mailbox(database)
    hard = corpus()
    ids = {deliver(database, mailbox, h.raw).inbound_id: h for h in hard}
    outcomes = processor(database, settings).run_once()
    assert len(outcomes) == len(hard)
    with database.session() as session:
        for inbound_id, h in ids.items():
            row = session.get(InboundEmail, inbound_id)
            assert row is not None
            reason = session.scalar(
                select(EmailQuarantine.reason).where(EmailQuarantine.inbound_id == inbound_id)
            )
            if h.outcome == "parsed":
                assert (row.status, reason) == ("processed", None), h.name
            else:
                assert (row.status, reason) == ("quarantined", h.outcome), h.name
        refusals = set(session.scalars(select(EmailAttachment.refusal)))
        assert {"too_large", "type_not_allowed", "executable", None} <= refusals
        bounced = session.scalars(select(EmailBounce.address)).all()
        assert bounced == ["gone@customer.example"]


def test_a_message_whose_processing_keeps_failing_is_quarantined_and_the_next_goes_on(
    database: Database, settings: Settings
) -> None:
    """A bug on one message (here: the step after parsing raises) is retried, then
    quarantined as processing_error; the message after it is processed meanwhile."""
    mailbox = add_mailbox(database)
    bad = deliver(database, mailbox, simple(message_id="<bad@x>", subject="explode"))
    good = deliver(database, mailbox, simple(message_id="<good@x>"))

    def after_parse(session: Any, inbound: InboundEmail, parsed: Any) -> None:
        if parsed.subject == "explode":
            raise RuntimeError("a bug in a later step")

    hook: AfterParse = after_parse
    plain = processor(database, settings)
    worker = IntakeProcessor(plain.db, plain.limits, hook)
    first = worker.run_once()
    assert [(o.inbound_id, o.status) for o in first] == [(good.inbound_id, "processed")]
    for _ in range(MAX_ATTEMPTS - 1):
        worker.run_once()
    with database.session() as session:
        row = session.get(InboundEmail, bad.inbound_id)
        assert row is not None and row.status == "quarantined"
        reason = session.scalar(
            select(EmailQuarantine.reason).where(EmailQuarantine.inbound_id == bad.inbound_id)
        )
        assert reason == "processing_error"
    assert worker.pending() == []


def test_processing_twice_writes_nothing_twice(database: Database, settings: Settings) -> None:
    """A processed message is not processed again (a crash after commit, a second pass)."""
    mailbox = add_mailbox(database)
    hard = next(h for h in corpus() if h.name == "bounce (DSN)")
    deliver(database, mailbox, hard.raw)
    for _ in range(2):
        processor(database, settings).run_once()
    assert _count(database, EmailBounce) == 1
