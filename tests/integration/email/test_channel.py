"""The channel's rules after parsing: a new thread opens one interaction through the one way in
and is submitted to the ACD with its category; replies thread by headers, by the reference
in the subject, or by sender and subject; robots are never acknowledged; bounces are recorded
against the address and the thread of the message that bounced."""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from flask_openapi3 import OpenAPI
from sqlalchemy import select

from contactcentre.platform.runtime import Runtime
from contactcentre.router.client import RoutingClient
from contactcentre.router.streams import COMMANDS
from contactcentre.store.models import (
    Customer,
    CustomerEmail,
    EmailBounce,
    EmailRule,
    EmailThread,
    InboundEmail,
    Interaction,
    InteractionEvent,
    OutboundEmail,
)
from tests.builders import add_queue
from tests.email_corpus import simple
from tests.integration.email.mailboxes import add_mailbox, channel_processor, deliver
from tests.integration.realtime.live import eventually


@pytest.fixture
def runtime(app: OpenAPI) -> Runtime:
    found: Runtime = app.extensions["contactcentre"]
    return found


def _submitted(client: redis.Redis) -> list[dict[str, Any]]:
    events = [json.loads(fields["event"]) for _, fields in client.xrange(COMMANDS)]
    return [e for e in events if e.get("kind") == "task_submitted"]


def _receive(runtime: Runtime, mailbox: int, raw: bytes) -> InboundEmail:
    stored = deliver(runtime.db, mailbox, raw)
    channel_processor(runtime).run_once()
    with runtime.db.session() as session:
        row = session.get(InboundEmail, stored.inbound_id)
        assert row is not None and row.status == "processed", row and row.status
        session.expunge(row)
        return row


def _ack(runtime: Runtime, thread_id: str | None) -> OutboundEmail | None:
    with runtime.db.session() as session:
        return session.scalars(
            select(OutboundEmail).where(OutboundEmail.thread_id == thread_id)
        ).first()


def test_a_new_email_opens_one_interaction_submitted_with_its_queue(
    runtime: Runtime, redis_client: redis.Redis
) -> None:
    """One thread, one email interaction (external id: the thread), one task to the router
    with the mailbox's queue, the customer's words as its first message, an acknowledgement."""
    with runtime.db.session() as session:
        queue = add_queue(session, "Email")
        queue_id = queue.id
    mailbox = add_mailbox(runtime.db, queue_id=queue_id)
    inbound = _receive(runtime, mailbox, simple())
    with runtime.db.session() as session:
        thread = session.get(EmailThread, inbound.thread_id)
        assert thread is not None and thread.submitted_at is not None
        interaction = session.get(Interaction, thread.interaction_id)
        assert interaction is not None
        assert (interaction.channel, interaction.external_id) == ("email", thread.id)
        assert interaction.attributes["queue_id"] == str(queue_id)
        assert interaction.attributes["email_rule"] == "none"
    tasks = _submitted(redis_client)
    assert [t["task_id"] for t in tasks] == [interaction.id]
    assert tasks[0]["channel"] == "email"
    ack = _ack(runtime, thread.id)
    assert ack is not None and ack.to_address == "ann@customer.example"
    assert thread.reference in ack.subject and thread.reference in ack.text_body
    assert ack.in_reply_to == "m1@customer.example"


