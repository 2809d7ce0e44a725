"""Helpers for the agent's email tests: an email that arrived, threaded, and is assigned to an
agent (routing's projection set as the router sets it, so no router is needed)."""

from __future__ import annotations

import base64

from sqlalchemy import select

from contactcentre.platform.runtime import Runtime
from contactcentre.router.streams import TASK
from contactcentre.store.models import EmailThread, Interaction
from tests.integration.email.mailboxes import ADDRESS, add_mailbox, channel_processor, deliver

PDF = b"%PDF-1.4\n" + b"1" * 120


def with_attachment(message_id: str = "<att1@customer.example>") -> bytes:
    """An HTML message with a script and a remote image (both to be removed), and a PDF."""
    text = (
        f"From: Ann Customer <ann@customer.example>\nTo: {ADDRESS}\n"
        f"Subject: Where is my parcel\nMessage-ID: {message_id}\n"
        "References: <older@customer.example>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\n'
        "--b1\nContent-Type: text/html; charset=utf-8\n\n"
        '<p>Hello, <b>my parcel</b> is late.<img src="https://tracker.example/p.gif">'
        "<script>alert(1)</script></p>\n"
        '--b1\nContent-Type: application/pdf; name="invoice.pdf"\n'
        'Content-Disposition: attachment; filename="invoice.pdf"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{base64.encodebytes(PDF).decode('ascii')}--b1--\n"
    )
    return text.replace("\n", "\r\n").encode("utf-8")


def arrived(runtime: Runtime, raw: bytes, mailbox_id: int | None = None) -> str:
    """The interaction the message opened."""
    mailbox = mailbox_id if mailbox_id is not None else add_mailbox(runtime.db)
    deliver(runtime.db, mailbox, raw)
    channel_processor(runtime).run_once()
    with runtime.db.session() as session:
        thread = session.scalars(
            select(EmailThread).order_by(EmailThread.created_at.desc())
        ).first()
        assert thread is not None and thread.interaction_id is not None
        return thread.interaction_id


def assign(runtime: Runtime, interaction_id: str, agent_id: int) -> None:
    """As the router records an accepted task: its projection, and the SQL write-back."""
    runtime.redis.hset(TASK + interaction_id, "agent_id", str(agent_id))
    with runtime.db.session() as session:
        interaction = session.get(Interaction, interaction_id)
        assert interaction is not None
        interaction.agent_id = agent_id
