"""Tests for routing.config: validation and JSON round-trips of queues, plans and profiles."""

from __future__ import annotations

import json
from typing import Any

import pytest

from routing.config import (
    CapacityProfile,
    ConfigError,
    CrossChannelRule,
    PlanStep,
    Queue,
    RoutingConfig,
    RoutingPlan,
)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Queue(""), "id"),
        (lambda: Queue("q", expression="skills.x >="), "expression"),
        (lambda: Queue("q", strategy="fastest"), "strategy"),
        (lambda: Queue("q", wrap_up_seconds=-1), "wrap_up_seconds"),
        (lambda: Queue("q", offer_timeout_seconds=0), "offer_timeout_seconds"),
        (lambda: Queue("q", max_missed_offers=-1), "max_missed_offers"),
        (PlanStep, "queue_id"),
        (lambda: PlanStep("q", exit="voicemail"), "queue_id"),
        (lambda: PlanStep(exit="fax"), "exit"),
        (lambda: PlanStep("q", timeout_seconds=0), "timeout_seconds"),
        (lambda: PlanStep("q", expression="a and"), "expression"),
        (lambda: RoutingPlan("p"), "steps"),
        (lambda: RoutingPlan("p", filter="(", steps=[PlanStep("q")]), "filter"),
        (lambda: RoutingPlan("p", steps=[PlanStep("q")], max_wait_seconds=0), "max_wait_seconds"),
        (lambda: CapacityProfile(units={"fax": 1}), "units"),
        (lambda: CapacityProfile(limits={"chat": -1}), "limits.chat"),
        (lambda: CapacityProfile(total_units=0), "total_units"),
        (lambda: CrossChannelRule("voice", "chat", 0), "at_least"),
        (lambda: RoutingConfig(queues=[Queue("q"), Queue("q")]), "queues"),
        (
            lambda: RoutingConfig(plans=[RoutingPlan("p", steps=[PlanStep("nope")])]),
            "plans.p.steps.0.queue_id",
        ),
        (lambda: RoutingConfig(default_plan_id="x"), "default_plan_id"),
        (lambda: RoutingConfig(priority_aging_seconds=0), "priority_aging_seconds"),
        (lambda: RoutingConfig(skill_preference_seconds=-1), "skill_preference_seconds"),
        (
            lambda: RoutingConfig(skill_preference_seconds=float("inf")),
            "skill_preference_seconds",
        ),
        (lambda: RoutingConfig(agent_choice="shortest"), "agent_choice"),
    ],
)
def test_invalid_values_raise_config_error_naming_the_field(build: Any, field: str) -> None:
    """Every constructor validates itself and names the offending field."""
    with pytest.raises(ConfigError) as caught:
        build()
    assert caught.value.field == field
    assert caught.value.message


def test_expression_error_message_is_carried() -> None:
    """A bad queue expression reports the parser's position message."""
    with pytest.raises(ConfigError, match="expected a value after '>=' at position 11"):
        Queue("q", expression="skills.x >=")


def test_config_round_trips_through_json() -> None:
    """to_dict/from_dict survive json and rebuild an equal config."""
    config = RoutingConfig(
        queues=[Queue("billing", expression="skills.billing >= 5", strategy="most_skilled")],
        plans=[
            RoutingPlan(
                "gold",
                filter='segment in ["gold"]',
                priority=5,
                steps=[PlanStep("billing", timeout_seconds=30), PlanStep(exit="callback")],
                max_value_boost=3,
            )
        ],
        default_capacity=CapacityProfile(rules=[CrossChannelRule("voice", "chat", 2)]),
    )
    assert RoutingConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_agent_choice_fields_round_trip_and_default_to_off() -> None:
    """skill_preference_seconds and agent_choice survive JSON; old dicts read as the default."""
    config = RoutingConfig(skill_preference_seconds=2.5, agent_choice="longest_queue")
    assert RoutingConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    old = RoutingConfig.from_dict({"queues": [], "plans": []})
    assert (old.skill_preference_seconds, old.agent_choice) == (0.0, "best_ranked")


def test_plans_in_order_by_descending_priority_then_id() -> None:
    """Plans are tried highest priority first; ties by id."""
    plans = [
        RoutingPlan(pid, priority=p, steps=[PlanStep("q")])
        for pid, p in (("b", 1), ("a", 1), ("c", 9))
    ]
    config = RoutingConfig(queues=[Queue("q")], plans=plans)
    assert [plan.id for plan in config.plans_in_order()] == ["c", "a", "b"]
