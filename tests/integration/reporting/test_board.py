"""The supervisor's board from real Valkey projections and SQLite events: queue tiles with
today's service level, the agent grid with each agent's day, every number with its definition."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from contactcentre.reporting.board import build_board
from contactcentre.router.streams import AGENT_STATE
from contactcentre.store.models import Queue
from routing.metrics import ServiceLevel
from tests.integration.reporting.builders import add_contact, log

START = datetime(2026, 5, 4, 8, tzinfo=UTC)
DAY = (START.replace(hour=0), START.replace(hour=0) + timedelta(days=1))


def test_the_board_measures_each_queue_and_agent_by_the_metric_definitions(
    app: Any, make_user: Any, redis_client: Any
) -> None:
    """Answered in 10 s, abandoned at 40 s, a 2 s short abandon: service level 50% (1 of 2 with
    short abandons out); the agent handled one call in 106 s; each figure names its definition."""
    agent_id = make_user("agent")["agent_id"]
    aid = str(agent_id)
    redis_client.hset(
        AGENT_STATE + aid, mapping={"state": "available", "reason": "", "since": time.time()}
    )
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        billing = Queue(name="Billing", sla_target_seconds=20, short_abandon_seconds=5)
        session.add(billing)
        session.flush()
        queued = ("queued", 0.0, {"queue_id": billing.id})
        answered, abandoned, short = (add_contact(session, queue_id=billing.id) for _ in range(3))
        log(
            session,
            answered,
            START,
            queued,
            ("accepted", 10.0, {"agent_id": aid}),
            ("answered", 14.0, {"agent_id": aid}),
            ("completed", 100.0, {}),
            ("disposition", 120.0, {"agent_id": aid, "code": "resolved"}),
        )
        log(session, abandoned, START, queued, ("canceled", 40.0, {}))
        log(session, short, START, queued, ("canceled", 2.0, {}))
        session.commit()
        board = build_board(session, runtime.redis, *DAY)
    (tile,) = board["queues"]
    level = ServiceLevel("genesys", 20, 5)
    assert (tile["service_level"], tile["contacts_today"], tile["agents"]["available"]) == (
        50.0,
        3,
        1,
    )
    assert (tile["service_level_definition"], tile["service_level_id"]) == (
        level.label,
        "service_level.genesys v1",
    )
    (row,) = [r for r in board["agents"] if r["id"] == agent_id]
    assert (row["state"], row["handled"], row["aht_seconds"], row["missed_offers"]) == (
        "available",
        1,
        106.0,
        0,
    )
    assert board["definition_ids"]["aht_seconds"] == "aht v2"
    assert board["definitions"]["aht_seconds"].startswith("AHT: mean seconds of talk + hold")


def test_a_queue_with_nothing_today_has_no_service_level(app: Any) -> None:
    """No contacts queued today: the tile shows no service level (None), never 0% or 100%."""
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        session.add(Queue(name="Quiet"))
        session.commit()
        board = build_board(session, runtime.redis, *DAY)
    (tile,) = board["queues"]
    assert (tile["service_level"], tile["contacts_today"], tile["waiting"]) == (None, 0, 0)
