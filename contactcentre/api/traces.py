"""/api/v1/tasks/{id}/trace and /api/v1/routing/dry-run: why routing did (or would do) what it did.

Both read a replica of the router's engine (snapshot + journal), never the live router itself.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from sqlalchemy import select

from contactcentre.auth.access import require_api_role
from contactcentre.errors import ApiError, not_found
from contactcentre.platform.runtime import current_runtime
from contactcentre.router.config_loader import load_routing_config
from contactcentre.router.journal import current_engine
from contactcentre.store.models import Interaction, InteractionEvent, Role
from contactcentre.webapi.common import ERRORS, SECURITY, Body
from routing import effects as fx
from routing import events as ev
from routing.config import RoutingConfig
from routing.engine import Engine

api = APIBlueprint(
    "traces", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="routing")], abp_security=SECURITY
)


class TracePath(BaseModel):
    task_id: str = Field(max_length=64)


class DryRunIn(Body):
    channel: Literal["voice", "chat", "email", "outbound"] = "voice"
    attributes: dict[str, str | int | float | bool | list[str] | None] = Field(default_factory=dict)
    priority: int = Field(0, ge=-100, le=100)
    value_boost: int = Field(0, ge=0, le=100)


class CandidateOut(BaseModel):
    agent_id: str
    eligible: bool
    reason: str
    sort_key: list[Any] | None = Field(description="what the strategy ranked by, if ranked")


class TraceEntryOut(BaseModel):
    trace_id: str
    at: float = Field(description="epoch seconds")
    task_id: str
    kind: str = Field(description="submitted, offer, waiting, step, rescinded, assigned, ...")
    summary: str
    candidates: list[CandidateOut]
    counts: dict[str, int]


class TraceOut(BaseModel):
    task_id: str
    source: Literal["router", "event_log"] = Field(
        description="router: live or recently ended; event_log: older tasks"
    )
    entries: list[TraceEntryOut]


class DryRunOut(BaseModel):
    plan_id: str | None = Field(description="the routing plan the task would follow")
    step_index: int | None
    queue_id: str | None
    would_offer_to: str | None = Field(description="the agent offered the task now, if any")
    effects: list[dict[str, Any]] = Field(description="what the engine would do, in order")
    trace: list[TraceEntryOut]


def _replica() -> Engine:
    runtime = current_runtime()

    def config() -> RoutingConfig:
        with runtime.db.session() as session:
            return load_routing_config(session)

    return current_engine(runtime.redis, config)[0]


@api.get("/tasks/<task_id>/trace", responses={200: TraceOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def trace(path: TracePath) -> Any:
    """Live tasks (and recently ended ones) from the engine; older ones from the event log."""
    entries = [e.to_dict() for e in _replica().trace(path.task_id)]
    source = "router"
    if not entries:
        with current_runtime().db.session() as session:
            if session.get(Interaction, path.task_id) is None:
                raise not_found("task", path.task_id, "task_id")
            rows = session.scalars(
                select(InteractionEvent)
                .where(InteractionEvent.interaction_id == path.task_id)
                .order_by(InteractionEvent.occurred_at, InteractionEvent.id)
            )
            entries = [entry for row in rows for entry in row.data.get("trace", [])]
            source = "event_log"
    return {"task_id": path.task_id, "source": source, "entries": entries}


@api.post("/routing/dry-run", responses={200: DryRunOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def dry_run(body: DryRunIn) -> Any:
    """Which plan, step, queue and agent a task with these attributes would get now, and why."""
    engine = _replica()
    task_id = f"dry-run-{uuid.uuid4().hex[:12]}"
    try:
        effects = engine.apply(
            ev.TaskSubmitted(
                task_id=task_id,
                channel=body.channel,
                attributes=dict(body.attributes),
                priority=body.priority,
                value_boost=body.value_boost,
                created_at=time.time(),
            ),
            time.time(),
        )
    except ev.InvalidEvent as exc:
        raise ApiError(422, "validation_error", exc.message, exc.field) from None
    mine = [e for e in effects if fx.task_of(e) == task_id]
    queued = next((e for e in mine if isinstance(e, fx.TaskQueued)), None)
    offer = next((e for e in mine if isinstance(e, fx.OfferCreated)), None)
    placed = offer or queued  # the queue it is offered from, else the one it waits in
    return {
        "plan_id": queued.plan_id if queued else None,
        "step_index": queued.step_index if queued else None,
        "queue_id": placed.queue_id if placed else None,
        "would_offer_to": offer.agent_id if offer else None,
        "effects": [e.to_dict() for e in mine],
        "trace": [e.to_dict() for e in engine.trace(task_id)],
    }
