"""The agents who may take a campaign's calls now: its queue's agents with a live console.

A campaign dials for its queue: an agent belongs to it when the queue's expression matches the
agent's skills and attributes (as the router evaluates it), and is signed in while one of their
consoles was vouched for within the realtime grace period.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.realtime.presence import Presence
from contactcentre.store.models import Agent, Campaign, Queue
from routing.expression import ExpressionError, parse


def queue_agents(session: Session, campaign: Campaign) -> list[Agent]:
    """The agents the campaign's queue selects (none without a queue or with a broken one)."""
    if campaign.queue_id is None:
        return []
    queue = session.get(Queue, campaign.queue_id)
    if queue is None:
        return []
    try:
        expression = parse(queue.expression)
    except ExpressionError:
        return []
    return [
        agent
        for agent in session.scalars(select(Agent).order_by(Agent.id))
        if expression(
            {**(agent.attributes or {}), "skills": agent.skill_levels(), "agent_id": str(agent.id)}
        )
    ]


def signed_in_agents(
    session: Session, presence: Presence, campaign: Campaign, now: float, grace: float
) -> list[Agent]:
    """The queue's agents with at least one live console connection."""
    return [
        agent
        for agent in queue_agents(session, campaign)
        if presence.live_connections(str(agent.id), now, grace) > 0
    ]
