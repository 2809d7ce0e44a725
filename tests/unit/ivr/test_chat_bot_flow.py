"""The chat bot's flow (config/chat/bot.yaml) walked through the engine with the text renderer
and in-memory ports: greeting, menu buttons, order status, the account, hand-over, Spanish."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ivr import Enqueue, FlowEngine, SessionInputs, Step, load_flow
from ivr.text import ChatMessage, parse_chat_reply, render_chat

from .fakes import OPEN_TIME, gold, make_ports

BOT_FLOW = Path(__file__).parents[3] / "config" / "chat" / "bot.yaml"


def _start(language: str = "en", *, identified: bool = False, name: str = "Ann") -> Any:
    engine = FlowEngine(load_flow(BOT_FLOW), make_ports()[0])
    attributes: dict[str, Any] = {"topic": "general", "known": False}
    if identified:
        attributes.update(gold().attributes())
    attributes["customer_name"] = name
    inputs = SessionInputs("", OPEN_TIME, channel="chat", language=language, attributes=attributes)
    return engine, engine.start(inputs)


def _type(engine: FlowEngine, step: Step, *texts: str) -> Step:
    for text in texts:
        step = engine.advance(step.state, parse_chat_reply(text, step.gather), OPEN_TIME)
    return step


def _texts(step: Step) -> list[str]:
    return [m.text for m in render_chat(step)]


def _buttons(step: Step) -> list[tuple[str, str]]:
    last: ChatMessage = render_chat(step)[-1]
    return [(r.label, r.value) for r in last.quick_replies]


def test_the_bot_greets_by_name_and_offers_the_menu_as_quick_replies() -> None:
    """The greeting uses the visitor's name and the menu's choices become buttons."""
    _, step = _start()
    assert _texts(step)[0] == "Hi Ann, I'm the Acme assistant."
    assert _buttons(step) == [
        ("1 · Order status", "1"),
        ("2 · My account balance", "2"),
        ("3 · Talk to a person", "3"),
    ]


def test_a_visitor_without_a_name_is_greeted_without_one() -> None:
    """No name from the pre-chat form gives a greeting without a blank where it would be."""
    _, step = _start(name="")
    assert _texts(step)[0] == "Hi, I'm the Acme assistant."


def test_an_identified_customer_gets_their_own_orders_status_without_an_email() -> None:
    """Identified visitors type the order number and hear the status of their own order."""
    engine, step = _start(identified=True)
    step = _type(engine, step, "order status", "4000012")
    assert _texts(step)[0].startswith("Order 4000012, placed on Monday, March 3, is shipped")


def test_an_identified_customer_cannot_read_someone_elses_order() -> None:
    """Another customer's order number gets the not-found answer, never its status."""
    engine, step = _start(identified=True)
    step = _type(engine, step, "1", "4000021")
    assert not any("delivered" in text for text in _texts(step))
    assert _texts(step)[0].startswith("Sorry, I could not find that order")


def test_an_unknown_visitor_reads_an_order_with_the_accounts_email() -> None:
    """Unidentified visitors are asked the account's email; the right one shows the order."""
    engine, step = _start()
    step = _type(engine, step, "1", "4000021")
    assert "email address on your account" in _texts(step)[0]
    step = _type(engine, step, "bob@example.com")
    assert "delivered" in _texts(step)[0]


def test_an_invalid_order_number_is_asked_again_then_handed_over() -> None:
    """Too short or non-numeric numbers are refused with a hint; the third one hands over."""
    engine, step = _start()
    step = _type(engine, step, "1", "12")
    assert _texts(step)[0].startswith("That does not look like an order number")
    step = _type(engine, step, "abc", "x")
    enqueue = step.actions[-1]
    assert isinstance(enqueue, Enqueue) and enqueue.attributes["intent"] == "orders"


def test_three_missed_look_ups_hand_over_instead_of_guessing_on() -> None:
    """A stranger trying order numbers is handed to a person after the third miss."""
    engine, step = _start()
    for choice in ("1", "try again"):
        step = _type(engine, step, choice, "4000012", "eve@example.com")
        assert _texts(step)[0].startswith("Sorry, I could not find that order")
    step = _type(engine, step, "try again", "4000013", "eve@example.com")
    assert _texts(step)[0].startswith("I still could not find that order")
    assert isinstance(step.actions[-1], Enqueue)


def test_an_identified_customer_gets_balance_and_last_order_from_the_record() -> None:
    """ "My account balance" reads the balance and last order of the identified customer."""
    engine, step = _start(identified=True)
    step = _type(engine, step, "2")
    texts = _texts(step)
    assert texts[0] == "Your current balance is 1,234.50 USD."
    assert texts[1] == "Your last order, number A-77, is shipped."


def test_talk_to_a_person_hands_over_with_intent_topic_and_order_number() -> None:
    """The hand-over carries intent, topic, language, customer and the order number typed."""
    engine, step = _start(identified=True)
    step = _type(engine, step, "1", "4000021", "2")
    enqueue = step.actions[-1]
    assert isinstance(enqueue, Enqueue)
    attributes = enqueue.attributes
    assert (attributes["intent"], attributes["topic"], attributes["language"]) == (
        "orders",
        "orders",
        "en",
    )
    assert (attributes["customer_id"], attributes["order_number"]) == ("C1", "4000021")


def test_spanish_visitors_get_spanish_prompts_and_buttons() -> None:
    """The pre-chat language picks the Spanish prompts and button labels."""
    engine, step = _start("es", name="Ana")
    assert _texts(step)[0] == "Hola Ana, soy el asistente de Acme."
    assert _buttons(step)[0] == ("1 · Estado del pedido", "1")
    step = _type(engine, step, "pedido")
    assert _texts(step)[0].startswith("¿Cuál es su número de pedido?")
