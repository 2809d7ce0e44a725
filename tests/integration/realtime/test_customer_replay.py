"""The screen pops in a replayed agent room follow cti.access: an old offer's pop is shown only
while its customer is one the agent may see (real sockets, real Redis and database)."""

from __future__ import annotations

import uuid
from typing import Any

from contactcentre.realtime.desk import TASK_AGENT, Desk
from contactcentre.realtime.emitter import emitter_for
from contactcentre.realtime.rooms import AGENT_NS, agent_room
from contactcentre.realtime.sequence import SequencedLog
from tests.integration.customers.builders import add_customer
from tests.integration.realtime.live import Listener, browser


def _offer_with_pop(app: Any, agent_id: int, customer_id: int | None) -> dict[str, Any]:
    """An offer of a new contact to the agent: on their desk and in their room's log."""
    runtime = app.extensions["contactcentre"]
    task_id = str(uuid.uuid4())
    customer = {"id": customer_id, "name": "Maria Lopez"} if customer_id else None
    pop = {"interaction_id": task_id, "customer": customer, "caller": {"number": "+12025550142"}}
    offer = {"agent_id": agent_id, "reservation_id": f"r-{task_id}", "task_id": task_id, "pop": pop}
    pipe = runtime.redis.pipeline()
    Desk(runtime.redis).offer(pipe, offer)
    pipe.execute()
    emitter_for(runtime).emit(agent_room(agent_id), "offer_created", offer)
    return offer


def _close(app: Any, offer: dict[str, Any]) -> None:
    runtime = app.extensions["contactcentre"]
    pipe = runtime.redis.pipeline()
    Desk(runtime.redis).offer_closed(pipe, str(offer["agent_id"]), offer["reservation_id"])
    pipe.execute()


def _customer(app: Any) -> int:
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        return add_customer(session, runtime.settings, first_name="Maria", last_name="Lopez").id


def _replayed_pops(listener: Listener, room: str, after: int) -> list[Any]:
    reply = listener.client.call(
        "resume", {"last_seq": {room: after}}, namespace=AGENT_NS, timeout=5
    )
    return [e["data"]["pop"] for e in reply["rooms"][room]["events"]]


def test_replay_withholds_pops_of_customers_no_longer_served(
    app: Any, live_app: Any, floor: Any
) -> None:
    """A replay keeps a ringing offer's pop, withholds it once the offer is gone, and shows it
    again once the agent's own search found the customer."""
    expert = floor["expert"]
    http = browser(live_app.url, expert["email"], expert["password"])
    room = agent_room(expert["agent_id"])
    before = SequencedLog(app.extensions["contactcentre"].redis).current(room)
    customer_id = _customer(app)
    offer = _offer_with_pop(app, expert["agent_id"], customer_id)
    listener = Listener()
    listener.connect(live_app.url, http, AGENT_NS)

    assert [p["customer"]["id"] for p in _replayed_pops(listener, room, before)] == [customer_id]
    _close(app, offer)
    assert _replayed_pops(listener, room, before) == [None]
    found = http.get(f"{live_app.url}/api/v1/customers", params={"q": "Lopez"})
    assert [c["id"] for c in found.json()["items"]] == [customer_id]
    assert [p["customer"]["id"] for p in _replayed_pops(listener, room, before)] == [customer_id]
    listener.close()


def test_replay_withholds_an_unknown_callers_pop_once_the_contact_is_not_theirs(
    app: Any, live_app: Any, floor: Any
) -> None:
    """A pop without a customer record follows the contact's rule: shown while the contact is
    the agent's, withheld once the desk and SQL no longer tie it to them."""
    expert = floor["expert"]
    runtime = app.extensions["contactcentre"]
    http = browser(live_app.url, expert["email"], expert["password"])
    room = agent_room(expert["agent_id"])
    before = SequencedLog(runtime.redis).current(room)
    offer = _offer_with_pop(app, expert["agent_id"], None)
    listener = Listener()
    listener.connect(live_app.url, http, AGENT_NS)
    assert _replayed_pops(listener, room, before)[0]["caller"]["number"] == "+12025550142"
    runtime.redis.delete(TASK_AGENT + offer["task_id"])  # re-offered elsewhere and expired
    assert _replayed_pops(listener, room, before) == [None]
    listener.close()


def test_supervisor_replay_keeps_every_pop(app: Any, live_app: Any, floor: Any) -> None:
    """A supervisor following an agent's room sees the pops of offers that stopped ringing."""
    expert, boss = floor["expert"], floor["admin"]
    room = agent_room(expert["agent_id"])
    before = SequencedLog(app.extensions["contactcentre"].redis).current(room)
    customer_id = _customer(app)
    _close(app, _offer_with_pop(app, expert["agent_id"], customer_id))
    listener = Listener()
    listener.connect(live_app.url, browser(live_app.url, boss["email"], boss["password"]), AGENT_NS)
    assert [p["customer"]["id"] for p in _replayed_pops(listener, room, before)] == [customer_id]
    listener.close()
