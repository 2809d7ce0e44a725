"""Which rooms a signed-in user may join on each namespace.

Agents: their own room and the contacts offered or assigned to them; supervisors: every room.
"""

from __future__ import annotations

from contactcentre.cti.access import may_see_interaction
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
