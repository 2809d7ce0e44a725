"""Outbound email (the acknowledgement) through contactcentre/mail/: the fixed Message-ID and
RFC 3834 headers on the wire; a resend replaces rather than duplicates; and a job killed -9
mid-send is enqueued again by the reconciler and sends the message exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import redis
from flask_openapi3 import OpenAPI
from rq.job import Job
from sqlalchemy import select

from contactcentre.email import sending
from contactcentre.platform.runtime import Runtime
from contactcentre.settings import Settings
from contactcentre.store.models import OutboundEmail
from contactcentre.store.types import utcnow
from tests.email_corpus import simple
from tests.integration.email.mailboxes import add_mailbox, channel_processor, deliver
from tests.integration.email.smtp_sink import Receiver, running_sink
from tests.integration.realtime.live import eventually

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, int]]:
    with running_sink() as found:
        yield found


def _acknowledged(app: OpenAPI) -> tuple[Runtime, int]:
    runtime: Runtime = app.extensions["contactcentre"]
    mailbox = add_mailbox(runtime.db)
    deliver(runtime.db, mailbox, simple())
    channel_processor(runtime).run_once()
    with runtime.db.session() as session:
        return runtime, session.scalars(select(OutboundEmail.id)).one()


def test_the_acknowledgement_goes_out_with_our_message_id_and_rfc_3834_headers(
    app: OpenAPI, settings: Settings, receiver: tuple[Receiver, int]
) -> None:
    """On the wire: our recorded Message-ID, In-Reply-To the customer's, Auto-Submitted."""
    handler, port = receiver
    runtime, outbound_id = _acknowledged(app)
    runtime.settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    sending.deliver(runtime, outbound_id)
    (raw,) = handler.messages
    sent = message_from_bytes(raw, policy=policy.default)
    with runtime.db.session() as session:
        row = session.get(OutboundEmail, outbound_id)
        assert row is not None and row.status == "sent" and row.attempts == 1
        assert sent["Message-ID"] == f"<{row.message_id}>"
    assert sent["In-Reply-To"] == "<m1@customer.example>"
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["From"].addresses[0].addr_spec == "support@example.com"
    assert sending.deliver(runtime, outbound_id) == "already sent"
    assert len(handler.messages) == 1


def test_a_resend_to_the_outbox_folder_replaces_its_file(app: OpenAPI) -> None:
    """Without SMTP the mail drop names files by Message-ID: sent twice, one file."""
    runtime, outbound_id = _acknowledged(app)
    first = sending.deliver(runtime, outbound_id)
    with runtime.db.session() as session:
        row = session.get(OutboundEmail, outbound_id)
        assert row is not None
        row.status = "queued"  # as if the commit of "sent" had been lost
    second = sending.deliver(runtime, outbound_id)
    assert first == second
    assert len(list(Path(first).parent.glob("*.eml"))) == 1


def test_a_send_killed_mid_dialogue_is_sent_again_exactly_once(
    app: OpenAPI, settings: Settings, receiver: tuple[Receiver, int]
) -> None:
    """The job is killed -9 while the server holds it at RCPT: nothing was delivered; the
    reconciler enqueues it again; its rerun delivers one message with the same Message-ID."""
    handler, port = receiver
    runtime, outbound_id = _acknowledged(app)
    handler.hold.set()
    env = {
        **os.environ,
        "CC_DATABASE_URL": settings.effective_database_url,
        "CC_REDIS_URL": str(settings.redis_url),
        "CC_INSTANCE_PATH": str(settings.instance_path),
        "CC_SECRET_KEY": "test-secret-key",
        "CC_SMTP_HOST": "127.0.0.1",
        "CC_SMTP_PORT": str(port),
    }
    job = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from contactcentre.email.sending import send_outbound; send_outbound({outbound_id})",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        assert handler.at_rcpt.wait(60)
    finally:
        job.kill()
        job.wait()
    handler.hold.clear()
    with runtime.db.session() as session:
        row = session.get(OutboundEmail, outbound_id)
        assert row is not None and row.status == "sending"
        row.created_at = utcnow() - timedelta(minutes=5)
    assert handler.messages == []
    # While its RQ job is live, the reconciler leaves it to RQ; once RQ has given the job up
    # (a killed worker's job leaves the started registry as abandoned), it enqueues it again.
    assert sending.reconcile(runtime) == []
    rq_connection = redis.Redis.from_url(runtime.redis_url)
    Job.fetch(sending.job_id(outbound_id), connection=rq_connection).delete()
    assert sending.reconcile(runtime) == [outbound_id]
    runtime.settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    sending.deliver(runtime, outbound_id)  # what the re-enqueued job runs
    eventually(lambda: handler.messages)
    (raw,) = handler.messages
    with runtime.db.session() as session:
        row = session.get(OutboundEmail, outbound_id)
        assert row is not None and (row.status, row.attempts) == ("sent", 2)
        assert message_from_bytes(raw, policy=policy.default)["Message-ID"] == f"<{row.message_id}>"
    assert sending.reconcile(runtime) == []
