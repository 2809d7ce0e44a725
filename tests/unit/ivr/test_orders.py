"""Tests for ivr.orders: an order's status is read only to its owner or to whoever gives an
email on the owner's account; misses look alike and are capped."""

from __future__ import annotations

from typing import Any

from ivr import Digits, Speech
from ivr.orders import FAILURES, visible_order

from .fakes import (
    GOLD_CALLER,
    OPEN_TIME,
    UNKNOWN_CALLER,
    call,
    inline_engine,
    inline_errors,
    make_ports,
    says,
)

LOOKUP: dict[str, Any] = {
    "type": "order_status",
    "prompt": "Order {order_id}: {order_status}.",
    "max_failures": 2,
    "next": "done",
    "unavailable": "again",
    "exhausted": "locked",
}
NODES = {
    "who": {"type": "identify", "known": "number", "unknown": "number"},
    "number": {
        "type": "collect",
        "prompt": "Order number?",
        "attribute": "order_number",
        "min_length": 6,
        "max_length": 10,
        "next": "gate",
        "default": "locked",
    },
    "gate": {
        "type": "branch",
        "rules": [{"when": "known == true", "next": "lookup"}],
        "default": "email",
    },
    "email": {
        "type": "collect",
        "format": "email",
        "prompt": "Email?",
        "attribute": "order_email",
        "next": "lookup",
        "default": "locked",
    },
    "lookup": LOOKUP,
    "again": {
        "type": "menu",
        "prompt": "Not found. Try again?",
        "options": [{"key": 1, "next": "number"}],
        "default": "locked",
    },
    "done": {"type": "hangup", "prompt": "bye"},
    "locked": {"type": "enqueue", "intent": "orders"},
}


def _ask(caller: str, number: str, email: str | None = None) -> Any:
    engine = inline_engine(NODES)
    step = engine.start(call(caller))
    step = engine.advance(step.state, Digits(number), OPEN_TIME)
    if email is not None:
        step = engine.advance(step.state, Speech(email), OPEN_TIME)
    return engine, step


def test_the_identified_customer_hears_their_own_order() -> None:
    """An order belonging to the identified caller is read out."""
    _, step = _ask(GOLD_CALLER, "4000012")
    assert says(step)[0] == "Order 4000012: shipped, arriving Tuesday."


def test_someone_elses_order_is_not_read_to_an_identified_customer() -> None:
    """An identified caller asking for another customer's order number learns nothing."""
    _, step = _ask(GOLD_CALLER, "4000021")
    assert not any("delivered" in text for text in says(step))
    assert says(step) == ["Not found. Try again?"]


def test_an_unknown_contact_with_the_accounts_email_hears_the_order() -> None:
    """An unidentified contact who gives an email on the order's account hears its status."""
    _, step = _ask(UNKNOWN_CALLER, "4000021", "Bob@example.com")
    assert says(step)[0] == "Order 4000021: delivered."


def test_an_unknown_contact_is_asked_for_an_email_even_for_orders_that_do_not_exist() -> None:
    """The email question comes whether or not the number exists, so it reveals nothing."""
    engine = inline_engine(NODES)
    for number in ("4000021", "9999999"):
        step = engine.start(call(UNKNOWN_CALLER))
        step = engine.advance(step.state, Digits(number), OPEN_TIME)
        assert says(step) == ["Email?"]


def test_not_found_and_not_yours_are_answered_alike() -> None:
    """A wrong email and a number that does not exist give the same words and path outcome."""
    _, wrong_email = _ask(UNKNOWN_CALLER, "4000021", "ana@example.com")
    _, no_such_order = _ask(UNKNOWN_CALLER, "9999999", "bob@example.com")
    assert says(wrong_email) == says(no_such_order)
    assert wrong_email.path[-2].outcome == no_such_order.path[-2].outcome


def test_the_email_given_is_dropped_after_the_look_up() -> None:
    """The typed email is used once and not kept in the session state."""
    _, step = _ask(UNKNOWN_CALLER, "4000021", "bob@example.com")
    assert "order_email" not in step.state["attributes"]


def test_misses_are_capped_then_the_flow_stops_looking() -> None:
    """After max_failures misses in one contact the node takes `exhausted`, not `unavailable`."""
    engine, step = _ask(GOLD_CALLER, "9999999")
    assert step.state["attributes"][FAILURES] == 1
    step = engine.advance(step.state, Digits("1"), OPEN_TIME)
    step = engine.advance(step.state, Digits("4000021"), OPEN_TIME)
    assert step.finished and step.path[-2].outcome == "miss 2, exhausted -> locked"


def test_visible_order_needs_an_owner() -> None:
    """An order without a known owner is never shown, whatever the contact says."""
    ports = make_ports()[0]
    accounts = ports.accounts
    assert visible_order(accounts, ports.customers, "4000012", "C1", None) is not None
    assert visible_order(accounts, ports.customers, "4000012", None, "bob@example.com") is None
    assert visible_order(accounts, ports.customers, "", "C1", "ana@example.com") is None


def test_order_status_nodes_are_validated_at_load_time() -> None:
    """A missing `exhausted` branch or an out-of-range max_failures is a load error."""
    broken = {k: v for k, v in LOOKUP.items() if k != "exhausted"} | {"max_failures": 0}
    errors = inline_errors({**NODES, "lookup": broken})
    messages = [e.problem for e in errors if e.node == "lookup"]
    assert any("missing 'exhausted'" in m for m in messages)
    assert any("'max_failures' must be a whole number from 1 to 10" in m for m in messages)


def test_an_email_collect_must_not_use_keys_or_digit_rules() -> None:
    """`format: email` with input dtmf or a min_length is reported with what to change."""
    email = {**NODES["email"], "input": "dtmf", "min_length": 3}
    messages = [e.problem for e in inline_errors({**NODES, "email": email}) if e.node == "email"]
    assert any("needs 'input: speech'" in m for m in messages)
    assert any("'min_length' does not apply" in m for m in messages)
