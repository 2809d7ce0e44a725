"""The routing pipeline through the API: sign in, submit, offer, accept, complete, trace."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from contactcentre.interactions import event_log
from contactcentre.router.client import RoutingClient
from contactcentre.router.streams import COMMANDS
from contactcentre.store.models import Interaction
from tests.builders import billing_queue
from tests.integration.realtime.live import eventually

pytestmark = pytest.mark.usefixtures("validated_responses")


@pytest.fixture
def floor(app: Any, client: Any, admin: Any, make_user: Any, running_router: Any) -> dict[str, Any]:
    """One billing queue and two agents: a billing expert and a novice."""
    h = admin["headers"]
    expert = make_user("agent", skills={"billing": 9})
    novice = make_user("agent", skills={"billing": 4})
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        queue = {"id": billing_queue(session).id}
        RoutingClient(runtime.redis).config_changed(session)
    for agent in (expert, novice):
        response = client.post(
            f"/api/v1/agents/{agent['agent_id']}/state",
            json={"state": "available"},
            headers=agent["headers"],
        )
        assert response.status_code == 202
    for agent in (expert, novice):
        eventually(
            lambda a=agent: (
                client.get(f"/api/v1/agents/{a['agent_id']}/state", headers=h).get_json()["state"]
                == "available"
            )
        )
    return {"queue": queue, "expert": expert, "novice": novice, "admin": admin}


def _offer_for(app: Any, agent_id: int) -> str | None:
    redis = app.extensions["contactcentre"].redis
    for key in redis.scan_iter("cc:routing:reservation:*"):
        data = redis.hgetall(key)
        if data["agent_id"] == str(agent_id) and data["state"] == "offered":
            return key.rsplit(":", 1)[1]
    return None


def test_task_goes_to_the_most_skilled_agent(app: Any, client: Any, floor: Any) -> None:
    """A billing task is offered to the expert; accepting and completing is all logged."""
    h = floor["admin"]["headers"]
    task = client.post(
        "/api/v1/tasks", json={"channel": "voice", "queue_id": floor["queue"]["id"]}, headers=h
    ).get_json()
    expert = floor["expert"]
    reservation = eventually(lambda: _offer_for(app, expert["agent_id"]))
    assert (
        client.post(
            f"/api/v1/reservations/{reservation}/accept", headers=expert["headers"]
        ).status_code
        == 202
    )
    db = app.extensions["contactcentre"].db

    def assigned_to_expert() -> bool:
        # Acceptance is asynchronous (202): wait until the assignment is recorded.
        with db.session() as session:
            row = session.get(Interaction, task["task_id"])
            return row is not None and row.agent_id == expert["agent_id"]

    eventually(assigned_to_expert)
    assert (
        client.get(f"/api/v1/agents/{expert['agent_id']}/state", headers=h).get_json()["state"]
        == "busy"
    )
    assert (
        client.post(
            f"/api/v1/tasks/{task['task_id']}/complete", headers=expert["headers"]
        ).status_code
        == 202
    )

    def kinds() -> list[str]:
        with db.session() as session:
            return [e.type for e in event_log.for_interaction(session, task["task_id"])]

    eventually(lambda: "completed" in kinds())
    assert kinds()[:4] == ["created", "queued", "offered", "accepted"]
    trace = client.get(f"/api/v1/tasks/{task['task_id']}/trace", headers=h).get_json()
    offer = next(e for e in trace["entries"] if e["kind"] == "offer")
    assert offer["candidates"][0]["agent_id"] == str(expert["agent_id"])


def test_another_agents_offer_cannot_be_taken(app: Any, client: Any, floor: Any) -> None:
    """An agent cannot accept an offer made to someone else (403), nor an unknown one (404)."""
    client.post(
        "/api/v1/tasks",
        json={"channel": "voice", "queue_id": floor["queue"]["id"]},
        headers=floor["admin"]["headers"],
    )
    reservation = eventually(lambda: _offer_for(app, floor["expert"]["agent_id"]))
    novice = floor["novice"]["headers"]
    assert (
        client.post(f"/api/v1/reservations/{reservation}/accept", headers=novice).status_code == 403
    )
    assert client.post("/api/v1/reservations/r999/accept", headers=novice).status_code == 404


def test_rejected_offer_moves_on(app: Any, client: Any, floor: Any) -> None:
    """When the expert rejects, the novice gets the offer."""
    client.post(
        "/api/v1/tasks",
        json={"channel": "voice", "queue_id": floor["queue"]["id"]},
        headers=floor["admin"]["headers"],
    )
    reservation = eventually(lambda: _offer_for(app, floor["expert"]["agent_id"]))
    client.post(
        f"/api/v1/reservations/{reservation}/reject",
        json={"reason": "on a call"},
        headers=floor["expert"]["headers"],
    )
    assert eventually(lambda: _offer_for(app, floor["novice"]["agent_id"]))


def test_break_needs_a_reason(client: Any, floor: Any) -> None:
    """Going on break without a listed reason is refused naming the field."""
    agent = floor["novice"]
    response = client.post(
        f"/api/v1/agents/{agent['agent_id']}/state",
        json={"state": "break"},
        headers=agent["headers"],
    )
    assert response.status_code == 422
    assert "reason" in response.get_json()["error"]["message"]


def test_agents_set_only_their_own_state(client: Any, floor: Any) -> None:
    """An agent cannot put a colleague on break; a supervisor can (audited)."""
    target = floor["expert"]["agent_id"]
    body = {"state": "break", "reason": "coaching"}
    assert (
        client.post(
            f"/api/v1/agents/{target}/state", json=body, headers=floor["novice"]["headers"]
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/agents/{target}/state", json=body, headers=floor["admin"]["headers"]
        ).status_code
        == 202
    )


def test_dry_run_explains_the_choice(client: Any, floor: Any) -> None:
    """A dry run names the queue and the agent it would offer to, without routing anything."""
    h = floor["admin"]["headers"]
    result = client.post(
        "/api/v1/routing/dry-run",
        json={"attributes": {"queue_id": str(floor["queue"]["id"])}},
        headers=h,
    ).get_json()
    assert result["queue_id"] == str(floor["queue"]["id"])
    assert result["would_offer_to"] == str(floor["expert"]["agent_id"])
    assert any(entry["kind"] == "offer" for entry in result["trace"])


def test_plan_crud_validates(client: Any, floor: Any) -> None:
    """A routing plan must name existing queues and valid expressions; a good one is stored."""
    h = floor["admin"]["headers"]
    qid = floor["queue"]["id"]
    bad_queue = client.post(
        "/api/v1/routing-plans", json={"name": "P", "steps": [{"queue_id": 999}]}, headers=h
    )
    assert bad_queue.status_code == 422
    assert bad_queue.get_json()["error"]["field"] == "steps[0].queue_id"
    bad_expr = client.post(
        "/api/v1/routing-plans",
        json={"name": "P", "filter": "intent == ", "steps": [{"queue_id": qid}]},
        headers=h,
    )
    assert bad_expr.get_json()["error"]["field"] == "filter"
    both = client.post(
        "/api/v1/routing-plans",
        json={"name": "P", "steps": [{"queue_id": qid, "exit": "voicemail"}]},
        headers=h,
    )
    assert both.status_code == 422
    good = client.post(
        "/api/v1/routing-plans",
        json={
            "name": "Billing",
            "filter": 'intent == "billing"',
            "steps": [{"queue_id": qid, "timeout_seconds": 30}, {"exit": "callback"}],
        },
        headers=h,
    )
    assert good.status_code == 201, good.get_json()


def test_transfer_needs_one_target(client: Any, floor: Any) -> None:
    """A transfer names exactly one of queue_id and agent_id."""
    h = floor["admin"]["headers"]
    task = client.post(
        "/api/v1/tasks", json={"channel": "chat", "queue_id": floor["queue"]["id"]}, headers=h
    ).get_json()
    response = client.post(f"/api/v1/tasks/{task['task_id']}/transfer", json={}, headers=h)
    assert response.status_code == 422


def test_routing_policy_reaches_the_router(client: Any, floor: Any, running_router: Any) -> None:
    """A policy change is stored, validated, and applied to the router's engine config."""
    h = floor["admin"]["headers"]
    bad = client.put(
        "/api/v1/routing/policy",
        json={"skill_preference_seconds": -1, "agent_choice": "best_ranked"},
        headers=h,
    )
    assert bad.status_code == 422
    assert bad.get_json()["error"]["field"] == "skill_preference_seconds"
    ok = client.put(
        "/api/v1/routing/policy",
        json={"skill_preference_seconds": 8, "agent_choice": "longest_queue"},
        headers=h,
    )
    assert ok.status_code == 200
    assert client.get("/api/v1/routing/policy", headers=h).get_json()["agent_choice"] == (
        "longest_queue"
    )

    def applied() -> bool:
        engine = running_router.engine
        return engine is not None and engine.config.agent_choice == "longest_queue"

    eventually(applied)
    assert running_router.engine.config.skill_preference_seconds == 8