def test_a_reply_to_our_acknowledgement_lands_in_its_interaction(
    runtime: Runtime, redis_client: redis.Redis
) -> None:
    """In-Reply-To our ack's Message-ID: the same thread, a message_in event, no new task, no
    second acknowledgement."""
    mailbox = add_mailbox(runtime.db)
    first = _receive(runtime, mailbox, simple())
    ack = _ack(runtime, first.thread_id)
    assert ack is not None
    reply = simple(
        message_id="<m2@customer.example>",
        subject="Re: My order has not arrived",
        body="Here is my order number again: 1234.",
        extra=(
            f"In-Reply-To: <{ack.message_id}>\n"
            f"References: <m1@customer.example> <{ack.message_id}>\n"
        ),
    )
    second = _receive(runtime, mailbox, reply)
    assert second.thread_id == first.thread_id
    assert second.facts["threaded_by"] == "in-reply-to"
    with runtime.db.session() as session:
        thread = session.get(EmailThread, first.thread_id)
        assert thread is not None
        types = session.scalars(
            select(InteractionEvent.type).where(
                InteractionEvent.interaction_id == thread.interaction_id
            )
        ).all()
        assert types.count("message_in") == 2  # the first message and the reply
        acks = session.scalars(select(OutboundEmail)).all()
        assert len(acks) == 1
    assert len(_submitted(redis_client)) == 1


def test_a_reply_whose_client_dropped_the_headers_threads_by_the_reference(
    runtime: Runtime,
) -> None:
    """No In-Reply-To, no References, another subject: the [CC-…] token finds the thread."""
    mailbox = add_mailbox(runtime.db)
    first = _receive(runtime, mailbox, simple())
    with runtime.db.session() as session:
        thread = session.get(EmailThread, first.thread_id)
        assert thread is not None
        reference = thread.reference
    again = _receive(
        runtime,
        mailbox,
        simple(message_id="<m3@c>", sender="other@elsewhere.example", subject=f"About {reference}"),
    )
    assert again.thread_id == first.thread_id and again.facts["threaded_by"] == "reference"


def test_the_same_sender_and_subject_thread_and_another_sender_does_not(runtime: Runtime) -> None:
    """ "Re: <subject>" from the same address threads; the same subject from someone else is new."""
    mailbox = add_mailbox(runtime.db)
    first = _receive(runtime, mailbox, simple())
    same = _receive(
        runtime, mailbox, simple(message_id="<m4@c>", subject="RE: AW: My order has not arrived")
    )
    assert same.thread_id == first.thread_id and same.facts["threaded_by"] == "sender+subject"
    other = _receive(runtime, mailbox, simple(message_id="<m5@c>", sender="bob@customer.example"))
    assert other.thread_id != first.thread_id


def test_auto_replies_lists_and_bounces_are_never_acknowledged(runtime: Runtime) -> None:
    """An out-of-office, a list mail and a bounce: no acknowledgement to any of them."""
    mailbox = add_mailbox(runtime.db)
    for n, extra in enumerate(
        ["Auto-Submitted: auto-replied\n", "Precedence: bulk\n", "List-Id: <l.example>\n",
         "X-Autoreply: yes\n"]
    ):  # fmt: skip
        _receive(
            runtime,
            mailbox,
            simple(message_id=f"<robot{n}@c>", subject=f"robot {n}", extra=extra),
        )
    with runtime.db.session() as session:
        assert session.scalars(select(OutboundEmail)).all() == []
        kinds = sorted(session.scalars(select(InboundEmail.kind)))
        assert kinds == ["auto_reply", "auto_reply", "auto_reply", "list"]


def test_a_bounce_is_recorded_against_the_address_and_its_thread(runtime: Runtime) -> None:
    """A DSN about our acknowledgement: the address is recorded as failed with its status, on
    the thread the acknowledgement belonged to; no new interaction, no acknowledgement."""
    mailbox = add_mailbox(runtime.db)
    first = _receive(runtime, mailbox, simple(sender="gone@customer.example"))
    ack = _ack(runtime, first.thread_id)
    assert ack is not None
    dsn = (
        (
            "From: MAILER-DAEMON@mx.example\nTo: support@example.com\nSubject: Undelivered\n"
            "Message-ID: <dsn@mx>\nMIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="d"\n\n'
            "--d\nContent-Type: text/plain\n\nFailed.\n"
            "--d\nContent-Type: message/delivery-status\n\n"
            "Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; gone@customer.example\n"
            "Action: failed\nStatus: 5.1.1\n\n--d\nContent-Type: text/rfc822-headers\n\n"
            f"Message-ID: <{ack.message_id}>\nTo: gone@customer.example\n\n--d--\n"
        )
        .replace("\n", "\r\n")
        .encode()
    )
    bounced = _receive(runtime, mailbox, dsn)
    with runtime.db.session() as session:
        bounce = session.scalars(select(EmailBounce)).one()
        assert (bounce.address, bounce.status, bounce.thread_id) == (
            "gone@customer.example",
            "5.1.1",
            first.thread_id,
        )
        assert bounced.thread_id == first.thread_id
        assert len(session.scalars(select(Interaction)).all()) == 1
        assert len(session.scalars(select(OutboundEmail)).all()) == 1


