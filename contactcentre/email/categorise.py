"""Categorisation: the mailbox's rules (sender, domain, subject or body keywords, language) in
order, the first match giving the thread its queue, category, skill and priority. What matched
goes into the task's attributes (`email_rule`), so the routing trace and the task show why."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from contactcentre.email.parsing import ParsedEmail
from contactcentre.store.models import EmailRule, Mailbox

DEFAULT_CATEGORY = "email"


@dataclass(frozen=True)
class Category:
    rule: str  # the rule's name, "none" when no rule matched
    queue_id: int | None
    category: str
    skill: str | None
    priority: int


def _words(pattern: str) -> list[str]:
    return [w.strip().lower() for w in pattern.split(",") if w.strip()]


def matches(rule: EmailRule, parsed: ParsedEmail) -> bool:
    sender = (parsed.from_address or "").lower()
    field = rule.field
    if field == "sender":
        return sender == rule.pattern.strip().lower()
    if field == "domain":
        return sender.rpartition("@")[2] == rule.pattern.strip().lower().lstrip("@")
    if field == "language":
        return (parsed.language or "") == rule.pattern.strip().lower()
    text = parsed.subject if field == "subject" else parsed.reply.reply
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.I) for w in _words(rule.pattern))


def categorise(session: Session, mailbox: Mailbox, parsed: ParsedEmail) -> Category:
    rules = session.scalars(
        select(EmailRule)
        .where(
            EmailRule.active,
            or_(EmailRule.mailbox_id == mailbox.id, EmailRule.mailbox_id.is_(None)),
        )
        .order_by(EmailRule.position, EmailRule.id)
    )
    for rule in rules:
        if matches(rule, parsed):
            return Category(
                rule.name,
                rule.queue_id if rule.queue_id is not None else mailbox.queue_id,
                rule.category or DEFAULT_CATEGORY,
                rule.skill,
                rule.priority,
            )
    return Category("none", mailbox.queue_id, DEFAULT_CATEGORY, None, 0)
