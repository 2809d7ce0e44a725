"""The supervisor's live board: queue tiles and the agent grid, from Redis projections and SQL.

Agent states and waiting tasks come from the router's projections; today's queue numbers from the
rolled-up interval rows plus the contacts the roll-up has not read yet (reporting/live.py, by the
roll-up's own projection), so a tile equals the service-level report for the same day once it is
rolled up, and shows the last seconds' contacts before.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime
from typing import Any

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.realtime.desk import Desk
from contactcentre.reporting import ledger, sla_board
from contactcentre.reporting.agent_day import (
    DEFINITION_IDS,
    DEFINITIONS,
    TYPES,
    AgentDay,
    agent_days,
    offers_not_taken,
)
from contactcentre.reporting.contacts import contact_outcomes
from contactcentre.reporting.definitions import queue_service_level, served_id
from contactcentre.reporting.live import queue_tallies
from contactcentre.router.streams import AGENT_STATE, WAITING
from contactcentre.store.models import Agent, Interaction, Queue
from routing.expression import ExpressionError, parse
from routing.metrics import Tally

STATES = ("available", "busy", "wrap-up", "break", "offline")
AMBER_AT = 0.75  # longest wait turns amber at 75% of the queue's answer target, red at 100%


def build_board(
    session: Session, client: redis.Redis, start: datetime, end: datetime
) -> dict[str, Any]:
    now = time.time()
    queues = list(session.scalars(select(Queue).order_by(Queue.name)))
    agents = list(session.scalars(select(Agent).order_by(Agent.display_name)))
    states = _states(client, [a.id for a in agents])
    current = Desk(client).current_tasks([str(a.id) for a in agents])
    events = ledger.read(session, start, end, TYPES)
    contacts = contact_outcomes(events)
    days = agent_days(contacts, offers_not_taken(events))
    waiting = _waiting(session, client, now)
    queued = queue_tallies(session, start, end)
    rows = [_agent_row(a, states[a.id], current.get(str(a.id), []), days, now) for a in agents]
    tiles = [
        _tile(q, agents, states, waiting.get(str(q.id), []), queued.get(q.id, Tally()))
        for q in queues
    ]
    return {
        "at": now,
        "day_start": start.isoformat(),
        "sla": sla_board.summary(session, start, end, now),
        "queues": tiles,
        "agents": rows,
        "definitions": DEFINITIONS,
        "definition_ids": DEFINITION_IDS,
    }


def _states(client: redis.Redis, agent_ids: list[int]) -> dict[int, dict[str, Any]]:
    pipe = client.pipeline(transaction=False)
    for agent_id in agent_ids:
        pipe.hgetall(AGENT_STATE + str(agent_id))
    found = {}
    for agent_id, data in zip(agent_ids, pipe.execute(), strict=True):
        found[agent_id] = {
            "state": data.get("state", "offline"),
            "reason": data.get("reason") or None,
            "since": float(data["since"]) if data.get("since") else None,
        }
    return found


def _waiting(session: Session, client: redis.Redis, now: float) -> dict[str, list[float]]:
    """Seconds waited so far by each waiting task, per queue (the router refreshes these)."""
    keys = list(client.scan_iter(match=WAITING + "*", count=500))
    if not keys:
        return {}
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.hget(key, "queue_id")
    queue_of = {
        str(k).removeprefix(WAITING): q for k, q in zip(keys, pipe.execute(), strict=True) if q
    }
    created = dict(
        session.execute(
            select(Interaction.id, Interaction.created_at).where(Interaction.id.in_(queue_of))
        ).all()
    )
    waits: dict[str, list[float]] = defaultdict(list)
    for task_id, queue_id in queue_of.items():
        since = created.get(task_id)
        waits[str(queue_id)].append(max(0.0, now - since.timestamp()) if since else 0.0)
    return waits


def _eligible(queue: Queue, agent: Agent) -> bool:
    context = {**agent.attributes, "skills": agent.skill_levels(), "agent_id": str(agent.id)}
    try:
        return bool(parse(queue.expression)(context))
    except (ExpressionError, TypeError, KeyError):
        return False


def _tile(
    queue: Queue,
    agents: list[Agent],
    states: dict[int, dict[str, Any]],
    waits: list[float],
    tally: Tally,
) -> dict[str, Any]:
    counts = dict.fromkeys(STATES, 0)
    for agent in agents:
        if _eligible(queue, agent):
            counts[
                states[agent.id]["state"] if states[agent.id]["state"] in counts else "busy"
            ] += 1
    metric = queue_service_level(
        float(queue.sla_target_seconds), float(queue.short_abandon_seconds)
    )
    level = metric.of_tally(tally)
    longest = max(waits, default=0.0)
    target = float(queue.sla_target_seconds)
    alert = "red" if longest >= target else "amber" if longest >= AMBER_AT * target else "ok"
    return {
        "id": queue.id,
        "name": queue.name,
        "waiting": len(waits),
        "longest_wait_seconds": round(longest, 1),
        "wait_alert": alert if waits else "ok",
        "target_seconds": queue.sla_target_seconds,
        "agents": counts,
        "service_level": None if level is None else round(level * 100, 1),
        "service_level_target": queue.sla_target_percent,
        "service_level_definition": metric.label,
        "service_level_id": served_id(metric),
        "contacts_today": tally.queued,
    }


def _agent_row(
    agent: Agent,
    state: dict[str, Any],
    tasks: list[dict[str, Any]],
    days: dict[str, AgentDay],
    now: float,
) -> dict[str, Any]:
    stats = days.get(str(agent.id), AgentDay()).to_dict()
    return {
        "id": agent.id,
        "name": agent.display_name,
        "state": state["state"],
        "reason": state["reason"],
        "since": state["since"],
        "seconds_in_state": None if state["since"] is None else round(now - state["since"], 1),
        "current": sorted(tasks, key=lambda t: t.get("since") or 0),
        "handled": stats["handled"],
        "aht_seconds": stats["aht_seconds"],
        "missed_offers": stats["missed_offers"],
        "team": agent.attributes.get("team"),
    }
