"""Hands a call that already has its interaction (created when the call arrived) to the router.

The same TaskSubmitted as RoutingClient.submit_task, sent after commit, for an existing row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.router.client import SEGMENT_BOOST, RoutingClient
from contactcentre.store.models import Customer, Interaction
from routing import events as ev

# IVR attributes the router has no use for and that should not sit in its snapshots.
PRIVATE_ATTRIBUTES = frozenset({"account_number", "customer_name", "caller", "ivr_path"})


def routing_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in attributes.items()
        if k not in PRIVATE_ATTRIBUTES and isinstance(v, str | int | float | bool)
    }


def _last_agent(session: Session, customer: Customer | None, exclude: str) -> str | None:
    if customer is None:
        return None
    agent_id = session.scalar(
        select(Interaction.agent_id)
        .where(
            Interaction.customer_id == customer.id,
            Interaction.agent_id.is_not(None),
            Interaction.id != exclude,
        )
        .order_by(Interaction.created_at.desc())
        .limit(1)
    )
    return None if agent_id is None else str(agent_id)


def submit_call(
    session: Session,
    routing: RoutingClient,
    interaction: Interaction,
    attributes: dict[str, Any],
    *,
    priority: int,
    at: datetime,
) -> None:
    """Ask the router to route this call (sent once the caller's transaction commits)."""
    customer = session.get(Customer, interaction.customer_id) if interaction.customer_id else None
    task_attributes = routing_attributes(attributes)
    if customer is not None:
        task_attributes.setdefault("segment", customer.segment)
        task_attributes["customer_id"] = customer.id
    routing.send_after_commit(
        session,
        ev.TaskSubmitted(
            task_id=interaction.id,
            channel=interaction.channel,
            attributes=task_attributes,
            priority=priority,
            value_boost=SEGMENT_BOOST.get(customer.segment, 0) if customer else 0,
            preferred_agent_id=_last_agent(session, customer, interaction.id),
            created_at=at.timestamp(),
        ),
    )
