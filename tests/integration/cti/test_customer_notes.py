"""POST /api/v1/customers/<id>/notes and pop refreshes: who may write, what is kept, and the
screen pops of live contacts following the record."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from contactcentre.cti.cache import POP, PopProvider

NOTES = "/api/v1/customers/{}/notes"


def _cached_pop(runtime: Any, interaction_id: str) -> dict[str, Any]:
    raw = runtime.redis.get(POP + interaction_id)
    assert raw is not None
    return dict(json.loads(raw))


def test_agent_adds_a_note_as_author(
    client: Any, make_user: Any, customer: int, make_contact: Callable[..., str]
) -> None:
    """An agent's note on the customer they are serving is kept open, trimmed, authored by them."""
    agent = make_user("agent")
    make_contact(agent_id=agent["agent_id"], customer_id=customer)
    response = client.post(
        NOTES.format(customer), json={"body": "  Call back after 5pm.  "}, headers=agent["headers"]
    )
    assert response.status_code == 201, response.get_json()
    note = response.get_json()
    assert note["body"] == "Call back after 5pm."
    assert note["open"] is True
    assert note["author"].startswith("Agent")
    history = client.get(f"/api/v1/customers/{customer}/interactions", headers=agent["headers"])
    assert "Call back after 5pm." in [n["body"] for n in history.get_json()["notes"]]


def test_note_body_limits(
    client: Any, make_user: Any, customer: int, make_contact: Callable[..., str]
) -> None:
    """Blank, empty, over-2,000-character and unknown fields are refused with the field named."""
    agent = make_user("agent")
    make_contact(agent_id=agent["agent_id"], customer_id=customer)
    for body in ({"body": ""}, {"body": "   "}, {"body": "x" * 2001}, {}, {"body": "ok", "x": 1}):
        response = client.post(NOTES.format(customer), json=body, headers=agent["headers"])
        assert response.status_code == 422, body
        assert response.get_json()["error"]["code"] == "validation_error"
    exact = client.post(NOTES.format(customer), json={"body": "x" * 2000}, headers=agent["headers"])
    assert exact.status_code == 201


def test_note_access(client: Any, make_user: Any, customer: int) -> None:
    """Anonymous callers get 401, unknown or erased customers 404; supervisors may write too."""
    assert client.post(NOTES.format(customer), json={"body": "hi"}).status_code == 401
    supervisor = make_user("supervisor")
    ok = client.post(NOTES.format(customer), json={"body": "hi"}, headers=supervisor["headers"])
    assert ok.status_code == 201
    missing = client.post(NOTES.format(999_999), json={"body": "hi"}, headers=supervisor["headers"])
    assert missing.status_code == 404
    admin = make_user("admin")
    erased = client.post(
        f"/api/v1/customers/{customer}/erase", json={"reason": "asked"}, headers=admin["headers"]
    )
    assert erased.status_code == 204, erased.get_json()
    gone = client.post(NOTES.format(customer), json={"body": "hi"}, headers=supervisor["headers"])
    assert gone.status_code == 404


def test_note_refreshes_live_pops(
    client: Any, make_user: Any, runtime: Any, customer: int, make_contact: Callable[..., str]
) -> None:
    """A new note shows in the cached pop of the customer's contact in progress."""
    agent = make_user("agent")
    contact = make_contact(agent_id=agent["agent_id"], customer_id=customer)
    PopProvider(runtime.db, runtime.redis, "US").get(contact)
    client.post(NOTES.format(customer), json={"body": "VIP: be quick"}, headers=agent["headers"])
    assert "VIP: be quick" in [n["body"] for n in _cached_pop(runtime, contact)["notes"]]


def test_edit_refreshes_live_pops(
    client: Any, make_user: Any, runtime: Any, customer: int, make_contact: Callable[..., str]
) -> None:
    """Editing the customer rebuilds the cached pop of their contact in progress."""
    agent = make_user("agent")
    contact = make_contact(agent_id=agent["agent_id"], customer_id=customer)
    PopProvider(runtime.db, runtime.redis, "US").get(contact)
    response = client.patch(
        f"/api/v1/customers/{customer}", json={"first_name": "Augusta"}, headers=agent["headers"]
    )
    assert response.status_code == 200, response.get_json()
    assert _cached_pop(runtime, contact)["customer"]["name"].startswith("Augusta")


def test_submitted_task_has_its_pop_cached(runtime: Any, customer: int) -> None:
    """A task's pop is in the cache once its submission commits, before the router hears of it."""
    from contactcentre.interactions.opening import open_interaction
    from contactcentre.router.client import RoutingClient
    from contactcentre.router.streams import COMMANDS

    before = runtime.redis.xlen(COMMANDS)
    with runtime.db.session() as session:
        now = datetime.now(UTC)
        interaction = open_interaction(
            session, channel="voice", customer_id=customer, actor="api", at=now
        ).interaction
        RoutingClient(runtime.redis).submit(
            session, interaction, {"intent": "billing"}, priority=0, at=now
        )
        assert runtime.redis.get(POP + interaction.id) is None
        interaction_id = interaction.id
    assert _cached_pop(runtime, interaction_id)["customer"]["id"] == customer
    assert runtime.redis.xlen(COMMANDS) == before + 1
