"""Tests for ivr.actions and ivr.inputs: value objects validate themselves on creation."""

from __future__ import annotations

from datetime import datetime

import pytest

from ivr import (
    Choice,
    Digits,
    Enqueue,
    Gather,
    Play,
    RequestCallback,
    Say,
    Speech,
    Transfer,
    Voicemail,
)

from .fakes import NEW_YORK


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Say("  ", "en"), "must not be empty"),
        (lambda: Say("Hi", "english"), "language must be a code"),
        (lambda: Play(""), "must not be empty"),
        (lambda: Choice("a", "x"), "DTMF keys"),
        (lambda: Gather(node_id="m", kind="keys", language="en"), "dtmf, speech or both"),  # type: ignore[arg-type]
        (lambda: Gather(node_id="m", kind="dtmf", language="en", num_digits=0), "at least 1"),
        (lambda: Gather(node_id="m", kind="dtmf", language="en", timeout=0), "1-60"),
        (lambda: Gather(node_id="m", kind="dtmf", language="en", finish_on_key="##"), "one key"),
        (lambda: Enqueue({"segment": "gold"}), "intent"),
        (lambda: Voicemail(max_length=0), "1-14400"),
        (lambda: Transfer("front desk"), "phone number"),
        (lambda: RequestCallback("+1555", slot_id="S1"), "both slot_id and slot_start"),
        (lambda: RequestCallback("+1555", "S1", datetime(2025, 1, 1)), "timezone-aware"),
        (lambda: Digits("12a"), "DTMF keys"),
        (lambda: Speech("hi", 1.5), "between 0 and 1"),
    ],
)
def test_invalid_values_are_rejected(build, message: str) -> None:
    """Every action and input refuses values the channel could not carry out."""
    with pytest.raises(ValueError, match=message):
        build()


def test_actions_are_frozen_and_copy_their_attributes() -> None:
    """Actions cannot be changed after creation, nor through the dict they were given."""
    attributes = {"intent": "sales"}
    enqueue = Enqueue(attributes)
    attributes["intent"] = "changed"
    assert enqueue.attributes["intent"] == "sales"
    with pytest.raises(AttributeError):
        enqueue.priority = 5  # type: ignore[misc]


def test_booked_callback_carries_slot() -> None:
    """A booked callback names both the slot and its aware start time."""
    start = datetime(2025, 3, 12, 14, tzinfo=NEW_YORK)
    assert RequestCallback("+1555", "S1", start).slot_start == start