def test_rules_categorise_by_domain_and_keywords_and_the_first_match_wins(
    runtime: Runtime, redis_client: redis.Redis
) -> None:
    """A domain rule sends a VIP company's mail to its queue with a priority; a keyword rule
    catches "urgent" in the body; the task carries the rule's name."""
    with runtime.db.session() as session:
        vip = add_queue(session, "VIP")
        general = add_queue(session, "General")
        session.add_all(
            [
                EmailRule(position=1, name="vip-domain", field="domain", pattern="bigco.example",
                          queue_id=vip.id, category="vip", priority=5),
                EmailRule(position=2, name="urgent-words", field="body", pattern="urgent, asap",
                          category="urgent", priority=3),
            ]
        )  # fmt: skip
        queue_ids = (vip.id, general.id)
    mailbox = add_mailbox(runtime.db, queue_id=queue_ids[1])
    _receive(runtime, mailbox, simple(message_id="<v@c>", sender="ceo@bigco.example"))
    _receive(runtime, mailbox, simple(message_id="<u@c>", body="This is URGENT, please."))
    _receive(runtime, mailbox, simple(message_id="<p@c>", sender="x@y.example", subject="hi"))
    tasks = {t["attributes"]["email_rule"]: t for t in _submitted(redis_client)}
    assert tasks["vip-domain"]["attributes"]["queue_id"] == str(queue_ids[0])
    assert tasks["vip-domain"]["priority"] == 5
    assert tasks["urgent-words"]["attributes"]["queue_id"] == str(queue_ids[1])
    assert tasks["urgent-words"]["attributes"]["intent"] == "urgent"
    assert tasks["none"]["priority"] == 0


def test_the_sender_is_matched_to_their_customer_record(runtime: Runtime) -> None:
    """A known address (any case) puts its customer on the interaction and the task."""
    with runtime.db.session() as session:
        customer = Customer(first_name="Ann", last_name="Customer")
        session.add(customer)
        session.flush()
        session.add(CustomerEmail(customer_id=customer.id, address="ann@customer.example"))
        customer_id = customer.id
    mailbox = add_mailbox(runtime.db)
    inbound = _receive(runtime, mailbox, simple(sender="Ann <ANN@Customer.Example>"))
    with runtime.db.session() as session:
        thread = session.get(EmailThread, inbound.thread_id)
        assert thread is not None and thread.customer_id == customer_id
        interaction = session.get(Interaction, thread.interaction_id)
        assert interaction is not None and interaction.customer_id == customer_id


