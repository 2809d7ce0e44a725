"""The screen pop of one interaction, built from our own records (customer, history, notes).

Pure reads; the same payload goes to the agent's offer card, the API and the CRM webhook.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.cti import scripts
from contactcentre.customers.lookup import find_by_phone
from contactcentre.customers.risk import RiskPolicy, reasons_out, risk_reasons
from contactcentre.store.models import (
    Agent,
    Customer,
    CustomerNote,
    Disposition,
    Interaction,
    Queue,
    User,
)

HISTORY_LIMIT = 5
NOTES_LIMIT = 5


def build_pop(
    session: Session,
    interaction: Interaction,
    default_region: str,
    queue_id: Any = None,
    risk: RiskPolicy | None = None,
) -> dict[str, Any]:
    """`queue_id`: the queue of the offer, which SQL may not know yet (the log lags the offer).
    `risk`: the at-risk rules (customers.risk); the retention offer shows when any rule holds."""
    attributes = interaction.attributes or {}
    visitor = _chat_visitor(session, interaction)
    # A chat visitor has a name and maybe an email (the pre-chat form), not a phone number.
    number = None if visitor else attributes.get("caller") or interaction.from_address
    customer, candidates = _identify(session, interaction, number, default_region)
    queue = _queue(session, interaction.queue_id or queue_id or attributes.get("queue_id"))
    queue_name = queue.name if queue else None
    intent = interaction.intent or attributes.get("intent")
    language = attributes.get("language") or (customer.language if customer else None)
    script = scripts.choose(intent, queue_name)
    reasons = risk_reasons(session, customer, risk or RiskPolicy()) if customer else []
    if customer is not None:
        values = script_values(customer.display_name, customer.first_name)
    else:
        values = script_values((visitor or {}).get("name"), None)
    return {
        "interaction_id": interaction.id,
        "channel": interaction.channel,
        "queue": {"id": queue.id, "name": queue.name} if queue else None,
        "caller": {"number": number, "kind": attributes.get("caller_kind"), **(visitor or {})},
        "customer": _customer(customer, bool(reasons)) if customer else None,
        "candidates": candidates,
        "unknown": customer is None,
        "new_customer": None
        if customer
        else {"phone": number or "", "language": language or "en", **(visitor or {})},
        "language": language,
        "ivr": {
            "path": _ivr_path(attributes),
            "intent": intent,
            "verified": attributes.get("verified"),
        },
        "queued_at": interaction.created_at.timestamp(),
        "history": _history(session, customer, interaction.id) if customer else [],
        "notes": _open_notes(session, customer) if customer else [],
        "retention": (
            {"offer": customer.retention_offer, "reasons": reasons_out(reasons)}
            if customer is not None and reasons
            else None
        ),
        "script": scripts.render(script, values, known=bool(values["customer_name"]))
        if script
        else None,
        "crm": {"status": "off"},
    }


def _ivr_path(attributes: dict[str, Any]) -> list[str]:
    """The caller's path in words (cti.ivr_path, written by the voice channel as the IVR ran);
    a path given with a task from elsewhere (the tasks API) is shown as it was given."""
    steps = attributes.get("ivr_steps")
    if isinstance(steps, list):
        return [str(step) for step in steps]
    return [str(step) for step in attributes.get("ivr_path") or []]


def place_in_queue(pop: dict[str, Any], queue_id: int, queue_name: str | None) -> dict[str, Any]:
    """The pop offered from a queue chosen after it was built: the queue, and its call script
    unless the intent already chose one."""
    placed = {**pop, "queue": {"id": queue_id, "name": queue_name}}
    intent = (pop.get("ivr") or {}).get("intent")
    script = scripts.choose(intent, queue_name)
    current = (pop.get("script") or {}).get("key")
    if script is not None and script.key != current:
        customer = pop.get("customer") or {}
        name = customer.get("name") or (pop.get("caller") or {}).get("name")
        values = script_values(name, customer.get("first_name"))
        placed["script"] = scripts.render(script, values, known=bool(values["customer_name"]))
    return placed


def script_values(name: str | None, first_name: str | None) -> dict[str, str]:
    """What the script calls the customer (a chat visitor by the name they typed). A step that
    names a caller not on record reads its say_unknown instead, never "Am I speaking with ?"."""
    name = (name or "").strip()
    first = (first_name or "").strip() or (name.split()[0] if name else "")
    return {"customer_name": name, "customer_first_name": first}


def _identify(
    session: Session, interaction: Interaction, number: str | None, region: str
) -> tuple[Customer | None, list[dict[str, Any]]]:
    """The interaction's customer, else whoever holds the caller's number (best match first)."""
    if interaction.customer_id is not None:
        customer = session.get(Customer, interaction.customer_id)
        if customer is not None and customer.erased_at is None:
            return customer, []
    if not number:
        return None, []
    found = find_by_phone(session, number, region)
    others = [{"id": c.id, "name": c.display_name} for c in found[1:5]]
    return (found[0] if found else None), others


def _queue(session: Session, queue_id: Any) -> Queue | None:
    if queue_id is None or not str(queue_id).isdigit():
        return None
    return session.get(Queue, int(queue_id))


def _customer(customer: Customer, at_risk: bool) -> dict[str, Any]:
    phones = [p.e164 for p in customer.phones]
    emails = [e.address for e in customer.emails]
    return {
        "id": customer.id,
        "name": customer.display_name,
        "first_name": customer.first_name,
        "phones": phones,
        "email": emails[0] if emails else None,
        "language": customer.language,
        "segment": customer.segment,
        "clv": float(customer.clv),
        "at_risk": at_risk,  # computed by the rules (a flag set by hand is one of them)
        "account_number": customer.account_number,
        "last_order_status": customer.last_order_status,
        "account_balance": None
        if customer.account_balance is None
        else float(customer.account_balance),
        "satisfaction": customer.satisfaction,
    }


def _history(session: Session, customer: Customer, current_id: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Interaction, Disposition.label, Agent.display_name)
        .outerjoin(Disposition, Interaction.disposition_id == Disposition.id)
        .outerjoin(Agent, Interaction.agent_id == Agent.id)
        .where(Interaction.customer_id == customer.id, Interaction.id != current_id)
        .order_by(Interaction.created_at.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return [history_row(i, label, agent) for i, label, agent in rows]


def history_row(
    interaction: Interaction, disposition: str | None, agent: str | None
) -> dict[str, Any]:
    return {
        "interaction_id": interaction.id,
        "at": interaction.created_at.timestamp(),
        "channel": interaction.channel,
        "direction": interaction.direction,
        "intent": interaction.intent,
        "outcome": disposition or interaction.status.replace("_", " "),
        "agent": agent,
    }


def _open_notes(session: Session, customer: Customer) -> list[dict[str, Any]]:
    rows = session.execute(
        select(CustomerNote, User.name)
        .outerjoin(User, CustomerNote.author_user_id == User.id)
        .where(CustomerNote.customer_id == customer.id, CustomerNote.open.is_(True))
        .order_by(CustomerNote.created_at.desc())
        .limit(NOTES_LIMIT)
    ).all()
    return [
        {"id": n.id, "body": n.body, "at": n.created_at.timestamp(), "author": author}
        for n, author in rows
    ]


def waited_seconds(pop: dict[str, Any], now: datetime | None = None) -> float:
    current = (now or datetime.now(UTC)).timestamp()
    return max(0.0, current - float(pop["queued_at"]))


def _chat_visitor(session: Session, interaction: Interaction) -> dict[str, Any] | None:
    """The name and email a chat visitor typed in the pre-chat form."""
    if interaction.channel != "chat":
        return None
    from contactcentre.store.models import ChatConversation

    conversation = session.scalars(
        select(ChatConversation).where(ChatConversation.interaction_id == interaction.id)
    ).first()
    if conversation is None:
        return None
    return {"name": conversation.visitor_name, "email": conversation.visitor_email}
