"""Builds the engine's RoutingConfig from the queues and routing plans in SQL.

Every queue also gets a direct plan (task attribute `queue_id`), so integrations can target it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.store.models import Queue as QueueRow
from contactcentre.store.models import RoutingPlan as PlanRow
from contactcentre.store.models import RoutingPolicy
from routing.config import PlanStep, Queue, RoutingConfig, RoutingPlan

DIRECT_PLAN_PRIORITY = -1000


def load_routing_config(session: Session) -> RoutingConfig:
    queues = [_queue(row) for row in session.scalars(select(QueueRow).order_by(QueueRow.id))]
    plans = [
        _plan(row)
        for row in session.scalars(select(PlanRow).where(PlanRow.active).order_by(PlanRow.id))
    ]
    for queue in queues:
        plans.append(
            RoutingPlan(
                id=f"direct-{queue.id}",
                name=f"Direct to {queue.name}",
                filter=f'queue_id == "{queue.id}"',
                priority=DIRECT_PLAN_PRIORITY,
                steps=[PlanStep(queue_id=queue.id)],
                max_wait_seconds=3600,
            )
        )
    policy = session.get(RoutingPolicy, 1)
    if policy is None:
        return RoutingConfig(queues=queues, plans=plans)
    return RoutingConfig(
        queues=queues,
        plans=plans,
        skill_preference_seconds=policy.skill_preference_seconds,
        agent_choice=policy.agent_choice,
    )


def _queue(row: QueueRow) -> Queue:
    return Queue(
        id=str(row.id),
        name=row.name,
        expression="" if row.expression.strip() == "true" else row.expression,
        strategy=row.strategy,
        skill=row.skill,
        wrap_up_seconds=float(row.wrap_up_seconds),
        offer_timeout_seconds=float(row.offer_timeout_seconds),
        max_missed_offers=row.max_missed_offers,
        sla_target_seconds=float(row.sla_target_seconds),
    )


def plan_step(data: dict[str, Any]) -> PlanStep:
    queue_id = data.get("queue_id")
    return PlanStep(
        queue_id=None if queue_id is None else str(queue_id),
        expression=data.get("expression") or None,
        priority_change=int(data.get("priority_change") or 0),
        timeout_seconds=data.get("timeout_seconds"),
        exit=data.get("exit"),
    )


def _plan(row: PlanRow) -> RoutingPlan:
    return RoutingPlan(
        id=str(row.id),
        name=row.name,
        filter="" if row.filter.strip() == "true" else row.filter,
        priority=row.priority,
        steps=[plan_step(step) for step in row.steps],
        max_wait_seconds=float(row.max_wait_seconds),
        max_value_boost=row.max_value_boost,
        preferred_agent_seconds=float(row.preferred_agent_seconds),
    )
