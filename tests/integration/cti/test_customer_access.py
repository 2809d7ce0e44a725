"""Who sees which customer over HTTP (cti.access.may_see_customer): every endpoint that returns or
changes a customer's record, for agents serving, having served, having found and not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contactcentre.cti.found import FOUND, FoundCustomers
from contactcentre.realtime.desk import Desk
from tests.integration.customers.builders import add_customer

Call = Callable[[Any, dict[str, str], int], Any]


def _get(client: Any, headers: dict[str, str], cid: int) -> Any:
    return client.get(f"/api/v1/customers/{cid}", headers=headers)


def _history(client: Any, headers: dict[str, str], cid: int) -> Any:
    return client.get(f"/api/v1/customers/{cid}/interactions", headers=headers)


def _note(client: Any, headers: dict[str, str], cid: int) -> Any:
    return client.post(f"/api/v1/customers/{cid}/notes", json={"body": "hi"}, headers=headers)


def _patch(client: Any, headers: dict[str, str], cid: int) -> Any:
    return client.patch(f"/api/v1/customers/{cid}", json={"language": "fr"}, headers=headers)


def _dial(client: Any, headers: dict[str, str], cid: int) -> Any:
    return client.post("/api/v1/calls", json={"customer_id": cid}, headers=headers)


# What each endpoint answers once the check lets the caller through. The customer has no phone,
# so an allowed click-to-dial stops at "no phone number" (422) before any telephony.
ENDPOINTS: dict[str, tuple[Call, int]] = {
    "record": (_get, 200),
    "history": (_history, 200),
    "note": (_note, 201),
    "edit": (_patch, 200),
    "click-to-dial": (_dial, 422),
}
endpoints = pytest.mark.parametrize("endpoint", list(ENDPOINTS))


@pytest.fixture
def grace(runtime: Any) -> int:
    """A customer with an email but no phone number."""
    with runtime.db.session() as session:
        row = add_customer(
            session,
            runtime.settings,
            first_name="Grace",
            last_name="Hopper",
            emails=[{"address": "grace.hopper@example.com"}],
        )
        return row.id


def _allowed(client: Any, endpoint: str, user: dict[str, Any], cid: int) -> None:
    call, status = ENDPOINTS[endpoint]
    response = call(client, user["headers"], cid)
    assert response.status_code == status, response.get_json()
    if endpoint == "click-to-dial":
        assert "no phone number" in response.get_json()["error"]["message"]


def _refused(client: Any, endpoint: str, user: dict[str, Any], cid: int) -> None:
    call, _status = ENDPOINTS[endpoint]
    response = call(client, user["headers"], cid)
    assert response.status_code == 403, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "forbidden"
    assert error["field"] == "customer_id"
    assert "search for them first" in error["message"]


def _search(client: Any, user: dict[str, Any], q: str = "Hopper") -> list[dict[str, Any]]:
    response = client.get("/api/v1/customers", query_string={"q": q}, headers=user["headers"])
    assert response.status_code == 200, response.get_json()
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items


@endpoints
def test_agent_not_serving_is_refused(
    client: Any, make_user: Any, grace: int, endpoint: str
) -> None:
    """An agent with no contact, past contact or search of the customer gets 403 customer_id."""
    _refused(client, endpoint, make_user("agent"), grace)


@endpoints
def test_assigned_agent_is_allowed(
    client: Any, make_user: Any, grace: int, make_contact: Any, endpoint: str
) -> None:
    """The agent holding a contact with the customer may see and change their record."""
    agent = make_user("agent")
    make_contact(agent_id=agent["agent_id"], customer_id=grace)
    _allowed(client, endpoint, agent, grace)


@endpoints
def test_offered_agent_is_allowed_from_the_pop(
    runtime: Any, client: Any, make_user: Any, grace: int, *, make_contact: Any, endpoint: str
) -> None:
    """An offer ringing for the agent opens the customer its pop shows, before SQL links them."""
    agent = make_user("agent")
    contact = make_contact(status="queued", desk_status=None)  # no customer_id in SQL
    pop = {"interaction_id": contact, "customer": {"id": grace, "name": "Grace Hopper"}}
    offer = {"agent_id": agent["agent_id"], "reservation_id": "r1", "task_id": contact, "pop": pop}
    pipe = runtime.redis.pipeline()
    Desk(runtime.redis).offer(pipe, offer)
    pipe.execute()
    _allowed(client, endpoint, agent, grace)


def test_rescinded_offer_no_longer_opens_the_customer(
    runtime: Any, client: Any, make_user: Any, grace: int, make_contact: Any
) -> None:
    """Once the offer stops ringing (taken elsewhere, timed out), its customer is refused again."""
    agent = make_user("agent")
    contact = make_contact(customer_id=grace, status="queued", desk_status=None)
    desk = Desk(runtime.redis)
    pipe = runtime.redis.pipeline()
    desk.offer(pipe, {"agent_id": agent["agent_id"], "reservation_id": "r1", "task_id": contact})
    pipe.execute()
    _allowed(client, "record", agent, grace)
    pipe = runtime.redis.pipeline()
    desk.offer_closed(pipe, str(agent["agent_id"]), "r1")
    pipe.execute()
    _refused(client, "record", agent, grace)


@endpoints
def test_agents_search_opens_what_it_returned(
    client: Any, make_user: Any, grace: int, endpoint: str
) -> None:
    """After the agent's own search returned the customer, the record opens for them."""
    agent = make_user("agent")
    assert [c["id"] for c in _search(client, agent)] == [grace]
    _allowed(client, endpoint, agent, grace)


