"""A logged day replayed: its contacts rebuilt from interaction_events, its agents from the
agents who handled them, its routing configuration as it stands, run through the simulator.

What the replay takes from the log: each queued contact's enqueue time, talk + hold time,
patience (the wait of those who hung up; the rest drawn, see routing/planning/replay.py) and
its task attributes (Interaction.attributes, as the channel submitted them). What it does not:
agents' shifts and breaks (every agent who handled a contact that day is signed in all day),
their answer times and after-call work (the queue's wrap-up timer ends it), customers' segment
defaults. Those are why a real day's replay differs from its log; a generated day has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.reporting import ledger
from contactcentre.reporting.contacts import CONTACT_TYPES, contact_outcomes
from contactcentre.router.config_loader import load_routing_config
from contactcentre.router.tasks import routing_attributes
from contactcentre.store.models import Agent, Interaction
from routing.planning.replay import ReplayResult, replay
from routing.simulation import AgentGroup
from routing.tally import ContactOutcome

MAX_CONTACTS = 50_000  # a replay request stays within seconds
# Contacts queued before the day's end are followed this long after it to see how they left.
FOLLOW = timedelta(hours=4)


def _agents(session: Session, ids: Iterable[str], extra: int) -> list[AgentGroup]:
    rows = list(session.scalars(select(Agent).where(Agent.id.in_([int(i) for i in ids]))))
    groups = [
        AgentGroup(f"agent{row.id}", 1, row.skill_levels(), dict(row.attributes))
        for row in sorted(rows, key=lambda r: r.id)
    ]
    # A what-if's extra agents copy the day's agents in turn (their skills and attributes).
    clones = [
        AgentGroup(f"extra{n}", 1, dict(groups[n % len(groups)].skills),
                   dict(groups[n % len(groups)].attributes))
        for n in range(extra if groups else 0)
    ]  # fmt: skip
    return groups + clones


def _attributes(session: Session, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        for row in session.execute(
            select(Interaction.id, Interaction.attributes).where(Interaction.id.in_(part))
        ):
            found[row.id] = routing_attributes(dict(row.attributes or {}))
    return found


def logged_outcomes(
    session: Session, start: datetime, end: datetime, channel: str
) -> list[ContactOutcome]:
    """The channel's contacts queued in [start, end), followed until they left the queue."""
    events = ledger.read(session, start, end + FOLLOW, CONTACT_TYPES)
    begin, stop = start.timestamp(), end.timestamp()
    return [
        o
        for o in contact_outcomes(events)
        if o.channel == channel and o.queued_at is not None and begin <= o.queued_at < stop
    ]


def replay_day(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    target_seconds: float,
    channel: str = "voice",
    extra_agents: int = 0,
    seed: int = 1,
) -> ReplayResult:
    """Replay [start, end)'s queued contacts of one channel under today's configuration, with
    the agents who handled them (plus `extra_agents` copies, for a what-if)."""
    outcomes = logged_outcomes(session, start, end, channel)
    if len(outcomes) > MAX_CONTACTS:
        raise ValueError(f"{len(outcomes)} contacts to replay, more than {MAX_CONTACTS}")
    agents = _agents(session, {o.agent_id for o in outcomes if o.agent_id}, extra_agents)
    if not agents:
        raise ValueError("no agent handled a contact in this range: nothing to staff a replay")
    return replay(
        outcomes,
        load_routing_config(session),
        agents,
        day_start=start.timestamp(),
        day_seconds=(end - start).total_seconds(),
        target_seconds=target_seconds,
        attributes_of=_attributes(session, [o.contact_id for o in outcomes]),
        channel=channel,
        seed=seed,
    )