def test_least_needed_strategy_is_accepted(client: Any, floor: Any) -> None:
    """Queues may use the least_needed strategy."""
    response = client.patch(
        f"/api/v1/queues/{floor['queue']['id']}",
        json={"strategy": "least_needed"},
        headers=floor["admin"]["headers"],
    )
    assert response.status_code == 200
    assert response.get_json()["strategy"] == "least_needed"


def test_one_external_id_is_one_task_per_channel(app: Any, client: Any, admin: Any) -> None:
    """A second POST /tasks with a channel's external_id answers 409 on external_id and routes
    nothing; the same external_id on another channel is a task of its own."""
    h = admin["headers"]
    body = {"channel": "voice", "external_id": "CA-once", "attributes": {"intent": "billing"}}
    first = client.post("/api/v1/tasks", json=body, headers=h)
    again = client.post("/api/v1/tasks", json=body, headers=h)
    chat = client.post("/api/v1/tasks", json={**body, "channel": "chat"}, headers=h)
    assert first.status_code == 201, first.get_json()
    assert again.status_code == 409, again.get_json()
    error = again.get_json()["error"]
    assert (error["code"], error["field"]) == ("duplicate", "external_id")
    assert first.get_json()["task_id"] in error["message"]
    assert chat.status_code == 201, chat.get_json()
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        channels = session.scalars(
            select(Interaction.channel).where(Interaction.external_id == "CA-once")
        ).all()
    assert sorted(channels) == ["chat", "voice"]
    commands = [json.loads(f["event"]) for _, f in runtime.redis.xrange(COMMANDS)]
    assert [c["kind"] for c in commands].count("task_submitted") == 2


def test_an_empty_external_id_is_refused(client: Any, admin: Any) -> None:
    """external_id, when given, must not be empty (it identifies the contact elsewhere)."""
    response = client.post(
        "/api/v1/tasks", json={"channel": "voice", "external_id": ""}, headers=admin["headers"]
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "external_id"
