"""Queues and routing plans as configured by administrators.

The router turns these rows into the pure engine's `routing.config` dataclasses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from contactcentre.store.models.base import Base
from contactcentre.store.types import UTCDateTime, utcnow

STRATEGIES = (
    "longest_idle", "most_skilled", "round_robin", "fewest_handled", "weighted_random",
    "least_needed",
)  # fmt: skip
AGENT_CHOICES = ("best_ranked", "longest_queue")


class Queue(Base):
    __tablename__ = "queues"
    __table_args__ = (
        CheckConstraint(
            "strategy in ('longest_idle', 'most_skilled', 'round_robin', 'fewest_handled', "
            "'weighted_random', 'least_needed')",
            name="strategy",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(255), default="")
    expression: Mapped[str] = mapped_column(String(1000), default="true")
    strategy: Mapped[str] = mapped_column(String(24), default="longest_idle")
    skill: Mapped[str | None] = mapped_column(String(64), default=None)
    wrap_up_seconds: Mapped[int] = mapped_column(Integer, default=30)
    offer_timeout_seconds: Mapped[int] = mapped_column(Integer, default=20)
    max_missed_offers: Mapped[int] = mapped_column(Integer, default=3)
    sla_target_seconds: Mapped[int] = mapped_column(Integer, default=20)
    sla_target_percent: Mapped[int] = mapped_column(Integer, default=80)
    short_abandon_seconds: Mapped[int] = mapped_column(Integer, default=5)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoutingPlan(Base):
    """A workflow: a filter over task attributes and ordered steps (see routing.config.PlanStep)."""

    __tablename__ = "routing_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    filter: Mapped[str] = mapped_column(String(1000), default="true")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    max_wait_seconds: Mapped[int] = mapped_column(Integer, default=900)
    max_value_boost: Mapped[int] = mapped_column(Integer, default=5)
    preferred_agent_seconds: Mapped[int] = mapped_column(Integer, default=15)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoutingPolicy(Base):
    """Centre-wide choices for a freed agent (one row, id 1): every process reads the same."""

    __tablename__ = "routing_policy"
    __table_args__ = (
        CheckConstraint("agent_choice in ('best_ranked', 'longest_queue')", name="agent_choice"),
        CheckConstraint("skill_preference_seconds >= 0", name="skill_preference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Seconds of waiting one skill level is worth when a freed agent picks among its queues.
    skill_preference_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    agent_choice: Mapped[str] = mapped_column(String(16), default="best_ranked")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
