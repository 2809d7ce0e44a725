"""Tests for routing.effects: every effect round-trips through JSON."""

from __future__ import annotations

import json

import pytest

from routing import effects as fx

from .helpers import SAMPLES


@pytest.mark.parametrize("effect", SAMPLES, ids=lambda e: e.kind)
def test_effects_round_trip_through_json(effect: fx.Effect) -> None:
    """from_dict(to_dict()) via json gives an equal effect."""
    assert fx.from_dict(json.loads(json.dumps(effect.to_dict()))) == effect


def test_every_effect_type_is_registered() -> None:
    """Each effect kind is known to from_dict."""
    assert {type(effect) for effect in SAMPLES} == set(fx.EFFECT_TYPES.values())


def test_unknown_kind_is_refused() -> None:
    """An unknown kind raises instead of guessing."""
    with pytest.raises(ValueError, match="unknown effect kind"):
        fx.from_dict({"kind": "teleport"})


def test_a_missing_field_is_refused() -> None:
    """An effect without one of its required fields raises, naming the field."""
    data = fx.OfferCreated("r", "t", "a", "q", 20.0, "voice").to_dict()
    del data["agent_id"]
    with pytest.raises(ValueError, match="'agent_id' is missing"):
        fx.from_dict(data)


@pytest.mark.parametrize(
    ("field", "value"),
    [("agent_id", 7), ("expires_at", "soon"), ("expires_at", True), ("channel", None)],
)
def test_a_field_of_the_wrong_type_is_refused(field: str, value: object) -> None:
    """A field whose JSON value is not of its declared type raises instead of passing it on."""
    data = {**fx.OfferCreated("r", "t", "a", "q", 20.0, "voice").to_dict(), field: value}
    with pytest.raises(ValueError, match=repr(field)):
        fx.from_dict(data)


def test_a_whole_number_in_a_float_field_becomes_a_float() -> None:
    """A wait written as 3 decodes as 3.0: a float field always holds a float."""
    data = {**fx.TaskAssigned("r", "t", "a", "q", 0.0).to_dict(), "waited_seconds": 3}
    decoded = fx.from_dict(data)
    assert isinstance(decoded, fx.TaskAssigned)
    assert isinstance(decoded.waited_seconds, float) and decoded.waited_seconds == 3.0


def test_fields_this_version_does_not_know_are_left_out() -> None:
    """A field added by a newer router does not stop an older one reading the effect."""
    effect = fx.TaskEnded("t", "completed", "d7")
    assert fx.from_dict({**effect.to_dict(), "handled_seconds": 42}) == effect


def test_a_missing_optional_field_takes_its_default() -> None:
    """An effect written without its trace id decodes with the empty default."""
    data = fx.TaskEnded("t", "completed").to_dict()
    del data["trace_id"]
    assert fx.from_dict(data) == fx.TaskEnded("t", "completed")


@pytest.mark.parametrize("effect", SAMPLES, ids=lambda e: e.kind)
def test_task_of_names_the_task_of_every_task_effect(effect: fx.Effect) -> None:
    """task_of gives each effect's task id, and None only for an agent's state change."""
    expected = None if isinstance(effect, fx.AgentStateChanged) else "t"
    assert fx.task_of(effect) == expected
