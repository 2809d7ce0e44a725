"""Who may see an interaction, and a customer's record, in full: agents what they are serving
(or served, or just found), supervisors and admins everything.

One rule for the REST API and the Socket.IO rooms, so the two can never disagree (docs/console.md,
"Who sees what").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.cti.cache import POP
from contactcentre.cti.found import FoundCustomers
from contactcentre.realtime.desk import Desk
from contactcentre.store.models import Interaction, Role, User


def may_see_interaction(session: Session, desk: Desk, user: User, interaction_id: str) -> bool:
    if user.has_role(Role.SUPERVISOR):
        return True
    if user.agent is None:
        return False
    mine = str(user.agent.id)
    # The desk knows offers before SQL does (the event log is written asynchronously).
    if desk.agent_of(interaction_id) == mine:
        return True
    interaction = session.get(Interaction, interaction_id)
    return interaction is not None and str(interaction.agent_id) == mine


def may_see_customer(
    session: Session,
    client: redis.Redis,
    user: User,
    customer_id: int,
    reopen_days: int,
) -> bool:
    """Supervisors (and admins) always; an agent when the customer is on a contact ringing for or
    held by them now, on a contact they handled in the last `reopen_days`, or among what their
    own searches returned within the grant (cti.found)."""
    if user.has_role(Role.SUPERVISOR):
        return True
    if FoundCustomers(client).holds(user.id, customer_id):
        return True
    if user.agent is None:
        return False
    if customer_id in customers_on_desk(session, client, str(user.agent.id)):
        return True
    since = datetime.now(UTC) - timedelta(days=reopen_days)
    handled = session.scalar(
        select(Interaction.id)
        .where(
            Interaction.agent_id == user.agent.id,
            Interaction.customer_id == customer_id,
            Interaction.created_at >= since,
        )
        .limit(1)
    )
    return handled is not None


def customers_on_desk(session: Session, client: redis.Redis, agent_id: str) -> set[int]:
    """Customers of the contacts ringing for the agent or in their hands (until wrap-up ends).

    A contact's customer is the one linked to it in SQL or, before anyone linked one, the one
    its screen pop identified by the caller's number: the agent opens the record from the pop.
    """
    desk = Desk(client).contents(agent_id)
    task_ids = [str(o["task_id"]) for o in desk["offers"] if o.get("task_id")]
    task_ids += [str(t["task_id"]) for t in desk["tasks"] if t.get("task_id")]
    if not task_ids:
        return set()
    found = {pop_customer_id(offer.get("pop")) for offer in desk["offers"]}
    cached: Any = client.mget([POP + task_id for task_id in task_ids])
    found |= {pop_customer_id(json.loads(raw)) for raw in cached if raw is not None}
    found |= set(
        session.scalars(
            select(Interaction.customer_id).where(
                Interaction.id.in_(task_ids), Interaction.customer_id.is_not(None)
            )
        )
    )
    return {customer_id for customer_id in found if customer_id is not None}


def pop_customer_id(pop: Any) -> int | None:
    """The id of the customer a screen pop identified, if any."""
    customer = (pop or {}).get("customer") if isinstance(pop, dict) else None
    ident = (customer or {}).get("id")
    return ident if isinstance(ident, int) else None
