"""Tests for routing.effects: every effect round-trips through JSON."""

from __future__ import annotations

import json

import pytest

from routing import effects as fx

SAMPLES: list[fx.Effect] = [
    fx.TaskQueued("t", "q", "p", 0, 3, 1, "d1"),
    fx.OfferCreated("r", "t", "a", "q", 20.0, "voice", "d2"),
    fx.OfferRescinded("r", "t", "a", "expired", "d3"),
    fx.TaskAssigned("r", "t", "a", "q", 4.5, "d4"),
    fx.StepChanged("t", 0, 1, "timeout 30s", "d5"),
    fx.TaskExited("t", "voicemail", "q", "d6"),
    fx.TaskEnded("t", "completed", "d7"),
    fx.AgentStateChanged("a", "break", "missed_offer", 9.0),
    fx.WrapUpStarted("a", "t", 40.0),
]


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
