"""Tests for ivr.decisions: say/play, business hours, identify, branch, set and self-service."""

from __future__ import annotations

from datetime import datetime

from ivr import Play, Say, SessionInputs

from .fakes import (
    GOLD_CALLER,
    NEW_YORK,
    OPEN_TIME,
    STANDARD_CALLER,
    UNKNOWN_CALLER,
    call,
    inline_engine,
    says,
)

BYE = {"type": "hangup", "prompt": "bye {segment} {priority_note}"}


def test_say_uses_session_language_voice_and_variables() -> None:
    """Say speaks the prompt in the session language, with its voice and {variables} filled."""
    engine = inline_engine(
        {
            "hi": {
                "type": "say",
                "prompt": {"en": "Hi {name}", "es": "Hola {name}"},
                "next": "bye",
            },
            "bye": {"type": "hangup"},
        },
        voices={"en": "Polly.Joanna", "es": "Polly.Lupe"},
    )
    inputs = SessionInputs("+1555", OPEN_TIME, language="es", attributes={"name": "Eva"})
    step = engine.start(inputs)
    assert step.actions[0] == Say("Hola Eva", "es", "Polly.Lupe")


def test_unknown_variables_are_dropped_not_spoken() -> None:
    """A {variable} with no value is left out rather than read out with braces."""
    engine = inline_engine(
        {"hi": {"type": "say", "prompt": "Hi {nobody}!", "next": "bye"}, "bye": {"type": "hangup"}}
    )
    assert says(engine.start(call())) == ["Hi !"]


def test_play_renders_the_url_for_the_language() -> None:
    """Play picks the recording of the session language."""
    engine = inline_engine(
        {
            "tune": {
                "type": "play",
                "url": {"en": "https://x/en.mp3", "es": "https://x/es.mp3"},
                "next": "bye",
            },
            "bye": {"type": "hangup"},
        }
    )
    step = engine.start(SessionInputs("+1555", OPEN_TIME, language="es"))
    assert step.actions[0] == Play("https://x/es.mp3")


HOURS = {
    "type": "hours",
    "timezone": "America/New_York",
    "weekly": {"mon": ["09:00-18:00"], "tue": ["09:00-18:00"]},
    "holidays": ["2025-03-11"],
    "open": "open",
    "closed": "closed",
    "holiday": "holiday",
}
HOURS_NODES = {
    "hours": HOURS,
    "open": {"type": "hangup", "prompt": "open"},
    "closed": {"type": "hangup", "prompt": "closed"},
    "holiday": {"type": "hangup", "prompt": "holiday"},
}


def test_hours_branch_open_closed_and_holiday() -> None:
    """The hours node branches open, closed or holiday at the time passed in."""
    engine = inline_engine(HOURS_NODES)
    monday_open = datetime(2025, 3, 10, 17, 59, tzinfo=NEW_YORK)
    monday_closed = datetime(2025, 3, 10, 18, 0, tzinfo=NEW_YORK)
    tuesday_holiday = datetime(2025, 3, 11, 10, 0, tzinfo=NEW_YORK)
    assert says(engine.start(call(now=monday_open))) == ["open"]
    assert says(engine.start(call(now=monday_closed))) == ["closed"]
    assert says(engine.start(call(now=tuesday_holiday))) == ["holiday"]


def test_hours_without_holiday_branch_treats_holidays_as_closed() -> None:
    """Leaving out `holiday` sends holiday callers to the closed branch."""
    hours = {k: v for k, v in HOURS.items() if k != "holiday"}
    engine = inline_engine(
        {**{k: v for k, v in HOURS_NODES.items() if k != "holiday"}, "hours": hours}
    )
    assert says(engine.start(call(now=datetime(2025, 3, 11, 10, tzinfo=NEW_YORK)))) == ["closed"]


IDENTIFY = {
    "who": {"type": "identify", "known": "known", "unknown": "unknown"},
    "known": {"type": "hangup", "prompt": "known {customer_name} {segment}"},
    "unknown": {"type": "hangup", "prompt": "unknown"},
}


