"""The chat bot runtime (contactcentre/chat/bot.py) on the real app: the flow in
config/chat/bot.yaml over SQL customers and orders, its state in Redis between turns."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from contactcentre.chat.bot import STATE, BotTurn, ChatBot
from contactcentre.store.models import Customer, CustomerEmail, Order


def _customer(session: Any, first: str, email: str, balance: str, orders: dict[str, str]) -> int:
    customer = Customer(
        first_name=first,
        last_name="Tester",
        account_number=None,
        account_balance=Decimal(balance),
        segment="gold",
    )
    customer.emails = [CustomerEmail(address=email, primary=True)]
    session.add(customer)
    session.flush()
    for day, (number, status) in enumerate(orders.items(), start=1):
        session.add(
            Order(
                order_number=number,
                customer_id=customer.id,
                status=status,
                placed_at=datetime(2026, 11, day, 12, tzinfo=UTC),
                total=Decimal("19.99"),
            )
        )
    return customer.id


@pytest.fixture
def people(app: Any) -> dict[str, int]:
    """Grace owns 4000011 and 4000012; Linus owns 4000021."""
    with app.extensions["contactcentre"].db.session() as session:
        grace = _customer(
            session,
            "Grace",
            "grace@example.com",
            "42.50",
            {"4000011": "delivered", "4000012": "shipped on 20 Nov, arriving Tuesday"},
        )
        linus = _customer(session, "Linus", "linus@example.com", "7.00", {"4000021": "processing"})
        session.commit()
    return {"grace": grace, "linus": linus}


@pytest.fixture
def bot(app: Any) -> ChatBot:
    return ChatBot(app.extensions["contactcentre"])


def _start(bot: ChatBot, conversation: str, **overrides: Any) -> BotTurn:
    visitor: dict[str, Any] = {
        "language": "en",
        "visitor_name": "Ann",
        "visitor_email": None,
        "customer_id": None,
        "topic": None,
    }
    return bot.start(conversation, **{**visitor, **overrides})


def _texts(turn: BotTurn) -> str:
    return " | ".join(m.text for m in turn.messages)


def test_the_greeting_uses_the_visitors_name_and_the_menu_has_quick_replies(bot: ChatBot) -> None:
    """The first turn greets by the pre-chat name and offers the menu's choices as buttons."""
    turn = _start(bot, "c-greet")
    assert turn.messages[0].text == "Hi Ann, I'm the Acme assistant."
    assert [r.value for r in turn.messages[-1].quick_replies] == ["1", "2", "3"]
    assert "Order status" in turn.messages[-1].quick_replies[0].label
    assert (turn.handover, turn.ended, turn.leave_message) == (None, False, False)
    assert bot.active("c-greet")


def test_an_identified_customer_reads_their_own_orders_status(
    bot: ChatBot, people: dict[str, int]
) -> None:
    """A visitor identified by the pre-chat email types their order number and hears its status."""
    _start(bot, "c-own", customer_id=people["grace"], visitor_email="grace@example.com")
    assert "order number" in _texts(bot.reply("c-own", "1"))
    turn = bot.reply("c-own", "4000012")
    assert "shipped on 20 Nov, arriving Tuesday" in _texts(turn)


def test_someone_elses_order_is_refused_like_a_missing_one(
    bot: ChatBot, people: dict[str, int]
) -> None:
    """Grace asking for Linus's order gets the same answer as for a number that does not exist."""
    _start(bot, "c-other", customer_id=people["grace"])
    bot.reply("c-other", "1")
    theirs = bot.reply("c-other", "4000021")
    assert "processing" not in _texts(theirs)
    bot.reply("c-other", "try again")
    missing = bot.reply("c-other", "4999999")
    assert _texts(theirs) == _texts(missing)
    assert _texts(missing).startswith("Sorry, I could not find that order")


def test_a_stranger_needs_the_accounts_email_and_is_stopped_after_three_misses(
    bot: ChatBot, people: dict[str, int]
) -> None:
    """Unknown visitors must give the order account's email; guessing hands over after 3 misses."""
    _start(bot, "c-stranger", visitor_email="eve@example.com")
    bot.reply("c-stranger", "1")
    assert "email address on your account" in _texts(bot.reply("c-stranger", "4000021"))
    assert "processing" not in _texts(bot.reply("c-stranger", "eve@example.com"))
    for number in ("4000011", "4000012"):
        bot.reply("c-stranger", "try again")
        bot.reply("c-stranger", number)
        turn = bot.reply("c-stranger", "grace@example.org")
    assert "arriving" not in _texts(turn)
    assert turn.handover is not None and turn.handover["intent"] == "orders"
    assert not bot.active("c-stranger")


def test_a_stranger_with_the_right_email_reads_the_order(
    bot: ChatBot, people: dict[str, int]
) -> None:
    """An unknown visitor who types an email on the order's account hears its status."""
    _start(bot, "c-email")
    bot.reply("c-email", "order status")
    bot.reply("c-email", "4000021")
    assert "processing" in _texts(bot.reply("c-email", "Linus@Example.com"))


