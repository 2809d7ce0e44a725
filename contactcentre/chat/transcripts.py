"""The chat transcript by email: what the customer saw (never whispers), rendered as text and
HTML and sent by an RQ job, so a slow mail server never holds up the widget."""

from __future__ import annotations

import html
import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from contactcentre.chat.messages import history
from contactcentre.mail.sender import new_message, sender_for
from contactcentre.platform.runtime import Runtime, build_runtime
from contactcentre.settings import Settings
from contactcentre.store.models import ChatConversation, ChatSite

log = logging.getLogger(__name__)
QUEUE = "default"


def render(
    conversation: ChatConversation, site_name: str, messages: list[dict[str, Any]], tz: str
) -> tuple[str, str]:
    zone = ZoneInfo(tz)
    lines = [f"Your chat with {site_name}", ""]
    rows = []
    for message in messages:
        at = (
            datetime.fromisoformat(message["created_at"])
            .astimezone(zone)
            .strftime("%d %b %Y %H:%M")
        )
        who = _who(message)
        files = ", ".join(a.get("filename", "file") for a in message.get("attachments", []))
        body = message["body"] + (f" [attached: {files}]" if files else "")
        lines.append(f"[{at}] {who}: {body}")
        rows.append(
            f"<tr><td>{html.escape(at)}</td><th>{html.escape(who)}</th><td>{html.escape(body)}</td></tr>"
        )
    lines += ["", f"Times are {tz}."]
    page = (
        f"<h1>Your chat with {html.escape(site_name)}</h1><table>{''.join(rows)}</table>"
        f"<p>Times are {html.escape(tz)}.</p>"
    )
    return "\n".join(lines), page


def _who(message: dict[str, Any]) -> str:
    author = message["author"]
    if author["kind"] == "customer":
        return "You"
    return author.get("name") or {"bot": "Assistant", "system": "—"}.get(author["kind"], "Agent")


def send_transcript(conversation_id: str, email: str) -> str:
    """The RQ job: needs only settings (a Runtime of its own), never a Flask app."""
    runtime = build_runtime(Settings())
    try:
        return deliver_transcript(runtime, conversation_id, email)
    finally:
        runtime.close()


def deliver_transcript(runtime: Runtime, conversation_id: str, email: str) -> str:
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, conversation_id)
        if conversation is None:
            raise LookupError(f"no conversation {conversation_id}")
        site = session.get(ChatSite, conversation.site_id)
        tz = str((site.business_hours or {}).get("timezone", "UTC")) if site else "UTC"
        messages = history(session, conversation, include_internal=False, limit=5000)
        text, page = render(conversation, site.name if site else "us", messages, tz)
    message = new_message(runtime.settings, email, "Your chat transcript", text, page)
    where = sender_for(runtime.settings).send(message)
    log.info("chat transcript of %s sent to %s", conversation_id, where)
    return where