@pytest.mark.usefixtures("live_router")
def test_the_routing_trace_shows_the_queue_the_rule_chose(
    runtime: Runtime, client: FlaskClient, make_user: Any
) -> None:
    """The router plans the task by the rule's queue; its trace says which filter matched."""
    with runtime.db.session() as session:
        vip = add_queue(session, "VIP")
        session.add(
            EmailRule(name="vip-domain", field="domain", pattern="bigco.example", queue_id=vip.id)
        )
        RoutingClient(runtime.redis).config_changed(session)
        vip_id = vip.id
    mailbox = add_mailbox(runtime.db)
    inbound = _receive(runtime, mailbox, simple(sender="ceo@bigco.example"))
    with runtime.db.session() as session:
        thread = session.get(EmailThread, inbound.thread_id)
        assert thread is not None
        task_id = thread.interaction_id
    supervisor = make_user("supervisor")

    def traced() -> list[dict[str, Any]]:
        answer = client.get(f"/api/v1/tasks/{task_id}/trace", headers=supervisor["headers"])
        return [e for e in answer.get_json().get("entries", []) if e["kind"] == "queued"]

    (queued,) = eventually(traced, timeout=20)
    assert f'filter matched: queue_id == "{vip_id}"' in queued["summary"]


def test_a_thread_whose_submission_was_lost_is_submitted_again(
    runtime: Runtime, redis_client: redis.Redis
) -> None:
    """A crash between commit and the router's stream leaves submitted_at empty: reconcile
    sends the task again (the engine ignores a second submission of one task)."""
    from datetime import timedelta

    from contactcentre.email.channel import EmailChannel
    from contactcentre.store.types import utcnow

    mailbox = add_mailbox(runtime.db)
    inbound = _receive(runtime, mailbox, simple())
    redis_client.delete(COMMANDS)
    with runtime.db.session() as session:
        thread = session.get(EmailThread, inbound.thread_id)
        assert thread is not None
        thread.submitted_at = None
        thread.created_at = utcnow() - timedelta(minutes=5)
    EmailChannel(runtime).reconcile()
    assert len(_submitted(redis_client)) == 1
    with runtime.db.session() as session:
        thread = session.get(EmailThread, inbound.thread_id)
        assert thread is not None and thread.submitted_at is not None


SPOOFED = (
    "Authentication-Results: mx.ourcentre.example; spf=fail smtp.mailfrom=customer.example;"
    " dkim=none; dmarc=fail header.from=customer.example\n"
)


def test_a_spoofed_sender_is_flagged_and_trusted_with_nothing(runtime: Runtime) -> None:
    """Our border server says DMARC failed for ann@customer.example: the message is taken in
    and routed, flagged, but not matched to Ann's record, not acknowledged (it would go to the
    real Ann) and not threaded into her conversation by sender and subject."""
    runtime.settings.email_trusted_authserv_ids = ["mx.ourcentre.example"]
    with runtime.db.session() as session:
        customer = Customer(first_name="Ann", last_name="Customer")
        session.add(customer)
        session.flush()
        session.add(CustomerEmail(customer_id=customer.id, address="ann@customer.example"))
    mailbox = add_mailbox(runtime.db)
    genuine = _receive(runtime, mailbox, simple())
    forged = _receive(runtime, mailbox, simple(message_id="<f1@elsewhere>", extra=SPOOFED))
    assert forged.facts["authentication"]["spoofed"] is True
    assert forged.facts["authentication"]["verified_by"] == "mx.ourcentre.example"
    assert forged.thread_id != genuine.thread_id
    with runtime.db.session() as session:
        thread = session.get(EmailThread, forged.thread_id)
        assert thread is not None and thread.customer_id is None
        interaction = session.get(Interaction, thread.interaction_id)
        assert interaction is not None and interaction.customer_id is None
        assert interaction.attributes["sender_spoofed"] is True
    assert _ack(runtime, forged.thread_id) is None
    assert _ack(runtime, genuine.thread_id) is not None


def test_an_authentication_result_from_a_server_not_ours_is_ignored(runtime: Runtime) -> None:
    """The same header, but no authserv-id of ours is configured: nothing is believed."""
    mailbox = add_mailbox(runtime.db)
    inbound = _receive(runtime, mailbox, simple(extra=SPOOFED))
    assert inbound.facts["authentication"] == {
        "verified_by": None, "untrusted_headers": 1, "spoofed": False,
    }  # fmt: skip
    assert _ack(runtime, inbound.thread_id) is not None
