"""Tests for routing.outbox: the router's outbox entries written and read back as typed effects."""

from __future__ import annotations

import json

import pytest

from routing import effects as fx
from routing.outbox import Delivery, decode_entry, to_wire
from tests.unit.routing.helpers import SAMPLES

TRACE = [{"trace_id": "d1", "at": 5.0, "task_id": "t", "kind": "offer", "summary": "best"}]


def _entry(*items: object) -> str:
    return json.dumps(list(items))


@pytest.mark.parametrize("effect", SAMPLES, ids=lambda e: e.kind)
def test_every_effect_type_round_trips_through_an_entry(effect: fx.Effect) -> None:
    """What the router writes with to_wire, the publisher reads back as the same typed effect."""
    deliveries, problems = decode_entry("1-0", _entry(to_wire(12.5, effect, TRACE)))
    assert problems == []
    assert deliveries == [Delivery("1-0:0", 12.5, effect, TRACE)]
    assert type(deliveries[0].effect) is type(effect)


def test_an_unknown_kind_is_skipped_and_named_and_the_rest_delivered() -> None:
    """An effect of an unknown kind is left out with a problem line; its neighbours arrive."""
    ended = fx.TaskEnded("t", "completed")
    raw = _entry(
        to_wire(1.0, fx.TaskQueued("t", "q", "p", 0, 0, 1), []),
        {"at": 2.0, "effect": {"kind": "teleport", "task_id": "t"}, "trace": []},
        to_wire(3.0, ended, []),
    )
    deliveries, problems = decode_entry("7-1", raw)
    assert [type(d.effect) for d in deliveries] == [fx.TaskQueued, fx.TaskEnded]
    assert len(problems) == 1 and "7-1:1" in problems[0] and "teleport" in problems[0]


def test_delivery_ids_count_skipped_effects() -> None:
    """Ids keep each effect's place in the entry, so idempotency keys match the old decoder's."""
    raw = _entry(
        {"at": 1.0, "effect": {"kind": "teleport"}, "trace": []},
        to_wire(2.0, fx.TaskEnded("t", "completed"), []),
    )
    deliveries, _problems = decode_entry("9-0", raw)
    assert [d.id for d in deliveries] == ["9-0:1"]


@pytest.mark.parametrize(
    "item",
    [
        "not a delivery",
        {"at": 1.0},
        {"at": "noon", "effect": fx.TaskEnded("t", "completed").to_dict()},
        {"at": 1.0, "effect": fx.TaskEnded("t", "completed").to_dict(), "trace": "why"},
        {"at": 1.0, "effect": {"kind": "task_ended", "task_id": "t"}},
    ],
)
def test_a_malformed_delivery_is_a_problem_not_a_crash(item: object) -> None:
    """A delivery without a time, an effect, a list trace or a required field is skipped."""
    deliveries, problems = decode_entry("2-0", _entry(item))
    assert deliveries == []
    assert len(problems) == 1 and "2-0:0" in problems[0]


@pytest.mark.parametrize("raw", ["{not json", '{"at": 1}'])
def test_an_entry_that_is_not_a_list_of_deliveries_is_a_problem(raw: str) -> None:
    """An entry whose JSON cannot be read, or is not a list, gives no deliveries and one problem."""
    deliveries, problems = decode_entry("3-0", raw)
    assert deliveries == []
    assert len(problems) == 1 and "3-0" in problems[0]


def test_a_delivery_without_a_trace_has_an_empty_one() -> None:
    """A trace left out (or null) reads as no trace."""
    effect = fx.AgentStateChanged("a", "available", None, 1.0)
    raw = _entry({"at": 1, "effect": effect.to_dict(), "trace": None})
    deliveries, _problems = decode_entry("4-0", raw)
    assert deliveries == [Delivery("4-0:0", 1.0, effect, [])]
