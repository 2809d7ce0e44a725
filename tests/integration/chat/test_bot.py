"""The chat bot front: the IVR flow engine with the text renderer greets, offers a menu as
quick replies, answers from the customer record, and hands over with what it learnt."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from contactcentre.store.models import ChatConversation, Customer, CustomerEmail, Interaction
from tests.integration.chat.agents import available
from tests.integration.realtime.live import eventually

pytestmark = pytest.mark.usefixtures("validated_responses")


def _bodies(customer: Any) -> list[str]:
    return [m["body"] for m in customer.messages()]


@pytest.fixture
def known_customer(app: Any) -> int:
    with app.extensions["contactcentre"].db.session() as session:
        customer = Customer(
            first_name="Grace",
            last_name="Hopper",
            account_number="12345678",
            account_balance=Decimal("42.50"),
            last_order_status="shipped, arriving Tuesday",
            segment="gold",
        )
        customer.emails = [CustomerEmail(address="grace@example.com", primary=True)]
        session.add(customer)
        session.commit()
        return customer.id


def test_greeting_by_name_and_a_menu_of_quick_replies(
    live: Any, make_site: Any, customers: Any
) -> None:
    """The bot greets the visitor by the name they typed and offers the menu as buttons."""
    site = make_site(bot_enabled=True)
    ann = customers()
    assert ann.start(site.widget_key).status_code == 201
    first = ann.started["messages"]
    assert first[0]["author"]["kind"] == "bot"
    assert "Ann Visitor" in first[0]["body"]
    menu = next(m for m in first if m["quick_replies"])
    assert [q["value"] for q in menu["quick_replies"]] == ["1", "2", "3"]
    assert ann.started["status"] == "bot"


def test_an_identified_customer_gets_their_balance_and_last_order(
    live: Any, make_site: Any, customers: Any, known_customer: int
) -> None:
    """A visitor whose email matches a customer is answered from their record."""
    site = make_site(bot_enabled=True)
    grace = customers()
    grace.start(site.widget_key, name="Grace", email="grace@example.com")
    grace.connect()
    assert grace.say("2")["ok"]
    eventually(lambda: any("42.50" in b for b in _bodies(grace)))
    assert grace.say("something else")["ok"]
    assert grace.say("order status")["ok"]
    eventually(lambda: any("arriving Tuesday" in b for b in _bodies(grace)))


def test_an_unknown_visitor_must_give_a_valid_account_number(
    live: Any, make_site: Any, customers: Any, known_customer: int
) -> None:
    """Strangers get account data only after typing the account number; a wrong one is refused."""
    site = make_site(bot_enabled=True)
    eve = customers()
    eve.start(site.widget_key, name="Eve", email="eve@example.com")
    eve.connect()
    eve.say("2")
    eventually(lambda: any("account number" in b for b in _bodies(eve)))
    eve.say("99999999")
    eventually(lambda: any("does not match" in b for b in _bodies(eve)))
    assert not any("arriving Tuesday" in b for b in _bodies(eve))
    eve.say("12345678")
    eventually(lambda: any("arriving Tuesday" in b for b in _bodies(eve)))


@pytest.mark.usefixtures("live_router")
def test_asking_for_a_person_hands_over_with_the_collected_attributes(
    live: Any, chat_floor: Any, make_site: Any, customers: Any, known_customer: int
) -> None:
    """Typing "agent" at any point queues the chat with intent, language and the customer."""
    site = make_site(bot_enabled=True, queue_id=chat_floor["queue"]["id"])
    available(live.url, chat_floor["agent"])
    grace = customers()
    grace.start(site.widget_key, name="Grace", email="grace@example.com", topic="billing")
    grace.connect()
    grace.say("agent")
    eventually(lambda: any(s.get("status") == "queued" for s in grace.of("status")))
    with live.app.extensions["contactcentre"].db.session() as session:
        conversation = session.get(ChatConversation, grace.conversation_id)
        assert conversation is not None and conversation.status in ("queued", "active")
        interaction = session.get(Interaction, conversation.interaction_id)
        assert interaction is not None
        assert interaction.attributes["intent"] == "billing"
        assert interaction.customer_id == known_customer
        assert str(interaction.attributes["customer_id"]) == str(known_customer)


def test_spanish_visitors_are_answered_in_spanish(
    live: Any, make_site: Any, customers: Any
) -> None:
    """The pre-chat language picks the flow's Spanish prompts."""
    site = make_site(bot_enabled=True)
    ana = customers()
    ana.start(site.widget_key, name="Ana", language="es")
    assert "Hola Ana" in ana.started["messages"][0]["body"]


def test_an_expired_bot_session_hands_over(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """If the bot's state is gone, the next message goes to a person instead of failing."""
    site = make_site(bot_enabled=True)
    ann = customers()
    ann.start(site.widget_key)
    app.extensions["contactcentre"].redis.delete(f"cc:chat:bot:{ann.conversation_id}")
    ann.connect()
    assert ann.say("hello?")["ok"]
    eventually(
        lambda: any(s.get("leave_message") or s.get("status") == "queued" for s in ann.of("status"))
    )


@pytest.mark.usefixtures("live_router")
def test_a_visitor_the_bot_verified_reaches_the_agent_as_that_customer(
    live: Any, chat_floor: Any, make_site: Any, customers: Any, known_customer: int
) -> None:
    """After the bot verified the account number, the chat's customer is that record, so the
    agent's pop shows them instead of "Unknown caller"."""
    site = make_site(bot_enabled=True, queue_id=chat_floor["queue"]["id"])
    available(live.url, chat_floor["agent"])
    eve = customers()
    eve.start(site.widget_key, name="Eve", email="eve@example.com")
    eve.connect()
    eve.say("2")
    eventually(lambda: any("account number" in b for b in _bodies(eve)))
    eve.say("12345678")
    eventually(lambda: any("arriving Tuesday" in b for b in _bodies(eve)))
    eve.say("agent")
    eventually(lambda: any(s.get("status") in ("queued", "active") for s in eve.of("status")))
    with live.app.extensions["contactcentre"].db.session() as session:
        conversation = session.get(ChatConversation, eve.conversation_id)
        assert conversation is not None
        interaction = session.get(Interaction, conversation.interaction_id)
        assert interaction is not None
        assert interaction.customer_id == known_customer
