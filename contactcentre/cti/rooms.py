"""Which rooms a signed-in user may join on each namespace, and what a replay may show them.

Agents: their own room and the contacts offered or assigned to them; supervisors: every room.
"""

from __future__ import annotations

from typing import Any

from contactcentre.cti.access import may_see_customer, may_see_interaction, pop_customer_id
from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.desk import Desk
from contactcentre.realtime.rooms import AGENT_NS, SUPERVISORS, agent_room
from contactcentre.store.models import Role, User


def may_join(runtime: Runtime, user: User, namespace: str, room: str) -> bool:
    supervisor = user.has_role(Role.SUPERVISOR)
    kind, _, ident = room.partition(":")
    if namespace == AGENT_NS:
        if kind == "agent":
            return supervisor or (user.agent is not None and room == agent_room(user.agent.id))
        if kind == "interaction" and ident:
            with runtime.db.session() as session:
                return may_see_interaction(session, Desk(runtime.redis), user, ident)
        return False
    return supervisor and (room == SUPERVISORS or (kind == "queue" and ident.isdigit()))


def visible_replay(
    runtime: Runtime, user: User, events: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Replayed events keep their screen pop only if the user may still see its customer (or,
    for a caller not on record, its contact): an old offer is no way around cti.access."""
    if user.has_role(Role.SUPERVISOR) or not any(_pop(e) for e in events):
        return events
    verdicts: dict[tuple[str, Any], bool] = {}
    shown = []
    with runtime.db.session() as session:
        for event in events:
            pop = _pop(event)
            if pop is None:
                shown.append(event)
                continue
            customer_id = pop_customer_id(pop)
            key = ("customer", customer_id) if customer_id else ("contact", pop["interaction_id"])
            if key not in verdicts:
                verdicts[key] = (
                    may_see_customer(
                        session,
                        runtime.redis,
                        user,
                        customer_id,
                        runtime.settings.customer_reopen_days,
                    )
                    if customer_id
                    else may_see_interaction(
                        session, Desk(runtime.redis), user, pop["interaction_id"]
                    )
                )
            if verdicts[key]:
                shown.append(event)
            else:
                shown.append(
                    {**event, "data": {**event["data"], "pop": None, "pop_withheld": True}}
                )
    return shown


def _pop(event: dict[str, Any]) -> dict[str, Any] | None:
    data = event.get("data")
    pop = data.get("pop") if isinstance(data, dict) else None
    return pop if isinstance(pop, dict) and pop.get("interaction_id") else None


class CtiRooms:
    """The RoomPolicy of the consoles' sockets: the rules above, as realtime's namespaces ask."""

    def may_join(self, runtime: Runtime, user: User, namespace: str, room: str) -> bool:
        return may_join(runtime, user, namespace, room)

    def visible_replay(
        self, runtime: Runtime, user: User, events: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        return visible_replay(runtime, user, events)
