"""Tests for ivr.collect: digit length and pattern, validation against the customer record."""

from __future__ import annotations

from ivr import Digits, NoInput, Speech
from ivr.collect import mask

from .fakes import GOLD_CALLER, OPEN_TIME, UNKNOWN_CALLER, call, inline_engine, says

COLLECT = {
    "type": "collect",
    "prompt": "Enter your account number.",
    "attribute": "account_number",
    "min_length": 8,
    "max_length": 8,
    "pattern": "[1-9][0-9]{7}",
    "validate": "customer_account",
    "max_attempts": 2,
    "next": "ok",
    "default": "failed",
}
NODES = {
    "who": {"type": "identify", "known": "collect", "unknown": "collect"},
    "collect": COLLECT,
    "ok": {"type": "hangup", "prompt": "ok {customer_name}"},
    "failed": {"type": "hangup", "prompt": "failed"},
}


def _start(caller: str = GOLD_CALLER):
    engine = inline_engine(NODES)
    return engine, engine.start(call(caller))


def test_collect_gathers_fixed_length_digits() -> None:
    """A fixed-length collect asks for exactly that many digits, finishing on #."""
    _, step = _start()
    gather = step.gather
    assert gather is not None
    assert (gather.kind, gather.num_digits, gather.finish_on_key) == ("dtmf", 8, "#")


def test_valid_account_of_the_caller_is_accepted_and_stored() -> None:
    """The identified caller's own account number is accepted and stored as an attribute."""
    engine, step = _start()
    step = engine.advance(step.state, Digits("12345678#"), OPEN_TIME)
    assert says(step) == ["ok Ana"]
    assert step.state["attributes"]["account_number"] == "12345678"


def test_someone_elses_account_is_rejected() -> None:
    """An identified caller typing another customer's account number is rejected."""
    engine, step = _start()
    step = engine.advance(step.state, Digits("87654321"), OPEN_TIME)
    assert says(step)[0] == "Sorry, that is not a valid option."
    assert "not the caller's account" in (step.path[-1].input or "")


def test_unknown_caller_is_identified_by_account_number() -> None:
    """An unknown caller who types a valid account number becomes that customer."""
    engine, step = _start(UNKNOWN_CALLER)
    step = engine.advance(step.state, Digits("87654321"), OPEN_TIME)
    assert says(step) == ["ok Bob"]
    assert step.state["attributes"]["customer_id"] == "C2"


def test_wrong_length_and_pattern_are_invalid() -> None:
    """Too few digits, or digits not matching the pattern, use up attempts then branch."""
    engine, step = _start()
    step = engine.advance(step.state, Digits("123"), OPEN_TIME)
    assert "length 3, expected 8-8" in (step.path[-1].input or "")
    step = engine.advance(step.state, Digits("01234567"), OPEN_TIME)
    assert says(step) == ["failed"]


def test_spoken_digits_are_accepted() -> None:
    """Digits said aloud ("1 2 3 4 ...") count like keys pressed."""
    nodes = {**NODES, "collect": {**COLLECT, "input": "both"}}
    engine = inline_engine(nodes)
    step = engine.advance(engine.start(call()).state, Speech("1234 5678", 0.9), OPEN_TIME)
    assert says(step) == ["ok Ana"]


def test_silence_counts_as_no_input() -> None:
    """A timeout or a bare # is no input, not an invalid number."""
    engine, step = _start()
    step = engine.advance(step.state, Digits("#"), OPEN_TIME)
    assert step.path[-1].input == "no-input"
    step = engine.advance(step.state, NoInput(), OPEN_TIME)
    assert says(step) == ["failed"]


def test_path_shows_collected_digits_masked() -> None:
    """The IVR path never shows a full account number to agents."""
    engine, step = _start()
    step = engine.advance(step.state, Digits("12345678"), OPEN_TIME)
    assert step.path[-2].input == "digits:****5678"
    assert mask("1234") == "****"


EMAIL_NODES = {
    "ask": {
        "type": "collect",
        "format": "email",
        "prompt": "Your email?",
        "attribute": "order_email",
        "max_attempts": 2,
        "next": "ok",
        "default": "failed",
    },
    "ok": {"type": "hangup", "prompt": "ok {order_email}"},
    "failed": {"type": "hangup", "prompt": "failed"},
}


def test_an_email_collect_takes_typed_text_lower_cased_and_masks_it_in_the_path() -> None:
    """`format: email` stores a typed address in lower case; the path shows it masked."""
    engine = inline_engine(EMAIL_NODES)
    step = engine.start(call())
    assert step.gather is not None and step.gather.kind == "speech"
    step = engine.advance(step.state, Speech(" Ana@Example.COM "), OPEN_TIME)
    assert says(step) == ["ok ana@example.com"]
    assert step.path[0].input == "email:a***@example.com"


def test_an_email_collect_refuses_what_is_not_an_address() -> None:
    """Digits or text without an @ and a domain are invalid answers to an email collect."""
    engine = inline_engine(EMAIL_NODES)
    step = engine.start(call())
    step = engine.advance(step.state, Digits("4000012"), OPEN_TIME)
    assert step.gather is not None and says(step) == [
        "Sorry, that is not a valid option.",
        "Your email?",
    ]
    step = engine.advance(step.state, Speech("ana at example"), OPEN_TIME)
    assert says(step) == ["failed"]


def test_spoken_digits_that_are_not_ascii_are_not_an_account_number() -> None:
    """Arabic-Indic or superscript digits in speech (isdigit() says yes) are not accepted as
    digits: the answer is unclear and the caller is asked again."""
    nodes = {**NODES, "collect": {**COLLECT, "input": "both"}}
    engine = inline_engine(nodes)
    arabic = "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668"
    step = engine.advance(engine.start(call()).state, Speech(arabic, 0.9), OPEN_TIME)
    assert step.path[-1].input == "unclear"
    assert step.gather is not None  # asked again
