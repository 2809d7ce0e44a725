"""Desk, today's stats and the board: own data for agents, everything for supervisors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contactcentre.cti.stats import agents_today, day_bounds
from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent

pytestmark = pytest.mark.usefixtures("validated_responses")


def _event(session: Any, interaction_id: str, kind: str, at: datetime, **data: Any) -> None:
    event_log.append(
        session, NewEvent(interaction_id, kind, at, f"{interaction_id}:{kind}:{at}", data=data)
    )


def test_stats_count_handled_aht_and_missed(
    runtime: Any, make_user: Any, make_contact: Any
) -> None:
    """Handled = accepted and ended; AHT runs to the disposition; missed = expired offers."""
    agent = make_user("agent")
    aid = str(agent["agent_id"])
    start = datetime.now(UTC) - timedelta(minutes=10)
    contact = make_contact(agent_id=agent["agent_id"], status="completed", desk_status=None)
    missed = make_contact(status="queued", desk_status=None)
    with runtime.db.session() as session:
        _event(session, contact, "accepted", start, agent_id=aid)
        _event(session, contact, "completed", start + timedelta(seconds=100))
        _event(session, contact, "disposition", start + timedelta(seconds=130), agent_id=aid)
        _event(session, missed, "offer_expired", start, agent_id=aid, reason="expired")
    day_start, day_end = day_bounds(datetime.now(UTC), "UTC")
    with runtime.db.session() as session:
        day = agents_today(session, day_start, day_end)[aid].to_dict()
    assert day == {"handled": 1, "aht_seconds": 130.0, "missed_offers": 1, "rejected_offers": 0}


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
    assert set(tile["agents"]) == {"available", "busy", "wrap-up", "break", "offline"}
    assert body["room"] == "supervisors"


def test_desk_for_an_unknown_agent_is_404(client: Any, make_user: Any) -> None:
    """An unknown agent id answers 404 naming agent_id."""
    response = client.get("/api/v1/agents/9999/desk", headers=make_user("supervisor")["headers"])
    assert response.status_code == 404
    assert response.get_json()["error"]["field"] == "agent_id"
