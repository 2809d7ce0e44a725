"""What the router is told about a task: the same attribute hygiene and customer defaults for
every channel and every way in (a call's IVR, a chat's pre-chat form, the REST API)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from contactcentre.auth.users import create_user
from contactcentre.interactions.opening import open_interaction
from contactcentre.router.client import RoutingClient
from contactcentre.router.streams import COMMANDS
from contactcentre.router.tasks import PRIVATE_ATTRIBUTES
from contactcentre.settings import Settings
from contactcentre.store.db import Database
from contactcentre.store.models import (
    Agent,
    ChatSite,
    Customer,
    CustomerEmail,
    CustomerPhone,
    Interaction,
)
from tests.builders import add_plan, add_queue
from tests.integration.realtime.live import eventually

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
AUTH_TOKEN = "task-submission-auth-token"
BASE_URL = "http://localhost"
PHONE = "+14155550123"
EMAIL = "grace@example.com"
SHOP = "https://shop.example.com"
# A Tuesday morning in New York: the default IVR flow's business hours are open.
OPEN_HOURS = datetime(2025, 3, 4, 10, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Webhooks signed with a known token over the test client's own URL, the IVR in hours."""
    return settings.model_copy(
        update={
            "twilio_auth_token": AUTH_TOKEN,
            "public_base_url": BASE_URL,
            "ivr_fixed_time": OPEN_HOURS,
        }
    )


def _commands(client: redis.Redis) -> list[dict[str, Any]]:
    return [json.loads(fields["event"]) for _, fields in client.xrange(COMMANDS)]


def _submitted(client: redis.Redis, task_id: str) -> list[dict[str, Any]]:
    """The TaskSubmitted commands appended for `task_id`."""
    return [
        c for c in _commands(client) if c["kind"] == "task_submitted" and c["task_id"] == task_id
    ]


def _usable(value: Any) -> bool:
    scalars = (str, int, float, bool)
    if isinstance(value, list):
        return all(isinstance(item, scalars) for item in value)
    return isinstance(value, scalars)


# -- the rule, on rows written directly ------------------------------------------------------


def _customer(db: Database, **values: Any) -> int:
    with db.session() as session:
        customer = Customer(first_name="Grace", **values)
        session.add(customer)
        session.flush()
        return customer.id


def _agent(db: Database) -> int:
    with db.session() as session:
        user = create_user(
            session,
            email=f"agent-{uuid.uuid4().hex[:8]}@example.com",
            name="Alan",
            password="correct horse battery",
        )
        agent = Agent(user_id=user.id, display_name=user.name, attributes={})
        session.add(agent)
        session.flush()
        return agent.id


def _submit(
    db: Database,
    client: redis.Redis,
    attributes: dict[str, Any],
    *,
    customer_id: int | None = None,
    agent_id: int | None = None,
    channel: str = "voice",
) -> dict[str, Any]:
    """Open an interaction, submit it, commit; the one TaskSubmitted that was sent."""
    with db.session() as session:
        interaction = open_interaction(
            session,
            channel=channel,
            customer_id=customer_id,
            agent_id=agent_id,
            attributes=attributes,
            actor="test",
            at=T0,
        ).interaction
        RoutingClient(client).submit(session, interaction, attributes, priority=3, at=T0)
        task_id = interaction.id
    [task] = _submitted(client, task_id)
    return task


def test_private_and_unusable_attributes_never_reach_the_router(
    database: Database, redis_client: redis.Redis
) -> None:
    """Private IVR attributes, None and structured values are dropped; scalars and lists of
    scalars (what a routing expression's `in` reads) are kept."""
    attributes = {
        "intent": "billing",
        "verified": True,
        "open_cases": 2,
        "score": 0.5,
        "tags": ["vip", "renewal"],
        "account_number": "12345678",
        "customer_name": "Grace",
        "caller": "+14155550123",
        "ivr_path": ["welcome", "main_menu"],
        "ivr_steps": [{"node": "welcome", "said": "Thank you"}],
        "order": {"number": "A-1"},
        "segment_note": None,
    }
    task = _submit(database, redis_client, attributes)
    assert task["attributes"] == {
        "intent": "billing",
        "verified": True,
        "open_cases": 2,
        "score": 0.5,
        "tags": ["vip", "renewal"],
    }
    assert (task["priority"], task["created_at"]) == (3, T0.timestamp())


