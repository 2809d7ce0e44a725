"""Desk, today's stats and the board: own data for agents, everything for supervisors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contactcentre.reporting.period import day_bounds
from tests.integration.reporting.builders import add_contact, log

pytestmark = pytest.mark.usefixtures("validated_responses")


def test_stats_serve_todays_numbers_with_their_definitions(
    runtime: Any, client: Any, make_user: Any
) -> None:
    """/stats keeps its keys; AHT is talk + hold + ACW from the agent's answer (126 s, not the
    130 s from the accept), and every number carries its definition's label and id."""
    agent = make_user("agent")
    aid = str(agent["agent_id"])
    now = datetime.now(UTC)
    start = max(now - timedelta(minutes=10), day_bounds(now, "UTC")[0])
    with runtime.db.session() as session:
        call = add_contact(session)
        log(
            session,
            call,
            start,
            ("accepted", 0.0, {"agent_id": aid}),
            ("answered", 4.0, {"agent_id": aid}),
            ("completed", 100.0, {}),
            ("disposition", 130.0, {"agent_id": aid, "code": "resolved"}),
        )
    body = client.get(f"/api/v1/agents/{aid}/stats", headers=agent["headers"]).get_json()
    assert set(body) == {
        "handled",
        "aht_seconds",
        "missed_offers",
        "rejected_offers",
        "day_start",
        "definitions",
        "definition_ids",
    }
    assert (body["handled"], body["aht_seconds"]) == (1, 126.0)
    assert body["definitions"]["aht_seconds"].startswith("AHT: mean seconds of talk + hold")
    assert body["definition_ids"]["aht_seconds"] == "aht v2"


def test_agents_see_only_their_own_desk_and_stats(client: Any, make_user: Any) -> None:
    """Another agent's desk or stats is 403; a supervisor may see both."""
    me, other = make_user("agent"), make_user("agent")
    for path in ("desk", "stats"):
        own = client.get(f"/api/v1/agents/{me['agent_id']}/{path}", headers=me["headers"])
        assert own.status_code == 200
        theirs = client.get(f"/api/v1/agents/{other['agent_id']}/{path}", headers=me["headers"])
        assert theirs.status_code == 403
    supervisor = make_user("supervisor")
    assert (
        client.get(
            f"/api/v1/agents/{me['agent_id']}/desk", headers=supervisor["headers"]
        ).status_code
        == 200
    )


def test_board_is_for_supervisors(client: Any, make_user: Any, make_contact: Any) -> None:
    """Agents get 403; supervisors get queue tiles with the service-level definition."""
    make_contact()
    assert client.get("/api/v1/board", headers=make_user("agent")["headers"]).status_code == 403
    body = client.get("/api/v1/board", headers=make_user("supervisor")["headers"]).get_json()
    tile = body["queues"][0]
    assert tile["service_level_definition"].startswith("Service level: answered within")
    assert tile["service_level_id"] == "service_level.genesys v1"
    assert body["definition_ids"]["handled"] == "handled v1"
    assert set(tile["agents"]) == {"available", "busy", "wrap-up", "break", "offline"}
    assert body["room"] == "supervisors"


def test_desk_for_an_unknown_agent_is_404(client: Any, make_user: Any) -> None:
    """An unknown agent id answers 404 naming agent_id."""
    response = client.get("/api/v1/agents/9999/desk", headers=make_user("supervisor")["headers"])
    assert response.status_code == 404
    assert response.get_json()["error"]["field"] == "agent_id"
