"""The email channel's rules once a message is parsed: bounces recorded against their address
(and thread), a message of a known thread added to its interaction (an event, never a new task),
a new thread opened through the one way in (`open_interaction`, `RoutingClient.submit`) with
its category, and a customer's first message acknowledged.

Everything here runs in the processor's transaction for the message; the router hears of a new
task after that commits, and `reconcile` re-sends what a crash kept it from hearing.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from contactcentre.customers.lookup import find_by_email
from contactcentre.email import sending
from contactcentre.email.acknowledgement import acknowledge, should_acknowledge
from contactcentre.email.categorise import categorise
from contactcentre.email.parsing import ParsedEmail
from contactcentre.email.threads import find_thread, new_reference, remember_message_id, subject_key
from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.interactions.opening import open_interaction
from contactcentre.platform.runtime import Runtime
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import (
    EmailBounce,
    EmailMessageId,
    EmailThread,
    InboundEmail,
    Interaction,
    Mailbox,
    Message,
)
from contactcentre.store.types import utcnow

log = logging.getLogger(__name__)
RESUBMIT_AFTER_SECONDS = 10


class EmailChannel:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.routing = RoutingClient(runtime.redis)

    def after_parse(self, session: Session, inbound: InboundEmail, parsed: ParsedEmail) -> None:
        mailbox = session.get(Mailbox, inbound.mailbox_id)
        assert mailbox is not None
        now = utcnow()
        if parsed.kind == "bounce":
            self._bounce(session, inbound, parsed)
            return
        window = timedelta(hours=self.runtime.settings.email_thread_window_hours)
        thread, how = find_thread(session, mailbox.id, parsed, now, window)
        if how == "sender+subject" and parsed.authentication.spoofed:
            # Only the forged From ties it to that thread: it must not join a customer's.
            thread, how = None, "new"
        inbound.facts = {**inbound.facts, "threaded_by": how}
        if thread is None:
            thread = self._open(session, mailbox, inbound, parsed)
        else:
            self._add_to_thread(session, thread, inbound, parsed)
        inbound.thread_id = thread.id
        remember_message_id(session, mailbox.id, parsed.message_id, thread.id, "in")

    # -- a new thread ----------------------------------------------------------------------

    def _open(
        self, session: Session, mailbox: Mailbox, inbound: InboundEmail, parsed: ParsedEmail
    ) -> EmailThread:
        now = utcnow()
        spoofed = parsed.authentication.spoofed
        # A spoofed From says nothing about who wrote: matching it would show them a customer.
        found = [] if spoofed else find_by_email(session, parsed.from_address or "")
        customer_id = found[0].id if len(found) == 1 else None
        category = categorise(session, mailbox, parsed)
        thread = EmailThread(
            id=str(uuid.uuid4()),
            mailbox_id=mailbox.id,
            reference=new_reference(),
            customer_id=customer_id,
            customer_address=parsed.from_address or "",
            subject_key=subject_key(parsed.subject),
            priority=category.priority,
            created_at=now,
            last_message_at=now,
        )
        session.add(thread)
        attributes: dict[str, Any] = {
            "intent": category.category,
            "mailbox_id": mailbox.id,
            "email_rule": category.rule,
            "email_kind": parsed.kind,
            "language": parsed.language or mailbox.language,
            "reference": thread.reference,
        }
        if spoofed:
            attributes["sender_spoofed"] = True  # shown with the task; the agent must not trust it
        if category.queue_id is not None:
            attributes["queue_id"] = str(category.queue_id)
        if category.skill:
            attributes["skill"] = category.skill
        interaction = open_interaction(
            session,
            channel="email",
            external_id=thread.id,
            at=inbound.received_at,
            actor="customer",
            customer_id=customer_id,
            from_address=parsed.from_address,
            to_address=mailbox.address,
            subject=parsed.subject[:255] or None,
            intent=category.category,
            attributes=attributes,
            details={"mailbox_id": mailbox.id, "email_rule": category.rule, "kind": parsed.kind},
        ).interaction
        thread.interaction_id = interaction.id
        session.add(_message(interaction.id, inbound, parsed))
        # The first message too: the SLA first-response clock starts at the first message_in.
        _message_in(session, interaction.id, inbound, parsed)
        self.routing.submit(session, interaction, attributes, priority=category.priority, at=now)
        self._after_commit(session, lambda: self._submitted(thread.id))
        if should_acknowledge(session, mailbox, parsed, now):
            session.flush()
            outbound = acknowledge(session, mailbox, thread, parsed)
            session.flush()
            outbound_id = outbound.id
            self._after_commit(
                session, lambda: sending.enqueue(self.runtime.redis_url, outbound_id)
            )
        return thread

    # -- a known thread --------------------------------------------------------------------

    def _add_to_thread(
        self, session: Session, thread: EmailThread, inbound: InboundEmail, parsed: ParsedEmail
    ) -> None:
        thread.last_message_at = utcnow()
        if thread.interaction_id is None:
            return
        session.add(_message(thread.interaction_id, inbound, parsed))
        _message_in(session, thread.interaction_id, inbound, parsed)

    def _bounce(self, session: Session, inbound: InboundEmail, parsed: ParsedEmail) -> None:
        """Recorded against the address; on the thread of the message that bounced, if ours."""
        thread_id = None
        if parsed.bounced_message_id:
            thread_id = session.scalar(
                select(EmailMessageId.thread_id).where(
                    EmailMessageId.mailbox_id == inbound.mailbox_id,
                    EmailMessageId.message_id == parsed.bounced_message_id,
                )
            )
        session.flush()
        for bounce in session.scalars(
            select(EmailBounce).where(EmailBounce.inbound_id == inbound.id)
        ):
            bounce.thread_id = thread_id
        thread = session.get(EmailThread, thread_id) if thread_id else None
        inbound.thread_id = thread_id
        if thread is not None and thread.interaction_id is not None:
            event_log.append(
                session,
                NewEvent(
                    thread.interaction_id,
                    "message_in",
                    inbound.received_at,
                    f"{thread.interaction_id}:email:{inbound.id}",
                    actor="mailer-daemon",
                    data={"inbound_id": inbound.id, "kind": "bounce"},
                ),
            )

    # -- after a crash ---------------------------------------------------------------------

    def _submitted(self, thread_id: str) -> None:
        with self.runtime.db.session() as session:
            thread = session.get(EmailThread, thread_id)
            if thread is not None and thread.submitted_at is None:
                thread.submitted_at = utcnow()

    def reconcile(self) -> None:
        """Submit again the tasks of threads whose submission was never confirmed (the engine
        ignores a task submitted twice), and enqueue outbound mail whose job is gone."""
        cutoff = utcnow() - timedelta(seconds=RESUBMIT_AFTER_SECONDS)
        try:
            with self.runtime.db.session() as session:
                threads = session.scalars(
                    select(EmailThread).where(
                        EmailThread.submitted_at.is_(None),
                        EmailThread.interaction_id.is_not(None),
                        EmailThread.created_at < cutoff,
                    )
                ).all()
                for thread in threads:
                    interaction = session.get(Interaction, thread.interaction_id)
                    if interaction is None:
                        continue
                    self.routing.submit(
                        session,
                        interaction,
                        dict(interaction.attributes),
                        priority=thread.priority,
                        at=thread.created_at,
                    )
                    self._after_commit(session, lambda t=thread.id: self._submitted(t))
            sending.reconcile(self.runtime)
        except Exception:
            log.exception("email reconcile pass failed; retrying on the next")

    @staticmethod
    def _after_commit(session: Session, action: Any) -> None:
        def run(_session: Session) -> None:
            try:
                action()
            except Exception:  # reconcile retries what this could not do
                log.exception("email after-commit step failed")

        event.listen(session, "after_commit", run, once=True)


def _message(interaction_id: str, inbound: InboundEmail, parsed: ParsedEmail) -> Message:
    return Message(
        interaction_id=interaction_id,
        direction="in",
        sender="customer",
        body=parsed.reply.reply or parsed.text,
        meta={"inbound_id": inbound.id, "kind": parsed.kind, "subject": parsed.subject},
    )


def _message_in(
    session: Session, interaction_id: str, inbound: InboundEmail, parsed: ParsedEmail
) -> None:
    event_log.append(
        session,
        NewEvent(
            interaction_id,
            "message_in",
            inbound.received_at,
            f"{interaction_id}:email:{inbound.id}",
            actor="customer",
            data={"inbound_id": inbound.id, "kind": parsed.kind},
        ),
    )