def test_the_customer_fills_only_what_the_contact_did_not_say(
    database: Database, redis_client: redis.Redis
) -> None:
    """Segment and language default to the customer's; a language or segment the contact
    chose is kept; the task's customer_id is always the interaction's customer."""
    customer = _customer(database, segment="gold", language="de")
    defaulted = _submit(database, redis_client, {"intent": "sales"}, customer_id=customer)
    chosen = _submit(
        database,
        redis_client,
        {"language": "es", "segment": "vip", "customer_id": "someone else"},
        customer_id=customer,
    )
    assert defaulted["attributes"] == {
        "intent": "sales",
        "customer_id": customer,
        "segment": "gold",
        "language": "de",
    }
    assert chosen["attributes"] == {"language": "es", "segment": "vip", "customer_id": customer}
    # The boost follows the customer's segment, whatever the contact's attributes say.
    assert defaulted["value_boost"] == chosen["value_boost"] == 2


def test_no_customer_means_no_defaults(database: Database, redis_client: redis.Redis) -> None:
    """An unknown contact gets no segment, language or customer, no boost, no preferred agent."""
    task = _submit(database, redis_client, {"intent": "general"}, channel="chat")
    assert task["attributes"] == {"intent": "general"}
    assert (task["value_boost"], task["preferred_agent_id"]) == (0, None)
    assert task["channel"] == "chat"


def test_the_customers_last_agent_is_preferred_but_never_the_task_itself(
    database: Database, redis_client: redis.Redis
) -> None:
    """The agent of the customer's latest other interaction is preferred; a task that already
    names an agent (a resubmitted one) does not prefer itself."""
    customer = _customer(database)
    earlier, resubmitted = _agent(database), _agent(database)
    _submit(database, redis_client, {}, customer_id=customer, agent_id=earlier)
    with database.session() as session:
        interaction = open_interaction(
            session,
            channel="voice",
            customer_id=customer,
            agent_id=resubmitted,
            actor="test",
            at=T0,
        ).interaction
        RoutingClient(redis_client).submit(session, interaction, {}, priority=0, at=T0)
        task_id = interaction.id
    [task] = _submitted(redis_client, task_id)
    assert task["preferred_agent_id"] == str(earlier)


def test_a_submission_is_sent_only_when_its_transaction_commits(
    database: Database, redis_client: redis.Redis
) -> None:
    """Nothing reaches the router before the commit, and nothing at all after a rollback."""
    with database.session() as session:
        kept = open_interaction(session, channel="voice", actor="test", at=T0).interaction
        RoutingClient(redis_client).submit(session, kept, {}, priority=0, at=T0)
        assert _submitted(redis_client, kept.id) == []
    with pytest.raises(RuntimeError), database.session() as session:
        dropped = open_interaction(session, channel="voice", actor="test", at=T0).interaction
        RoutingClient(redis_client).submit(session, dropped, {}, priority=0, at=T0)
        dropped_id = dropped.id
        raise RuntimeError("the caller fails before committing")
    assert len(_submitted(redis_client, kept.id)) == 1
    assert _submitted(redis_client, dropped_id) == []


# -- the same rule through every way in --------------------------------------------------------


def _signed(client: FlaskClient, url: str, params: dict[str, str]) -> str:
    """POST a webhook as Twilio does (signed over the URL it requests); the TwiML."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(BASE_URL + path, params)
    response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def _gather_action(twiml: str) -> str:
    gather = ElementTree.fromstring(twiml).find(".//Gather")
    assert gather is not None, twiml
    return gather.attrib["action"]


def _by_call(app: Any, call_sid: str) -> str:
    with app.extensions["contactcentre"].db.session() as session:
        found = session.scalar(select(Interaction.id).where(Interaction.external_id == call_sid))
        assert found is not None
        return str(found)


def _through_the_ivr(app: Any, client: FlaskClient, floor: dict[str, Any]) -> str:
    """A call from the customer's number: Spanish (2), then technical support (2)."""
    call_sid = "CA" + uuid.uuid4().hex
    params = {
        "CallSid": call_sid,
        "AccountSid": "AC" + "1" * 32,
        "From": PHONE,
        "To": "+15005550006",
        "CallStatus": "ringing",
        "Direction": "inbound",
    }
    twiml = _signed(client, "/twilio/voice", params)
    for digits in ("2", "2"):
        answer = {**params, "CallStatus": "in-progress", "Digits": digits}
        twiml = _signed(client, _gather_action(twiml), answer)
    return _by_call(app, call_sid)


