"""The chat transcript by email: what the customer saw (never whispers), rendered as text and
simple HTML by an RQ job, so a slow mail server never holds up the widget."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import redis
from rq import Queue, Retry
from sqlalchemy.orm import Session

from contactcentre.chat.access import ChatHttpError
from contactcentre.chat.messages import history
from contactcentre.mail.message import compose
from contactcentre.mail.sender import sender_for
from contactcentre.platform.runtime import Runtime, build_runtime
from contactcentre.settings import Settings
from contactcentre.store.models import ChatConversation, ChatSite

log = logging.getLogger(__name__)
QUEUE = "default"
TRANSCRIPTS_PER_CONVERSATION = 3
REQUESTS = "cc:chat:transcripts:"  # + conversation id: how many were asked for
PAGE = 500
SUBJECT = "Your chat transcript"


@dataclass(frozen=True)
class Transcript:
    text: str
    html: str


def request_transcript(runtime: Runtime, conversation: ChatConversation, email: str) -> str:
    """Queue the job that mails the transcript to `email`; the job's id. At most three per
    conversation (counted for as long as its token can ask), so the widget is no mail cannon."""
    key = REQUESTS + conversation.id
    pipe = runtime.redis.pipeline(transaction=True)
    pipe.set(key, 0, nx=True, ex=runtime.settings.chat_token_ttl_seconds)
    pipe.incr(key)
    count = int(pipe.execute()[1])
    if count > TRANSCRIPTS_PER_CONVERSATION:
        raise ChatHttpError(
            429,
            "transcript_limit",
            "email",
            f"the transcript of a chat can be emailed {TRANSCRIPTS_PER_CONVERSATION} times; "
            "it already was",
        )
    # RQ stores pickled payloads: its connection must not decode responses.
    queue = Queue(QUEUE, connection=redis.Redis.from_url(runtime.redis_url))
    job = queue.enqueue(
        send_transcript,
        conversation.id,
        email,
        retry=Retry(max=3, interval=[10, 60, 300]),
        job_timeout=60,
        result_ttl=86_400,
        failure_ttl=7 * 86_400,
    )
    return str(job.id)


def send_transcript(conversation_id: str, email: str) -> str:
    """The RQ job: builds its own Runtime from settings (never a Flask app); where it went."""
    runtime = build_runtime(Settings())
    try:
        return deliver_transcript(runtime, conversation_id, email)
    finally:
        runtime.close()


def deliver_transcript(runtime: Runtime, conversation_id: str, email: str) -> str:
    """Render the conversation's transcript and send it through the configured sender."""
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, conversation_id)
        if conversation is None:
            raise LookupError(f"no conversation {conversation_id}")
        site = session.get(ChatSite, conversation.site_id)
        zone = site_zone(site)
        transcript = render(site.name if site else "us", _all_messages(session, conversation), zone)
    message = compose(runtime.settings, email, SUBJECT, transcript.text, transcript.html)
    where = sender_for(runtime.settings).send(message)
    # No address in the log: it is personal data, and the job's arguments already hold it.
    log.info("chat transcript of %s sent via %s", conversation_id, where)
    return where


def site_zone(site: ChatSite | None) -> ZoneInfo:
    """The site's business-hours time zone, UTC when it has none (or an unknown one)."""
    name = str(((site.business_hours if site else None) or {}).get("timezone") or "UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _all_messages(session: Session, conversation: ChatConversation) -> list[dict[str, Any]]:
    """Every customer-visible message, page by page (history never returns whispers here)."""
    found: list[dict[str, Any]] = []
    while True:
        after = found[-1]["seq"] if found else 0
        page = history(session, conversation, after_seq=after, include_internal=False, limit=PAGE)
        found += page
        if len(page) < PAGE:
            return found


def render(site_name: str, messages: list[dict[str, Any]], zone: ZoneInfo) -> Transcript:
    """Plain text and simple HTML of the same lines: time, who, what (files by name)."""
    title = f"Your chat with {site_name}"
    lines = [title, ""]
    rows = []
    for message in messages:
        if message.get("visibility", "all") != "all":
            continue  # history already leaves whispers out; a transcript never risks one
        at = datetime.fromisoformat(message["created_at"]).astimezone(zone)
        when = at.strftime("%Y-%m-%d %H:%M")
        who = _who(message)
        files = [a.get("filename") or "file" for a in message.get("attachments") or []]
        body = message["body"]
        attached = f"(attached: {', '.join(files)})" if files else ""
        lines.append(f"[{when}] {who}: {' '.join(p for p in (body, attached) if p)}")
        rows.append(
            "<tr>"
            f'<td style="white-space:nowrap;color:#555">{html.escape(when)}</td>'
            f"<th align=left>{html.escape(who)}</th>"
            f"<td>{html.escape(body)}"
            + (f"<br><em>{html.escape(attached)}</em>" if attached else "")
            + "</td></tr>"
        )
    footnote = f"Times are in {zone.key}."
    lines += ["", footnote]
    page = (
        f"<!doctype html><html><body><h1>{html.escape(title)}</h1>"
        f'<table cellpadding="4">{"".join(rows)}</table>'
        f"<p>{html.escape(footnote)}</p></body></html>"
    )
    return Transcript("\n".join(lines), page)


def _who(message: dict[str, Any]) -> str:
    author = message["author"]
    kind = author["kind"]
    if kind == "customer":
        return "You"
    if kind == "system":
        return "Notice"
    if kind == "bot":
        return author.get("name") or "Assistant"
    return author.get("name") or ("Supervisor" if kind == "supervisor" else "Agent")
