"""Walks through the default flow config/ivr/main.yaml in English and Spanish, DTMF and speech.
Each walk is what a real caller would do, from the greeting to the hand-off."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ivr import (
    CallerInput,
    Digits,
    Enqueue,
    NoInput,
    RequestCallback,
    Speech,
    Step,
    Transfer,
    Voicemail,
    check_flows,
)

from .fakes import (
    GOLD_CALLER,
    MAIN_FLOW,
    NEW_YORK,
    OPEN_TIME,
    STANDARD_CALLER,
    UNKNOWN_CALLER,
    call,
    main_engine,
    says,
)


def walk(
    answers: Sequence[CallerInput], caller: str = GOLD_CALLER, now: datetime = OPEN_TIME
) -> Step:
    engine, _, _, _ = main_engine()
    step = engine.start(call(caller, now))
    for answer in answers:
        assert not step.finished, f"flow ended before {answer}"
        step = engine.advance(step.state, answer, now)
    return step


def nodes_of(step: Step) -> list[str]:
    return [entry.node for entry in step.path]


def test_default_flow_is_valid() -> None:
    """The shipped flows pass `contactcentre ivr check`."""
    assert check_flows(MAIN_FLOW.parent) == []


def test_english_dtmf_billing_for_gold_customer() -> None:
    """English, billing, verified account: a gold customer is enqueued with raised priority."""
    step = walk([Digits("1"), Digits("1"), Digits("12345678#")])
    enqueue = step.actions[-1]
    assert isinstance(enqueue, Enqueue)
    assert enqueue.priority == 5
    attributes = enqueue.attributes
    assert (attributes["intent"], attributes["language"], attributes["segment"]) == (
        "billing",
        "en",
        "gold",
    )
    assert attributes["verified"] is True
    assert says(step) == ["Thank you. Please hold while we connect you to an agent."]
    assert nodes_of(step) == [
        "welcome",
        "choose_language",
        "business_hours",
        "identify_caller",
        "greet_customer",
        "main_menu",
        "collect_account",
        "intent_billing",
        "priority_by_segment",
        "priority_valued_customer",
        "to_agent",
    ]


def test_spanish_speech_support_for_customer_with_open_cases() -> None:
    """Spanish by voice, "soporte técnico": a standard customer with open cases gets +1."""
    engine, _, _, _ = main_engine()
    step = engine.start(call(STANDARD_CALLER))
    step = engine.advance(step.state, Speech("español", 0.92), OPEN_TIME)
    assert says(step)[0] == "Bienvenido de nuevo, Bob."
    assert step.gather is not None and step.gather.language == "es"
    step = engine.advance(step.state, Speech("necesito soporte técnico", 0.85), OPEN_TIME)
    enqueue = step.actions[-1]
    assert isinstance(enqueue, Enqueue)
    assert (enqueue.attributes["intent"], enqueue.attributes["language"]) == (
        "technical_support",
        "es",
    )
    assert enqueue.priority == 1
    assert says(step) == ["Gracias. Espere un momento mientras le comunicamos con un agente."]


def test_english_speech_self_service_balance_then_goodbye() -> None:
    """English by voice: account, balance, then goodbye ends the call without an agent."""
    step = walk([Speech("English", 0.9), Speech("my account", 0.9), Speech("balance", 0.9)])
    assert says(step)[0] == "Your current balance is 1,234.50 USD."
    assert step.gather is not None and step.gather.node_id == "anything_else"
    engine, _, _, _ = main_engine()
    step = engine.advance(step.state, Speech("goodbye", 0.9), OPEN_TIME)
    assert says(step) == ["Thank you for calling Acme. Goodbye."]
    assert step.finished


def test_spanish_dtmf_last_order() -> None:
    """Spanish by keypad: account, last order is read out in Spanish."""
    step = walk([Digits("2"), Digits("4"), Digits("2")])
    assert says(step)[0] == (
        "Su último pedido, número A-77, realizado el lunes 3 de marzo, está shipped."
    )


def test_unknown_caller_identifies_by_account_and_books_callback() -> None:
    """An unknown caller types their account number, then books a callback slot."""
    step = walk(
        [Digits("1"), Digits("4"), Digits("12345678#"), Digits("3"), Digits("1")],
        caller=UNKNOWN_CALLER,
    )
    request = next(a for a in step.actions if isinstance(a, RequestCallback))
    assert (request.number, request.slot_id) == (UNKNOWN_CALLER, "S0")
    assert request.attributes["customer_id"] == "C1"
    assert says(step) == [
        "Your callback is booked for Wednesday, March 12 at 14:00.",
        "Thank you for calling Acme. Goodbye.",
    ]


def test_wrong_account_three_times_still_reaches_billing_unverified() -> None:
    """A caller who cannot give their account number reaches billing, marked unverified."""
    step = walk([Digits("1"), Digits("1"), Digits("87654321"), Digits("11111111"), NoInput()])
    enqueue = step.actions[-1]
    assert isinstance(enqueue, Enqueue)
    assert (enqueue.attributes["intent"], enqueue.attributes["verified"]) == ("billing", False)


def test_partner_transfer() -> None:
    """Option 8 transfers the caller to the partner helpline."""
    step = walk([Digits("1"), Digits("8")])
    assert step.actions[-1] == Transfer("+15550100200")


def test_silent_caller_keeps_default_language_and_reaches_an_agent() -> None:
    """A caller who never answers hears English and is still put through to an agent."""
    step = walk([NoInput(), NoInput(), NoInput(), NoInput(), NoInput()])
    enqueue = step.actions[-1]
    assert isinstance(enqueue, Enqueue)
    assert (enqueue.attributes["intent"], enqueue.attributes["language"]) == ("general", "en")


def test_after_hours_spanish_voicemail() -> None:
    """After 18:00 in New York, a Spanish caller may leave a voicemail."""
    evening = datetime(2025, 3, 11, 18, 0, tzinfo=NEW_YORK)
    engine, _, _, _ = main_engine()
    step = engine.advance(engine.start(call(now=evening)).state, Digits("2"), evening)
    assert says(step)[0].startswith("Nuestra oficina está cerrada.")
    step = engine.advance(step.state, Speech("quiero dejar un mensaje", 0.8), evening)
    assert isinstance(step.actions[1], Voicemail)
    assert step.finished


def test_holiday_callback_request() -> None:
    """On Christmas Day the caller hears the holiday notice and can ask for a callback."""
    christmas = datetime(2025, 12, 25, 11, 0, tzinfo=NEW_YORK)
    step = walk([Digits("1"), Digits("2")], now=christmas)
    assert "holiday_notice" in nodes_of(step)
    assert isinstance(step.actions[0], RequestCallback)
    assert step.actions[0].slot_id is None


def test_every_node_of_the_default_flow_is_exercised() -> None:
    """Together, the walks above visit every node of the default flow."""
    evening = datetime(2025, 3, 11, 18, 0, tzinfo=NEW_YORK)
    christmas = datetime(2025, 12, 25, 11, 0, tzinfo=NEW_YORK)
    walks = [
        walk([Digits("1"), Digits("1"), Digits("12345678#")]),
        walk([Digits("1"), Digits("1"), Digits("1"), Digits("1"), Digits("1")]),
        walk([Digits("1"), Digits("2")], caller=STANDARD_CALLER),
        walk([Digits("1"), Digits("3")], caller=UNKNOWN_CALLER),
        walk([Digits("1"), Digits("4"), Digits("1"), Digits("1"), Digits("2"), Digits("9")]),
        walk([Digits("1"), Digits("4"), Digits("0")], caller=STANDARD_CALLER),
        walk([Digits("1"), Digits("4"), Digits("87654321"), Digits("1")], caller=UNKNOWN_CALLER),
        walk([Digits("1"), Digits("4"), Digits("3"), Digits("1")]),
        walk([Digits("1"), Digits("8")]),
        walk([Digits("1"), Digits("9")]),
        walk([Digits("1"), Digits("1")], now=evening),
        walk([Digits("1"), Digits("2")], now=christmas),
    ]
    visited = {node for step in walks for node in nodes_of(step)}
    engine, _, _, _ = main_engine()
    assert set(engine.flow.nodes) - visited == set()
