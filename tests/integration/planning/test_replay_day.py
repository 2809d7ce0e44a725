"""A logged day read back from interaction_events and replayed through the routing engine under
the unchanged configuration reproduces its service level; two more agents raise it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contactcentre.planning.logged_day import replay_day
from tests.builders import add_agents, add_queue
from tests.demand_history import simulate_logged_day

DAY = datetime(2026, 5, 4, 8, tzinfo=UTC)


@pytest.fixture
def logged(app: Any) -> Any:
    """Three hours of 200 calls an hour at 180 s to Support, 12 agents, 2-minute patience."""
    database = app.extensions["contactcentre"].db
    with database.session() as session:
        queue = add_queue(session, "Support")
        agents = add_agents(session, 12, password_hash="not-a-login")
        session.commit()
        contacts, _ = simulate_logged_day(
            session, queue_id=queue.id, agent_ids=[a.id for a in agents], day_start=DAY,
            calls_per_hour=200, hours=3, seed=3,
        )  # fmt: skip
    return database, contacts


def test_an_unchanged_replay_reproduces_the_logged_day(logged: Any) -> None:
    """Every queued contact comes back from the log and the replayed SL equals the logged one
    within 0.01 (a generated day has no shifts or answer times the replay cannot see)."""
    database, contacts = logged
    with database.session() as session:
        result = replay_day(session, DAY, DAY + timedelta(hours=3), target_seconds=20)
    assert result.logged.offered == result.replayed.offered == contacts
    assert result.logged.abandon_rate is not None and result.logged.abandon_rate > 0
    assert result.service_level_error is not None and result.service_level_error < 0.01


def test_two_more_agents_raise_the_service_level(logged: Any) -> None:
    """The what-if: the same callers with 14 agents instead of 12 answer more within 20 s."""
    database, _ = logged
    with database.session() as session:
        same = replay_day(session, DAY, DAY + timedelta(hours=3), target_seconds=20)
        more = replay_day(session, DAY, DAY + timedelta(hours=3), target_seconds=20,
                          extra_agents=2)  # fmt: skip
    assert more.replayed.service_level > same.replayed.service_level + 0.03
    assert more.logged == same.logged


def test_the_replay_api_shows_the_day_beside_its_replay(
    logged: Any, client: Any, make_user: Any
) -> None:
    """GET /api/v1/planning/replay: logged and replayed side by side; with two more agents the
    replayed SL is higher and the difference says by how much."""
    _, contacts = logged
    headers = make_user("supervisor")["headers"]
    query = {"day": "2026-05-04", "answer_seconds": 20}
    same = client.get("/api/v1/planning/replay", query_string=query, headers=headers)
    assert same.status_code == 200, same.get_json()
    body = same.get_json()
    assert body["logged"]["offered"] == body["replayed"]["offered"] == contacts
    assert abs(body["service_level_difference"]) < 0.01
    more = client.get("/api/v1/planning/replay", query_string={**query, "extra_agents": 2},
                      headers=headers).get_json()  # fmt: skip
    assert more["service_level_difference"] > 0.03
    assert more["logged"] == body["logged"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "day"),
        ({"day": "2026-05-03"}, "day"),  # nothing logged that day
        ({"day": "2026-05-04", "extra_agents": 501}, "extra_agents"),
        ({"day": "2026-05-04", "tz": "Nowhere/Land"}, "tz"),
        ({"day": "2026-05-04", "channel": "fax"}, "channel"),
    ],
)
def test_replay_bad_input_names_the_field(client: Any, make_user: Any, query, field) -> None:
    """A missing or empty day, too many extra agents, a bad zone or channel: 422 naming it."""
    headers = make_user("supervisor")["headers"]
    reply = client.get("/api/v1/planning/replay", query_string=query, headers=headers)
    assert reply.status_code == 422, reply.get_json()
    assert reply.get_json()["error"]["field"] == field
