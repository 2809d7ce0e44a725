"""Tests for ivr.booking: offering callback slots, booking the chosen one, slots already taken."""

from __future__ import annotations

from datetime import datetime

from ivr import Digits, FlowEngine, NoInput, RequestCallback, SessionInputs, Speech

from .fakes import GOLD_CALLER, NEW_YORK, OPEN_TIME, call, inline_flow, make_ports, says

NODES = {
    "who": {"type": "identify", "known": "book", "unknown": "book"},
    "book": {
        "type": "book_callback",
        "intro": {"en": "We can call you at these times.", "es": "Podemos llamarle."},
        "slot_prompt": {"en": "For {slot}, press {key}.", "es": "Para el {slot}, pulse {key}."},
        "confirm": {"en": "Booked for {slot}.", "es": "Reservado para el {slot}."},
        "max_slots": 2,
        "next": "bye",
        "no_slots": "asap",
        "default": "bye",
    },
    "bye": {"type": "hangup"},
    "asap": {"type": "callback", "prompt": "As soon as possible."},
}


def _engine():
    ports, _, _, scheduler = make_ports()
    flow = inline_flow(NODES, timezone="America/New_York")
    return FlowEngine(flow, ports), scheduler


def test_slots_are_offered_by_key_in_the_business_time_zone() -> None:
    """The next free slots are read out with a key each, in the flow's time zone."""
    engine, _ = _engine()
    step = engine.start(call(GOLD_CALLER))
    assert says(step) == [
        "We can call you at these times.",
        "For Wednesday, March 12 at 14:00, press 1.",
        "For Wednesday, March 12 at 15:00, press 2.",
    ]
    assert step.gather is not None
    assert [c.key for c in step.gather.choices] == ["1", "2"]


def test_choosing_a_slot_books_it_and_requests_the_callback() -> None:
    """Pressing a slot's key books it and tells the app with a RequestCallback."""
    engine, scheduler = _engine()
    step = engine.start(call(GOLD_CALLER))
    step = engine.advance(step.state, Digits("2"), OPEN_TIME)
    assert scheduler.booked == [("S1", GOLD_CALLER, "C1")]
    request = step.actions[0]
    assert isinstance(request, RequestCallback)
    assert request.slot_id == "S1"
    assert request.slot_start == datetime(2025, 3, 12, 15, 0, tzinfo=NEW_YORK)
    assert says(step) == ["Booked for Wednesday, March 12 at 15:00."]
    assert step.finished


def test_spoken_slot_number_and_spanish_wording() -> None:
    """A spoken key chooses a slot; Spanish callers hear Spanish dates."""
    engine, _ = _engine()
    step = engine.start(SessionInputs(GOLD_CALLER, OPEN_TIME, language="es"))
    assert says(step)[1] == "Para el miércoles 12 de marzo a las 14:00, pulse 1."
    step = engine.advance(step.state, Speech("1", 0.9), OPEN_TIME)
    assert says(step) == ["Reservado para el miércoles 12 de marzo a las 14:00."]


def test_slot_taken_meanwhile_offers_fresh_slots() -> None:
    """If the chosen slot was booked by someone else meanwhile, fresh slots are offered."""
    engine, scheduler = _engine()
    step = engine.start(call(GOLD_CALLER))
    scheduler.taken.add("S0")
    step = engine.advance(step.state, Digits("1"), OPEN_TIME)
    assert step.gather is not None
    assert "For Wednesday, March 12 at 15:00, press 1." in says(step)


def test_no_slots_branches_to_no_slots() -> None:
    """When the scheduler has nothing to offer, the no_slots branch is taken."""
    engine, _ = _engine()
    late = datetime(2025, 4, 1, 10, tzinfo=NEW_YORK)
    assert says(engine.start(call(GOLD_CALLER, now=late))) == ["As soon as possible."]


def test_invalid_or_silent_answers_use_the_retry_branches() -> None:
    """A key with no slot and silence reprompt, then give up to the default branch."""
    engine, scheduler = _engine()
    step = engine.start(call(GOLD_CALLER))
    step = engine.advance(step.state, Digits("7"), OPEN_TIME)
    assert step.gather is not None
    step = engine.advance(step.state, NoInput(), OPEN_TIME)
    step = engine.advance(step.state, NoInput(), OPEN_TIME)
    assert step.finished and scheduler.booked == []


def test_a_spoken_superscript_or_arabic_digit_is_no_slot_not_an_error() -> None:
    """Speech holding digits that are not ASCII ("²": isdigit() yes, int() raises) chooses no
    slot: the caller is asked again."""
    engine, scheduler = _engine()
    step = engine.start(call(GOLD_CALLER))
    for heard in ("\u00b2", "\u0661"):
        step = engine.advance(step.state, Speech(heard, 0.9), OPEN_TIME)
    assert step.gather is not None and scheduler.booked == []
