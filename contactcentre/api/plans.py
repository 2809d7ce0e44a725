"""/api/v1/routing-plans: workflows that pick a plan by task attributes and walk its steps.

Each plan is validated by the routing engine's own RoutingPlan before it is stored.
"""

from __future__ import annotations

from typing import Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.api.queues import check_expression
from contactcentre.auth.access import require_api_role
from contactcentre.errors import ApiError, conflict
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.router.client import RoutingClient
from contactcentre.router.config_loader import plan_step
from contactcentre.store.models import Queue, Role, RoutingPlan
from contactcentre.webapi.common import ERRORS, SECURITY, Body, Id, Page, get_or_404, paginate
from routing.config import ConfigError
from routing.config import RoutingPlan as EnginePlan

api = APIBlueprint(
    "plans",
    __name__,
    url_prefix="/api/v1/routing-plans",
    abp_tags=[Tag(name="routing plans")],
    abp_security=SECURITY,
)


class StepIn(Body):
    queue_id: Id | None = Field(None, description="wait in this queue (or give an exit)")
    expression: str | None = Field(None, max_length=1000, description="extra agent filter")
    priority_change: int = Field(0, ge=-100, le=100)
    timeout_seconds: float | None = Field(None, gt=0, le=86_400, description="null = wait here")
    exit: Literal["callback", "voicemail", "message"] | None = None


class PlanFields(Body):
    filter: str = Field(
        "true",
        min_length=1,
        max_length=1000,
        description='over task attributes, e.g. intent == "billing"',
    )
    priority: int = Field(0, ge=-1000, le=1000, description="plans are tried highest first")
    steps: list[StepIn] = Field(min_length=1, max_length=20)
    max_wait_seconds: int = Field(900, ge=1, le=86_400)
    max_value_boost: int = Field(5, ge=0, le=100)
    preferred_agent_seconds: int = Field(15, ge=0, le=3600)
    active: bool = True


class PlanIn(PlanFields):
    name: str = Field(min_length=1, max_length=80)


class PlanPatch(Body):
    name: str | None = Field(None, min_length=1, max_length=80)
    filter: str | None = Field(None, min_length=1, max_length=1000)
    priority: int | None = Field(None, ge=-1000, le=1000)
    steps: list[StepIn] | None = Field(None, min_length=1, max_length=20)
    max_wait_seconds: int | None = Field(None, ge=1, le=86_400)
    max_value_boost: int | None = Field(None, ge=0, le=100)
    preferred_agent_seconds: int | None = Field(None, ge=0, le=3600)
    active: bool | None = None


class PlanOut(PlanIn):
    model_config = ConfigDict(extra="ignore", strict=False)  # read from the database
    id: int


class PlanList(BaseModel):
    items: list[PlanOut]
    total: int


class PlanPath(BaseModel):
    plan_id: Id


FIELDS = list(PlanIn.model_fields)


def _out(plan: RoutingPlan) -> dict[str, Any]:
    return PlanOut(id=plan.id, **{f: getattr(plan, f) for f in FIELDS}).model_dump()


def _validate(session: Session, plan: RoutingPlan) -> None:
    """The engine's own rules, plus: every step's queue exists."""
    check_expression(plan.filter, "filter")
    known = set(session.scalars(select(Queue.id)))
    for index, step in enumerate(plan.steps):
        if step.get("expression"):
            check_expression(step["expression"], f"steps[{index}].expression")
        if step.get("queue_id") is not None and step["queue_id"] not in known:
            raise ApiError(
                422,
                "validation_error",
                f"no queue with id {step['queue_id']}",
                f"steps[{index}].queue_id",
            )
    try:
        EnginePlan(
            id=str(plan.id or "new"),
            name=plan.name,
            filter=plan.filter,
            priority=plan.priority,
            steps=[plan_step(s) for s in plan.steps],
            max_wait_seconds=plan.max_wait_seconds,
            max_value_boost=plan.max_value_boost,
            preferred_agent_seconds=plan.preferred_agent_seconds,
        )
    except ConfigError as exc:
        raise ApiError(422, "validation_error", str(exc), exc.field) from None
    other = session.scalars(select(RoutingPlan).where(RoutingPlan.name == plan.name)).first()
    if other is not None and other is not plan:
        raise conflict("name", f"a routing plan named {plan.name!r} already exists")


def _publish(session: Session) -> None:
    RoutingClient(current_runtime().redis).config_changed(session)


@api.get("", responses={200: PlanList, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def list_plans(query: Page) -> Any:
    with current_runtime().db.session() as session:
        stmt = select(RoutingPlan).order_by(RoutingPlan.priority.desc(), RoutingPlan.id)
        rows, total = paginate(session, stmt, query)
        return {"items": [_out(p) for p in rows], "total": total}


@api.post("", responses={201: PlanOut, **ERRORS})
@require_api_role(Role.ADMIN)
def create_plan(body: PlanIn) -> Any:
    with current_runtime().db.session() as session:
        data = body.model_dump()
        plan = RoutingPlan(**data)
        with session.no_autoflush:
            _validate(session, plan)
        session.add(plan)
        session.flush()
        audit(session, "routing_plan.create", "routing_plan", plan.id, data)
        _publish(session)
        return _out(plan), 201


@api.get("/<int:plan_id>", responses={200: PlanOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def get_plan(path: PlanPath) -> Any:
    with current_runtime().db.session() as session:
        return _out(get_or_404(session, RoutingPlan, path.plan_id, "routing plan"))


@api.patch("/<int:plan_id>", responses={200: PlanOut, **ERRORS})
@require_api_role(Role.ADMIN)
def update_plan(path: PlanPath, body: PlanPatch) -> Any:
    with current_runtime().db.session() as session:
        plan = get_or_404(session, RoutingPlan, path.plan_id, "routing plan")
        changes = body.model_dump(exclude_unset=True, exclude_none=True)
        with session.no_autoflush:
            for key, value in changes.items():
                setattr(plan, key, value)
            _validate(session, plan)
        audit(session, "routing_plan.update", "routing_plan", plan.id, changes)
        _publish(session)
        return _out(plan)


@api.delete("/<int:plan_id>", responses={204: None, **ERRORS})
@require_api_role(Role.ADMIN)
def delete_plan(path: PlanPath) -> Any:
    with current_runtime().db.session() as session:
        plan = get_or_404(session, RoutingPlan, path.plan_id, "routing plan")
        audit(session, "routing_plan.delete", "routing_plan", plan.id, {"name": plan.name})
        session.delete(plan)
        _publish(session)
        return "", 204
