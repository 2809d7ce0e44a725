"""Offers reach agents' sockets through the real path: router -> Redis queue -> web -> socket."""

from __future__ import annotations

from typing import Any

from contactcentre.realtime.rooms import AGENT_NS, SUPERVISOR_NS, agent_room
from tests.integration.customers.builders import add_customer
from tests.integration.realtime.live import Listener, browser, eventually


def _available(http: Any, base: str, agent_id: int) -> None:
    response = http.post(f"{base}/api/v1/agents/{agent_id}/state", json={"state": "available"})
    assert response.status_code == 202, response.text
    eventually(
        lambda: http.get(f"{base}/api/v1/agents/{agent_id}/state").json()["state"] == "available"
    )


def _customer(app: Any) -> int:
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        customer = add_customer(
            session,
            runtime.settings,
            first_name="Maria",
            last_name="Lopez",
            phones=[{"number": "+1 202 555 0142"}],
            language="es",
            average_purchase_value=300,
            purchases_per_year=10,
            relationship_years=5,
        )
        return customer.id


def _submit(http: Any, base: str, queue_id: int, customer_id: int | None = None) -> str:
    body: dict[str, Any] = {
        "channel": "voice",
        "queue_id": queue_id,
        "attributes": {"intent": "billing", "ivr_path": ["welcome", "main_menu", "billing"]},
    }
    if customer_id is not None:
        body["customer_id"] = customer_id
    response = http.post(f"{base}/api/v1/tasks", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["task_id"])


def test_offer_arrives_with_its_pop_before_accepting(
    app: Any, live_app: Any, live_router: Any, floor: Any
) -> None:
    """The offered agent's socket gets the offer numbered and with the caller's pop."""
    base = live_app.url
    expert = browser(base, floor["expert"]["email"], floor["expert"]["password"])
    supervisor_user = floor["admin"]
    boss = browser(base, supervisor_user["email"], supervisor_user["password"])
    agent_socket, board_socket = Listener(), Listener()
    agent_socket.connect(base, expert, AGENT_NS)
    board_socket.connect(base, boss, SUPERVISOR_NS)
    _available(expert, base, floor["expert"]["agent_id"])
    task_id = _submit(boss, base, floor["queue"]["id"], _customer(app))

    offer = eventually(lambda: agent_socket.of("offer_created"))[0]
    assert offer["room"] == agent_room(floor["expert"]["agent_id"])
    assert offer["seq"] > 0
    pop = offer["data"]["pop"]
    assert offer["data"]["task_id"] == task_id
    assert pop["customer"]["name"] == "Maria Lopez"
    assert pop["customer"]["segment"] == "platinum"
    assert pop["ivr"]["path"] == ["welcome", "main_menu", "billing"]
    assert pop["script"]["title"] == "Billing enquiry"
    supervised = eventually(lambda: board_socket.of("offer_created"))[0]
    assert "pop" not in supervised["data"]
    assert supervised["data"]["customer"]["name"] == "Maria Lopez"
    agent_socket.close()
    board_socket.close()


def test_sequence_numbers_rise_by_one_per_room(
    app: Any, live_app: Any, live_router: Any, floor: Any
) -> None:
    """Every event in an agent's room carries the next number, with no gaps."""
    base = live_app.url
    expert = browser(base, floor["expert"]["email"], floor["expert"]["password"])
    listener = Listener()
    listener.connect(base, expert, AGENT_NS)
    _available(expert, base, floor["expert"]["agent_id"])
    boss = browser(base, floor["admin"]["email"], floor["admin"]["password"])
    _submit(boss, base, floor["queue"]["id"])
    eventually(lambda: listener.of("offer_created"))
    room = agent_room(floor["expert"]["agent_id"])
    numbers = [e["seq"] for e in listener.events if e["room"] == room]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    listener.close()


def test_missed_offer_is_replayed_on_resume(
    app: Any, live_app: Any, live_router: Any, floor: Any
) -> None:
    """A client that was away sends its last number and receives the offer it missed."""
    base = live_app.url
    expert = browser(base, floor["expert"]["email"], floor["expert"]["password"])
    agent_id = floor["expert"]["agent_id"]
    _available(expert, base, agent_id)
    room = agent_room(agent_id)
    last_seen = expert.get(f"{base}/api/v1/agents/{agent_id}/desk").json()["seq"]
    boss = browser(base, floor["admin"]["email"], floor["admin"]["password"])
    task_id = _submit(boss, base, floor["queue"]["id"])  # while no socket is connected
    eventually(lambda: expert.get(f"{base}/api/v1/agents/{agent_id}/desk").json()["offers"])

    listener = Listener()
    listener.connect(base, expert, AGENT_NS)
    reply = listener.client.call(
        "resume", {"last_seq": {room: last_seen}}, namespace=AGENT_NS, timeout=5
    )
    replayed = reply["rooms"][room]
    assert replayed["complete"] is True
    offers = [e for e in replayed["events"] if e["event"] == "offer_created"]
    assert [o["data"]["task_id"] for o in offers] == [task_id]
    assert offers[0]["seq"] > last_seen
    listener.close()


def test_agent_on_one_web_process_gets_pops_triggered_on_another(
    app: Any, live_app: Any, second_web_process: Any, live_router: Any, floor: Any
) -> None:
    """With two web processes, the Redis message queue carries the offer across them."""
    expert_on_b = browser(
        second_web_process.url, floor["expert"]["email"], floor["expert"]["password"]
    )
    listener = Listener()
    listener.connect(second_web_process.url, expert_on_b, AGENT_NS)
    _available(expert_on_b, second_web_process.url, floor["expert"]["agent_id"])
    boss_on_a = browser(live_app.url, floor["admin"]["email"], floor["admin"]["password"])
    task_id = _submit(boss_on_a, live_app.url, floor["queue"]["id"], _customer(app))
    offer = eventually(lambda: listener.of("offer_created"))[0]
    assert offer["data"]["task_id"] == task_id
    assert offer["data"]["pop"]["customer"]["name"] == "Maria Lopez"
    listener.close()