@endpoints
def test_another_agents_search_does_not_grant(
    client: Any, make_user: Any, grace: int, endpoint: str
) -> None:
    """A colleague's search opens the record for the colleague only."""
    searcher, other = make_user("agent"), make_user("agent")
    _search(client, searcher)
    _refused(client, endpoint, other, grace)


@endpoints
def test_expired_search_grant_is_refused(
    runtime: Any, client: Any, make_user: Any, grace: int, endpoint: str
) -> None:
    """When the agent's search grant expires, the record is refused until they search again."""
    agent = make_user("agent")
    _search(client, agent)
    runtime.redis.expire(FOUND + str(agent["id"]), 0)  # the grant's time is up
    _refused(client, endpoint, agent, grace)
    _search(client, agent)
    _allowed(client, endpoint, agent, grace)


def test_each_found_id_expires_on_its_own(runtime: Any) -> None:
    """A later search never extends what an earlier one found: each id keeps its own end."""
    now = [1_000.0]
    found = FoundCustomers(runtime.redis, clock=lambda: now[0])
    found.remember(987_654, [1], ttl_seconds=60)
    now[0] += 50
    found.remember(987_654, [2], ttl_seconds=60)
    now[0] += 20
    assert not found.holds(987_654, 1)
    assert found.holds(987_654, 2)
    assert runtime.redis.ttl(FOUND + "987654") > 0  # the set itself goes away too


def test_search_grant_lasts_the_configured_time(
    runtime: Any, client: Any, make_user: Any, grace: int
) -> None:
    """The grant's length is settings.customer_search_grant_seconds (a shift by default)."""
    agent = make_user("agent")
    _search(client, agent)
    ttl = runtime.redis.ttl(FOUND + str(agent["id"]))
    assert 0 < ttl <= runtime.settings.customer_search_grant_seconds == 8 * 3600


@endpoints
@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_see_everyone(
    client: Any, make_user: Any, grace: int, endpoint: str, role: str
) -> None:
    """Supervisors and admins see and change every customer without searching."""
    boss = make_user(role, agent=True)  # an agent profile too, so click-to-dial may place calls
    _allowed(client, endpoint, boss, grace)


@endpoints
def test_agent_reopens_a_customer_they_served_within_the_window(
    client: Any, make_user: Any, grace: int, make_contact: Any, endpoint: str
) -> None:
    """A customer the agent served 29 days ago opens again (e.g. to call back)."""
    agent = make_user("agent")
    make_contact(
        agent_id=agent["agent_id"],
        customer_id=grace,
        status="completed",
        desk_status=None,
        created_at=datetime.now(UTC) - timedelta(days=29),
    )
    _allowed(client, endpoint, agent, grace)


def test_served_long_ago_is_refused(
    client: Any, make_user: Any, grace: int, make_contact: Any
) -> None:
    """Past settings.customer_reopen_days (30) the agent must search for the customer again."""
    agent = make_user("agent")
    make_contact(
        agent_id=agent["agent_id"],
        customer_id=grace,
        status="completed",
        desk_status=None,
        created_at=datetime.now(UTC) - timedelta(days=31),
    )
    _refused(client, "record", agent, grace)


@endpoints
def test_unknown_customer_is_404_for_agents(client: Any, make_user: Any, endpoint: str) -> None:
    """An id nobody holds is 404 (422 for click-to-dial's body field), never 403."""
    call, _status = ENDPOINTS[endpoint]
    response = call(client, make_user("agent")["headers"], 999_999)
    assert response.status_code == (422 if endpoint == "click-to-dial" else 404)


def test_agents_search_lists_masked_matches(client: Any, make_user: Any, customer: int) -> None:
    """An agent's search list shows name, segment and masked contact points; supervisors get
    the full record."""
    match = _search(client, make_user("agent"), "Byron")[0]
    assert match == {
        "id": customer,
        "display_name": "Ada Byron",
        "first_name": "Ada",
        "last_name": "Byron",
        "segment": "gold",
        "phone": "•••0177",
        "email": None,
    }
    full = _search(client, make_user("supervisor"), "Byron")[0]
    assert full["phones"][0]["e164"] == "+12025550177"


def test_agent_links_a_customer_they_created_but_no_other(
    client: Any, make_user: Any, make_contact: Any, customer: int
) -> None:
    """The customer an agent just created may be linked to their call; someone else may not."""
    agent = make_user("agent")
    contact = make_contact(agent_id=agent["agent_id"])
    created = client.post(
        "/api/v1/customers", json={"first_name": "Lin"}, headers=agent["headers"]
    ).get_json()
    url = f"/api/v1/interactions/{contact}/customer"
    stranger = client.post(url, json={"customer_id": customer}, headers=agent["headers"])
    assert stranger.status_code == 403
    assert stranger.get_json()["error"]["field"] == "customer_id"
    linked = client.post(url, json={"customer_id": created["id"]}, headers=agent["headers"])
    assert linked.status_code == 200, linked.get_json()
    assert linked.get_json()["pop"]["customer"]["id"] == created["id"]


def test_export_and_erasure_stay_with_supervisors_and_admins(
    client: Any, make_user: Any, grace: int, make_contact: Any
) -> None:
    """Even the agent serving the customer cannot export or erase them."""
    agent = make_user("agent")
    make_contact(agent_id=agent["agent_id"], customer_id=grace)
    h = agent["headers"]
    assert client.get(f"/api/v1/customers/{grace}/export", headers=h).status_code == 403
    erase = client.post(f"/api/v1/customers/{grace}/erase", json={"reason": "asked"}, headers=h)
    assert erase.status_code == 403
    assert client.get("/api/v1/customers", headers=h).status_code == 400  # no list of everyone