def test_an_identified_customer_gets_balance_and_last_order_from_the_record(
    bot: ChatBot, people: dict[str, int]
) -> None:
    """ "My account balance" answers from the customer record: balance, then the latest order."""
    _start(bot, "c-balance", customer_id=people["grace"])
    text = _texts(bot.reply("c-balance", "2"))
    assert "Your current balance is 42.50 USD." in text
    assert "Your last order, number 4000012, is shipped on 20 Nov, arriving Tuesday." in text


def test_the_hand_over_carries_intent_order_number_customer_and_language(
    bot: ChatBot, people: dict[str, int]
) -> None:
    """Talking to a person after an order question hands over what the bot collected."""
    _start(bot, "c-handover", customer_id=people["grace"])
    bot.reply("c-handover", "1")
    bot.reply("c-handover", "4000012")
    bot.reply("c-handover", "1")  # "something else"
    turn = bot.reply("c-handover", "3")  # "talk to a person"
    assert turn.handover == {
        "intent": "orders",
        "topic": "orders",
        "language": "en",
        "customer_id": str(people["grace"]),
        "segment": "gold",
        "known": True,
        "order_number": "4000012",
    }
    assert "passing you to one of our team" in _texts(turn)
    assert not bot.active("c-handover")


@pytest.mark.parametrize("typed", ["agent", "Human please", "a real person"])
def test_asking_for_a_person_hands_over_at_any_question(
    bot: ChatBot, people: dict[str, int], typed: str
) -> None:
    """ "agent" or "human" hands over even while the bot waits for an order number or email."""
    _start(bot, "c-anytime", topic="sales")
    bot.reply("c-anytime", "1")
    bot.reply("c-anytime", "4000021")  # now asking for the account's email
    turn = bot.reply("c-anytime", typed)
    assert turn.handover is not None
    assert (turn.handover["intent"], turn.handover["order_number"]) == ("orders", "4000021")
    assert not bot.active("c-anytime")


def test_spanish_visitors_are_answered_in_spanish(bot: ChatBot, people: dict[str, int]) -> None:
    """The pre-chat language picks the Spanish prompts, buttons and hand-over language."""
    turn = _start(bot, "c-es", language="es", visitor_name="Ana", customer_id=people["linus"])
    assert turn.messages[0].text == "Hola Ana, soy el asistente de Acme."
    assert "Estado del pedido" in turn.messages[-1].quick_replies[0].label
    bot.reply("c-es", "pedido")
    assert "processing" in _texts(bot.reply("c-es", "4000021"))
    handover = bot.reply("c-es", "agente").handover
    assert handover is not None and handover["language"] == "es"


def test_an_expired_or_unknown_session_hands_over_instead_of_failing(
    app: Any, bot: ChatBot
) -> None:
    """With the bot's state gone, the next message goes to a person; reply never raises."""
    _start(bot, "c-expired")
    assert app.extensions["contactcentre"].redis.ttl(STATE + "c-expired") > 0
    app.extensions["contactcentre"].redis.delete(STATE + "c-expired")
    turn = bot.reply("c-expired", "1")
    assert turn.handover == {"intent": "general"} and turn.messages == []
    assert bot.reply("never-started", "hello").handover is not None


def test_a_corrupt_session_hands_over_with_what_it_holds(app: Any, bot: ChatBot) -> None:
    """A state the engine cannot read is dropped and the chat handed over, not an error."""
    _start(bot, "c-corrupt", topic="billing")
    app.extensions["contactcentre"].redis.set(
        STATE + "c-corrupt", '{"state": {"attributes": {"topic": "billing"}}}'
    )
    turn = bot.reply("c-corrupt", "1")
    assert turn.handover == {"intent": "billing", "topic": "billing"}
    assert not bot.active("c-corrupt")


def test_goodbye_after_an_answer_ends_the_conversation(
    bot: ChatBot, people: dict[str, int]
) -> None:
    """Saying no more after a self-service answer closes the chat without a hand-over."""
    _start(bot, "c-bye", customer_id=people["grace"])
    bot.reply("c-bye", "2")
    turn = bot.reply("c-bye", "no, thanks")
    assert (turn.ended, turn.handover) == (True, None)
    assert "Goodbye" in _texts(turn)


def test_an_email_that_names_a_person_is_not_a_request_for_one(
    bot: ChatBot, people: dict[str, int]
) -> None:
    """At the email question, "person@..." is an answer, not a request for an agent."""
    _start(bot, "c-person-email")
    bot.reply("c-person-email", "1")
    bot.reply("c-person-email", "4000021")
    turn = bot.reply("c-person-email", "agent.person@example.com")
    assert turn.handover is None
    assert _texts(turn).startswith("Sorry, I could not find that order")


def test_an_erased_customers_orders_are_never_read_out(
    app: Any, bot: ChatBot, people: dict[str, int]
) -> None:
    """Orders of a customer erased for privacy are not found, even with the right email."""
    with app.extensions["contactcentre"].db.session() as session:
        linus = session.get(Customer, people["linus"])
        assert linus is not None
        linus.erased_at = datetime.now(UTC)
        session.commit()
    _start(bot, "c-erased")
    bot.reply("c-erased", "1")
    bot.reply("c-erased", "4000021")
    assert "processing" not in _texts(bot.reply("c-erased", "linus@example.com"))
