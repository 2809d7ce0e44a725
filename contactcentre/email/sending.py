"""Sending what the channel writes (acknowledgements, replies) through contactcentre/mail/ in an
RQ job, with retries and backoff.

The row is written, with the Message-ID the mail will carry, before any job runs; the job marks
it `sending`, sends, marks it `sent`. Killed mid-send (before the server's 250 to the message's
end) the server keeps nothing, RFC 5321 §4.1.1.4, and the job is run again by the reconciler:
sent once. The one window left, after the server's 250 and before our commit, resends the same
message with the same Message-ID, which receivers (our intake among them) take as one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage

import redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.mail.message import compose
from contactcentre.mail.sender import sender_for
from contactcentre.platform.runtime import Runtime, build_runtime
from contactcentre.realtime.emitter import emitter_for
from contactcentre.realtime.rooms import interaction_room
from contactcentre.settings import Settings
from contactcentre.store.models import EmailThread, Mailbox, OutboundEmail
from contactcentre.store.types import utcnow

log = logging.getLogger(__name__)
QUEUE = "default"
MAX_ATTEMPTS = 5
RETRY_INTERVALS = [10, 60, 300, 900]
STALE_SECONDS = 30  # a queued or sending row with no live job this long is enqueued again
LIVE_JOB_STATES = ("queued", "started", "scheduled", "deferred")


def job_id(outbound_id: int) -> str:
    return f"email-outbound-{outbound_id}"


def enqueue(redis_url: str, outbound_id: int) -> None:
    # RQ stores pickled payloads: its connection must not decode responses.
    queue = Queue(QUEUE, connection=redis.Redis.from_url(redis_url))
    queue.enqueue(
        send_outbound,
        outbound_id,
        job_id=job_id(outbound_id),
        retry=Retry(max=MAX_ATTEMPTS - 1, interval=RETRY_INTERVALS),
        job_timeout=120,
        result_ttl=86_400,
        failure_ttl=7 * 86_400,
    )


def send_outbound(outbound_id: int) -> str:
    """The RQ job: builds its own Runtime from settings (never a Flask app)."""
    runtime = build_runtime(Settings())
    try:
        return deliver(runtime, outbound_id)
    finally:
        runtime.close()


def deliver(runtime: Runtime, outbound_id: int) -> str:
    """Send one outbound email unless it was sent; where it went."""
    with runtime.db.session() as session:
        row = session.get(OutboundEmail, outbound_id, with_for_update=True)
        if row is None:
            raise LookupError(f"no outbound email {outbound_id}")
        if row.status == "sent":
            return "already sent"
        row.status = "sending"
        row.attempts += 1
        message = build_message(session_mailbox(session, row), row, runtime.settings)
    try:
        where = sender_for(runtime.settings).send(message)
    except Exception as exc:
        with runtime.db.session() as session:
            failed = session.get(OutboundEmail, outbound_id)
            assert failed is not None
            failed.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            failed.status = "failed" if failed.attempts >= MAX_ATTEMPTS else "queued"
            purpose, status = failed.purpose, failed.status
        tell_status(runtime, outbound_id, purpose, status)  # once committed
        raise
    with runtime.db.session() as session:
        sent = session.get(OutboundEmail, outbound_id)
        assert sent is not None
        sent.status = "sent"
        sent.sent_at = utcnow()
        sent.last_error = None
        purpose = sent.purpose
    tell_status(runtime, outbound_id, purpose, "sent")
    log.info("outbound email %s sent via %s", outbound_id, where)
    return where


def tell_status(runtime: Runtime, outbound_id: int, purpose: str, status: str) -> None:
    """An agent's reply: its new status to the interaction's room, for the console's email
    view (a lost push costs nothing: the view reads the status again when it loads)."""
    if purpose != "reply":
        return
    try:
        with runtime.db.session() as session:
            interaction_id = session.scalar(
                select(EmailThread.interaction_id)
                .join(OutboundEmail, OutboundEmail.thread_id == EmailThread.id)
                .where(OutboundEmail.id == outbound_id)
            )
        if interaction_id:
            emitter_for(runtime).emit(
                interaction_room(interaction_id),
                "email_status",
                {"interaction_id": interaction_id, "id": f"out-{outbound_id}", "status": status},
            )
    except Exception:
        log.exception("could not push the status of outbound email %s", outbound_id)


def session_mailbox(session: Session, row: OutboundEmail) -> Mailbox:
    thread = session.get(EmailThread, row.thread_id)
    mailbox = session.get(Mailbox, thread.mailbox_id) if thread else None
    if mailbox is None:
        raise LookupError(f"outbound email {row.id} has no mailbox")
    return mailbox


def build_message(mailbox: Mailbox, row: OutboundEmail, settings: Settings) -> EmailMessage:
    """The mail as mail/ composes it, with our fixed Message-ID, the mailbox as sender, the
    threading headers, and RFC 3834's marks on an automatic one."""
    message = compose(settings, row.to_address, row.subject, row.text_body, None)
    message.replace_header("Message-ID", f"<{row.message_id}>")
    name = mailbox.display_name.replace('"', "")
    message.replace_header("From", f'"{name}" <{mailbox.address}>' if name else mailbox.address)
    if row.in_reply_to:
        message["In-Reply-To"] = f"<{row.in_reply_to}>"
    if row.references:
        message["References"] = row.references
    if row.purpose == "acknowledgement":
        message["Auto-Submitted"] = "auto-replied"
        message["X-Auto-Response-Suppress"] = "All"
    return message


def reconcile(runtime: Runtime, now: datetime | None = None) -> list[int]:
    """Enqueue again every queued or sending row older than STALE_SECONDS whose job is gone
    (never enqueued: killed between commit and enqueue; or its worker killed mid-send)."""
    cutoff = (now or utcnow()) - timedelta(seconds=STALE_SECONDS)
    with runtime.db.session() as session:
        ids = list(
            session.scalars(
                select(OutboundEmail.id).where(
                    OutboundEmail.status.in_(("queued", "sending")),
                    OutboundEmail.created_at < cutoff,
                )
            )
        )
    connection = redis.Redis.from_url(runtime.redis_url)
    again = []
    for outbound_id in ids:
        try:
            job = Job.fetch(job_id(outbound_id), connection=connection)
            if job.get_status(refresh=True) in LIVE_JOB_STATES:
                continue
            job.delete()
        except NoSuchJobError:
            pass
        enqueue(runtime.redis_url, outbound_id)
        again.append(outbound_id)
    return again
