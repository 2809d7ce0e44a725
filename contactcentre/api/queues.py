"""/api/v1/queues: which agents may take a queue's work (expression) and in which order.

Expressions are checked by the routing engine's parser; errors name the character position.
"""

from __future__ import annotations

from typing import Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.auth.access import require_api_role
from contactcentre.errors import ApiError, conflict
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import Queue, Role, RoutingPlan, Skill
from contactcentre.webapi.common import ERRORS, SECURITY, Body, Id, Page, get_or_404, paginate
from routing.expression import ExpressionError, parse

api = APIBlueprint(
    "queues",
    __name__,
    url_prefix="/api/v1/queues",
    abp_tags=[Tag(name="queues")],
    abp_security=SECURITY,
)

Strategy = Literal[
    "longest_idle",
    "most_skilled",
    "round_robin",
    "fewest_handled",
    "weighted_random",
    "least_needed",  # keeps cross-trained agents free for the queues that need them
]


class QueueFields(Body):
    description: str = Field("", max_length=255)
    expression: str = Field(
        "true",
        min_length=1,
        max_length=1000,
        description='agent selection, e.g. skills.billing >= 5 and "es" in languages',
    )
    strategy: Strategy = "longest_idle"
    skill: str | None = Field(None, description="skill whose level 'most_skilled' ranks by")
    wrap_up_seconds: int = Field(30, ge=0, le=3600)
    offer_timeout_seconds: int = Field(20, ge=5, le=300)
    max_missed_offers: int = Field(3, ge=1, le=20)
    sla_target_seconds: int = Field(20, ge=1, le=86_400)
    sla_target_percent: int = Field(80, ge=1, le=100)
    short_abandon_seconds: int = Field(5, ge=0, le=120)


class QueueIn(QueueFields):
    name: str = Field(min_length=1, max_length=80)


class QueuePatch(Body):
    name: str | None = Field(None, min_length=1, max_length=80)
    description: str | None = Field(None, max_length=255)
    expression: str | None = Field(None, min_length=1, max_length=1000)
    strategy: Strategy | None = None
    skill: str | None = None
    wrap_up_seconds: int | None = Field(None, ge=0, le=3600)
    offer_timeout_seconds: int | None = Field(None, ge=5, le=300)
    max_missed_offers: int | None = Field(None, ge=1, le=20)
    sla_target_seconds: int | None = Field(None, ge=1, le=86_400)
    sla_target_percent: int | None = Field(None, ge=1, le=100)
    short_abandon_seconds: int | None = Field(None, ge=0, le=120)


class QueueOut(QueueIn):
    model_config = ConfigDict(extra="ignore", strict=False)  # read from the database
    id: int


class QueueList(BaseModel):
    items: list[QueueOut]
    total: int


class QueuePath(BaseModel):
    queue_id: Id


FIELDS = list(QueueIn.model_fields)


def _out(queue: Queue) -> dict[str, Any]:
    return QueueOut(id=queue.id, **{f: getattr(queue, f) for f in FIELDS}).model_dump()


def check_expression(text: str, field: str = "expression") -> None:
    try:
        parse(text)
    except ExpressionError as exc:
        raise ApiError(422, "invalid_expression", str(exc), field) from None


def _check(session: Session, changes: dict[str, Any], queue_id: int | None = None) -> None:
    if "expression" in changes:
        check_expression(changes["expression"])
    skill = changes.get("skill")
    if skill is not None and not session.scalars(select(Skill).where(Skill.name == skill)).first():
        raise ApiError(422, "validation_error", f"unknown skill {changes['skill']!r}", "skill")
    if "name" in changes:
        other = session.scalars(select(Queue).where(Queue.name == changes["name"])).first()
        if other is not None and other.id != queue_id:
            raise conflict("name", f"a queue named {changes['name']!r} already exists")


@api.get("", responses={200: QueueList, **ERRORS})
@require_api_role(Role.AGENT)
def list_queues(query: Page) -> Any:
    with current_runtime().db.session() as session:
        rows, total = paginate(session, select(Queue).order_by(Queue.name), query)
        return {"items": [_out(q) for q in rows], "total": total}


@api.post("", responses={201: QueueOut, **ERRORS})
@require_api_role(Role.ADMIN)
def create_queue(body: QueueIn) -> Any:
    with current_runtime().db.session() as session:
        data = body.model_dump()
        _check(session, data)
        queue = Queue(**data)
        session.add(queue)
        session.flush()
        audit(session, "queue.create", "queue", queue.id, data)
        RoutingClient(current_runtime().redis).config_changed(session)
        return _out(queue), 201


@api.get("/<int:queue_id>", responses={200: QueueOut, **ERRORS})
@require_api_role(Role.AGENT)
def get_queue(path: QueuePath) -> Any:
    with current_runtime().db.session() as session:
        return _out(get_or_404(session, Queue, path.queue_id, "queue"))


@api.patch("/<int:queue_id>", responses={200: QueueOut, **ERRORS})
@require_api_role(Role.ADMIN)
def update_queue(path: QueuePath, body: QueuePatch) -> Any:
    with current_runtime().db.session() as session:
        queue = get_or_404(session, Queue, path.queue_id, "queue")
        changes = body.model_dump(exclude_unset=True)
        nullable = {"skill"}
        changes = {k: v for k, v in changes.items() if v is not None or k in nullable}
        _check(session, changes, queue.id)
        for key, value in changes.items():
            setattr(queue, key, value)
        audit(session, "queue.update", "queue", queue.id, changes)
        RoutingClient(current_runtime().redis).config_changed(session)
        return _out(queue)


@api.delete("/<int:queue_id>", responses={204: None, **ERRORS})
@require_api_role(Role.ADMIN)
def delete_queue(path: QueuePath) -> Any:
    with current_runtime().db.session() as session:
        queue = get_or_404(session, Queue, path.queue_id, "queue")
        users = [
            plan.name
            for plan in session.scalars(select(RoutingPlan))
            if any(step.get("queue_id") == queue.id for step in plan.steps)
        ]
        if users:
            raise ApiError(
                409, "in_use", f"queue is used by routing plan(s) {', '.join(users)}", "queue_id"
            )
        audit(session, "queue.delete", "queue", queue.id, {"name": queue.name})
        session.delete(queue)
        RoutingClient(current_runtime().redis).config_changed(session)
        return "", 204
