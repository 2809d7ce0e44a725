"""Who may see an interaction in full: its agent (offered or assigned), and supervisors.

One rule for the REST API and the Socket.IO rooms, so the two can never disagree.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

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
