"""What the router is told about an interaction it must route, the same for every channel:
its router-usable attributes, then the customer's defaults, value boost and last agent.

RoutingClient.submit sends it; this module only decides what it says.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.store.models import Customer, Interaction
from routing import events as ev

# Personal data the IVR or bot collected (or an API caller sent) that no routing rule needs:
# kept out of the router's commands, journal and snapshots.
PRIVATE_ATTRIBUTES = frozenset({"account_number", "customer_name", "caller", "ivr_path"})

# Value-based priority boost per segment; the engine clamps it to the plan's max_value_boost.
SEGMENT_BOOST = {"platinum": 3, "gold": 2, "silver": 1}

_SCALARS = (str, int, float, bool)


def routing_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """The attributes a routing expression can read: scalars and lists of scalars (for `in`),
    never the private ones. Anything else (the IVR's step descriptions, None) is dropped."""
    return {
        key: value
        for key, value in attributes.items()
        if key not in PRIVATE_ATTRIBUTES and _router_usable(value)
    }


def _router_usable(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(item, _SCALARS) for item in value)
    return isinstance(value, _SCALARS)


def task_submitted(
    session: Session,
    interaction: Interaction,
    attributes: dict[str, Any],
    *,
    priority: int,
    at: datetime,
) -> ev.TaskSubmitted:
    """The TaskSubmitted for `interaction`, created at `at`.

    With a customer on the interaction: the task's customer_id is theirs; segment and language
    default to theirs (a language the IVR, the bot or the pre-chat form chose is kept); their
    segment boosts the priority; the last agent who served them is preferred.
    """
    customer = session.get(Customer, interaction.customer_id) if interaction.customer_id else None
    task_attributes = routing_attributes(attributes)
    if customer is not None:
        task_attributes["customer_id"] = customer.id
        task_attributes.setdefault("segment", customer.segment)
        task_attributes.setdefault("language", customer.language)
    return ev.TaskSubmitted(
        task_id=interaction.id,
        channel=interaction.channel,
        attributes=task_attributes,
        priority=priority,
        value_boost=SEGMENT_BOOST.get(customer.segment, 0) if customer else 0,
        preferred_agent_id=_last_agent(session, customer, interaction.id),
        created_at=at.timestamp(),
    )


def _last_agent(session: Session, customer: Customer | None, exclude: str) -> str | None:
    """The agent of the customer's latest other interaction that had one."""
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