def test_identify_known_caller_sets_customer_attributes() -> None:
    """A caller found by phone number branches known and gets customer attributes."""
    step = inline_engine(IDENTIFY).start(call(GOLD_CALLER))
    assert says(step) == ["known Ana gold"]
    attributes = step.state["attributes"]
    assert (attributes["customer_id"], attributes["known"], attributes["open_cases"]) == (
        "C1",
        True,
        0,
    )


def test_identify_unknown_caller_branches_unknown() -> None:
    """A number not in the directory branches unknown and marks the caller unknown."""
    step = inline_engine(IDENTIFY).start(call(UNKNOWN_CALLER))
    assert says(step) == ["unknown"]
    assert step.state["attributes"]["known"] is False


BRANCH = {
    "who": {"type": "identify", "known": "route", "unknown": "route"},
    "route": {
        "type": "branch",
        "rules": [
            {"when": "segment in [gold, platinum]", "next": "vip"},
            {"when": ["open_cases > 1", "language == en"], "next": "follow_up"},
        ],
        "default": "other",
    },
    "vip": {"type": "hangup", "prompt": "vip"},
    "follow_up": {"type": "hangup", "prompt": "follow up"},
    "other": {"type": "hangup", "prompt": "other"},
}


def test_branch_takes_first_rule_whose_conditions_all_hold() -> None:
    """Rules are tried in order; all conditions of a rule must hold; else the default."""
    engine = inline_engine(BRANCH)
    assert says(engine.start(call(GOLD_CALLER))) == ["vip"]
    assert says(engine.start(call(STANDARD_CALLER))) == ["follow up"]
    spanish = SessionInputs(STANDARD_CALLER, OPEN_TIME, language="es")
    assert says(engine.start(spanish)) == ["other"]
    assert says(engine.start(call(UNKNOWN_CALLER))) == ["other"]


def test_set_changes_attributes_and_priority() -> None:
    """Set assigns attributes; priority is absolute ("5") or relative ("+2")."""
    engine = inline_engine(
        {
            "base": {
                "type": "set",
                "attributes": {"intent": "sales"},
                "priority": "5",
                "next": "boost",
            },
            "boost": {"type": "set", "priority": "+2", "next": "queue"},
            "queue": {"type": "enqueue"},
        }
    )
    step = engine.start(call())
    enqueue = step.actions[-1]
    assert enqueue.priority == 7  # type: ignore[union-attr]
    assert enqueue.attributes["intent"] == "sales"  # type: ignore[union-attr]


SELF_SERVICE = {
    "who": {"type": "identify", "known": "balance", "unknown": "balance"},
    "balance": {
        "type": "balance",
        "prompt": {"en": "Balance {balance} {currency}.", "es": "Saldo {balance} {currency}."},
        "next": "order",
        "unavailable": "sorry",
    },
    "order": {
        "type": "last_order",
        "prompt": {
            "en": "Order {order_id} of {order_date} is {order_status}.",
            "es": "Pedido {order_id} del {order_date}: {order_status}.",
        },
        "next": "bye",
        "unavailable": "sorry",
    },
    "sorry": {"type": "hangup", "prompt": "sorry"},
    "bye": {"type": "hangup"},
}


def test_balance_and_last_order_are_read_out_per_language() -> None:
    """Self-service reads the balance and last order, formatted for the caller's language."""
    engine = inline_engine(SELF_SERVICE)
    assert says(engine.start(call(GOLD_CALLER))) == [
        "Balance 1,234.50 USD.",
        "Order A-77 of Monday, March 3 is shipped.",
    ]
    spanish = SessionInputs(GOLD_CALLER, OPEN_TIME, language="es")
    assert says(engine.start(spanish)) == [
        "Saldo 1.234,50 USD.",
        "Pedido A-77 del lunes 3 de marzo: shipped.",
    ]


def test_self_service_is_unavailable_without_a_customer_or_record() -> None:
    """An unidentified caller, or a customer with no balance on file, goes to `unavailable`."""
    engine = inline_engine(SELF_SERVICE)
    assert says(engine.start(call(UNKNOWN_CALLER))) == ["sorry"]
    assert says(engine.start(call(STANDARD_CALLER))) == ["sorry"]