def _through_the_chat_widget(app: Any, client: FlaskClient, floor: dict[str, Any]) -> str:
    """The customer's pre-chat form (their email, Spanish) on a site without the bot."""
    response = client.post(
        "/chat/api/conversations",
        json={
            "widget_key": floor["site_key"],
            "name": "Grace",
            "email": EMAIL,
            "topic": "billing",
            "language": "es",
        },
        headers={"Origin": SHOP},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "queued", response.get_json()
    return str(response.get_json()["interaction_id"])


def _through_the_api(app: Any, client: FlaskClient, floor: dict[str, Any]) -> str:
    """A supervisor's POST /api/v1/tasks for a call, with private attributes in it."""
    response = client.post(
        "/api/v1/tasks",
        json={
            "channel": "voice",
            "customer_id": floor["customer_id"],
            "attributes": {"intent": "billing", "account_number": "12345678", "caller": PHONE},
        },
        headers=floor["supervisor"]["headers"],
    )
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["task_id"])


@pytest.fixture
def customer_floor(
    app: Any, client: FlaskClient, make_user: Callable[..., dict[str, Any]], running_router: Any
) -> dict[str, Any]:
    """A gold customer (German-speaking, with a phone and an email) whom an agent served
    before, a chat site, a plan for every task, and a signed-in agent who takes chats (so the
    chat is queued)."""
    runtime = app.extensions["contactcentre"]
    earlier, on_duty = make_user("agent"), make_user("agent")
    with runtime.db.session() as session:
        customer = Customer(first_name="Grace", segment="gold", language="de")
        customer.phones = [CustomerPhone(e164=PHONE, primary=True)]
        customer.emails = [CustomerEmail(address=EMAIL, primary=True)]
        site = ChatSite(
            name="Shop", widget_key="wk_submission", allowed_origins=[SHOP], bot_enabled=False
        )
        session.add_all([customer, site])
        session.flush()
        # A plan for every task: without one the router exits the chat at once ("message"),
        # and the widget would answer "leave a message" instead of "queued" when it is quick.
        add_plan(session, "Everything", add_queue(session, "Main"), preferred_agent_seconds=0)
        RoutingClient(runtime.redis).config_changed(session)
        open_interaction(
            session,
            channel="voice",
            customer_id=customer.id,
            agent_id=earlier["agent_id"],
            actor="test",
            at=T0,
        )
        customer_id, site_key = customer.id, site.widget_key
    state = f"/api/v1/agents/{on_duty['agent_id']}/state"
    client.post(state, json={"state": "available"}, headers=on_duty["headers"])
    eventually(
        lambda: client.get(state, headers=on_duty["headers"]).get_json()["state"] == "available"
    )
    return {
        "customer_id": customer_id,
        "earlier_agent_id": earlier["agent_id"],
        "site_key": site_key,
        "supervisor": make_user("supervisor"),
    }


@dataclass(frozen=True)
class WayIn:
    """A way a contact reaches routing, the private attributes its row carries, and the
    language its task must have (the contact's choice, else the customer's)."""

    submit: Callable[[Any, FlaskClient, dict[str, Any]], str]
    private_given: frozenset[str]
    language: str


@pytest.mark.parametrize(
    "way_in",
    [
        pytest.param(
            WayIn(_through_the_ivr, frozenset({"caller", "ivr_path", "customer_name"}), "es"),
            id="voice",
        ),
        pytest.param(WayIn(_through_the_chat_widget, frozenset(), "es"), id="chat"),
        pytest.param(
            WayIn(_through_the_api, frozenset({"account_number", "caller"}), "de"), id="api"
        ),
    ],
)
def test_every_way_in_submits_by_the_same_rule(
    app: Any, client: FlaskClient, customer_floor: dict[str, Any], way_in: WayIn
) -> None:
    """Whichever way a contact comes in, the router gets no private attribute and the same
    defaults: the customer, their segment and its boost, their last agent, and their language
    unless the contact chose one (the IVR's menu, the pre-chat form)."""
    runtime = app.extensions["contactcentre"]
    task_id = way_in.submit(app, client, customer_floor)
    with runtime.db.session() as session:
        row = session.get(Interaction, task_id)
        assert row is not None
        kept = set(row.attributes)  # the screen pop still reads them from the row
    assert way_in.private_given <= kept
    [task] = _submitted(runtime.redis, task_id)
    attributes = task["attributes"]
    assert PRIVATE_ATTRIBUTES.isdisjoint(attributes)
    assert all(_usable(value) for value in attributes.values()), attributes
    assert attributes["customer_id"] == customer_floor["customer_id"]
    assert attributes["segment"] == "gold"
    assert attributes["language"] == way_in.language
    assert task["value_boost"] == 2
    assert task["preferred_agent_id"] == str(customer_floor["earlier_agent_id"])
