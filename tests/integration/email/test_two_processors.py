"""Two mail processes working through the same stored mail: every message processed once, and
the two messages of one conversation in one thread, whichever processor takes which."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask_openapi3 import OpenAPI
from sqlalchemy import func, select

from contactcentre.platform.runtime import Runtime
from contactcentre.store.models import EmailThread, InboundEmail, Interaction, Message
from tests.email_corpus import simple
from tests.integration.email.mailboxes import add_mailbox, channel_processor, deliver

CONVERSATIONS = 30


@pytest.fixture
def runtime(app: OpenAPI) -> Runtime:
    found: Runtime = app.extensions["contactcentre"]
    if found.db.engine.dialect.name != "postgresql":
        pytest.skip("two processors at once need PostgreSQL (SQLite has one writer at a time)")
    return found


def test_two_processors_thread_each_conversation_once(runtime: Runtime) -> None:
    """Each customer writes twice (the same subject); two processors race over all of it."""
    mailbox = add_mailbox(runtime.db)
    ids: dict[int, list[int]] = {1: [], 2: []}
    for part in (1, 2):
        for n in range(CONVERSATIONS):
            raw = simple(
                message_id=f"<c{n}.{part}@customer.example>",
                sender=f"Customer {n} <c{n}@customer.example>",
                subject=f"Question {n}",
            )
            ids[part].append(deliver(runtime.db, mailbox, raw).inbound_id)
    first, second = channel_processor(runtime), channel_processor(runtime)
    waiting = second.pending

    # The second works from the customers' second messages (as a process that came up later
    # would from another place in the queue): each conversation's two messages at once.
    def from_the_second_messages() -> list[int]:
        still = set(waiting())
        return [i for i in ids[2] + ids[1] if i in still]

    second.pending = from_the_second_messages  # type: ignore[method-assign]
    processors = [first, second]
    start, failures = threading.Barrier(2), []

    def work(processor: Any) -> None:
        try:
            start.wait()
            while processor.run_once():
                pass
        except Exception as exc:  # the assertion below says which
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(p,)) for p in processors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    with runtime.db.session() as session:
        statuses = session.execute(
            select(InboundEmail.status, func.count()).group_by(InboundEmail.status)
        ).all()
        assert dict(statuses) == {"processed": 2 * CONVERSATIONS}
        assert session.scalar(select(func.count()).select_from(EmailThread)) == CONVERSATIONS
        assert (
            session.scalar(
                select(func.count()).select_from(Interaction).where(Interaction.channel == "email")
            )
            == CONVERSATIONS
        )
        assert session.scalar(select(func.count()).select_from(Message)) == 2 * CONVERSATIONS
