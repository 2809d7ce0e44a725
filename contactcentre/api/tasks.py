"""/api/v1/tasks and /api/v1/reservations: the CTI call-control API over the ACD.

Submit work, accept or reject an offer, complete, cancel, transfer, requeue, see the estimate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, model_validator

from contactcentre.auth.access import api_user, require_api_role
from contactcentre.customers.lookup import get_customer
from contactcentre.errors import ApiError, conflict, not_found
from contactcentre.interactions.opening import open_interaction
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import Agent, Interaction, Queue, Role
from contactcentre.webapi.common import ERRORS, SECURITY, Accepted, Body, Id, accepted

api = APIBlueprint(
    "tasks", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="tasks")], abp_security=SECURITY
)

Channel = Literal["voice", "chat", "email", "outbound"]
AttributeValue = str | int | float | bool | list[str] | None


class TaskIn(Body):
    channel: Channel
    attributes: dict[str, AttributeValue] = Field(
        default_factory=dict, description='routing attributes, e.g. {"intent": "billing"}'
    )
    priority: int = Field(0, ge=-100, le=100)
    customer_id: Id | None = None
    queue_id: Id | None = Field(None, description="route straight to this queue")
    external_id: str | None = Field(None, min_length=1, max_length=64, description="e.g. a CallSid")


class TaskOut(BaseModel):
    task_id: str
    interaction_id: str
    status: str


class TaskPath(BaseModel):
    task_id: str = Field(max_length=64)


class ReservationPath(BaseModel):
    reservation_id: str = Field(max_length=64)


class RejectIn(Body):
    reason: str | None = Field(None, max_length=200)


class CancelIn(Body):
    reason: str = Field("canceled_by_supervisor", min_length=1, max_length=64)


class TaskTransferIn(Body):
    queue_id: Id | None = None
    agent_id: Id | None = None
    reason: str = Field("", max_length=200)

    @model_validator(mode="after")
    def _one_target(self) -> TaskTransferIn:
        if (self.queue_id is None) == (self.agent_id is None):
            raise ValueError("give exactly one of queue_id or agent_id")
        return self


class EstimateOut(BaseModel):
    queue_id: str
    position: int
    ewt_seconds: float | None = Field(description="estimated wait; null when nobody is staffed")


def _client() -> RoutingClient:
    return RoutingClient(current_runtime().redis)


def _interaction(session: Any, task_id: str) -> Interaction:
    interaction: Interaction | None = session.get(Interaction, task_id)
    if interaction is None:
        raise not_found("task", task_id, "task_id")
    return interaction


def _own_agent_id() -> int | None:
    user = api_user()
    return user.agent.id if user.agent is not None else None


def _check_handler(interaction: Interaction) -> None:
    """Agents may act only on contacts assigned to them; supervisors on any."""
    if api_user().has_role(Role.SUPERVISOR):
        return
    mine = _own_agent_id()
    # The router's Redis projection is current; the SQL row catches up through the event log.
    assigned = _client().assigned_agent(interaction.id) or interaction.agent_id
    if mine is None or str(assigned) != str(mine):
        raise ApiError(403, "forbidden", "this contact is not assigned to you", "task_id")


@api.post("/tasks", responses={201: TaskOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def submit(body: TaskIn) -> Any:
    """Create a contact and ask the router to route it.

    `external_id` (e.g. a CallSid) is unique within its channel: a task whose channel and
    external_id an earlier task already has is refused with 409 `duplicate` (field
    `external_id`) and nothing is created, so a retried submit never makes a second contact.
    The first answer is not replayed; the first task stands.
    """
    with current_runtime().db.session() as session:
        customer = None
        if body.customer_id is not None:
            customer = get_customer(session, body.customer_id)
            if customer is None:
                raise ApiError(
                    422,
                    "validation_error",
                    f"no customer with id {body.customer_id}",
                    "customer_id",
                )
        attributes = dict(body.attributes)
        if body.queue_id is not None:
            if session.get(Queue, body.queue_id) is None:
                raise ApiError(
                    422, "validation_error", f"no queue with id {body.queue_id}", "queue_id"
                )
            attributes["queue_id"] = str(body.queue_id)
        now = datetime.now(UTC)
        opened = open_interaction(
            session,
            channel=body.channel,
            external_id=body.external_id,
            customer_id=customer.id if customer else None,
            attributes=attributes,
            actor="api",
            at=now,
        )
        if not opened.created:
            raise conflict(
                "external_id",
                f"a {body.channel} task with external_id {body.external_id!r} exists already "
                f"({opened.interaction.id}); use it, or send another external_id",
            )
        interaction = opened.interaction
        _client().submit(session, interaction, attributes, priority=body.priority, at=now)
        return {
            "task_id": interaction.id,
            "interaction_id": interaction.id,
            "status": interaction.status,
        }, 201


@api.get("/tasks/<task_id>/estimate", responses={200: EstimateOut, **ERRORS})
@require_api_role(Role.AGENT)
def estimate(path: TaskPath) -> Any:
    found = _client().estimate(path.task_id)
    if found is None:
        raise ApiError(404, "not_waiting", "the task is not waiting in a queue", "task_id")
    return found


@api.post("/tasks/<task_id>/complete", responses={202: Accepted, **ERRORS})
@require_api_role(Role.AGENT)
def complete(path: TaskPath) -> Any:
    with current_runtime().db.session() as session:
        _check_handler(_interaction(session, path.task_id))
    _client().complete(path.task_id)
    return accepted()


@api.post("/tasks/<task_id>/cancel", responses={202: Accepted, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def cancel(path: TaskPath, body: CancelIn) -> Any:
    with current_runtime().db.session() as session:
        _interaction(session, path.task_id)
        audit(session, "task.cancel", "task", path.task_id, {"reason": body.reason})
    _client().cancel(path.task_id, body.reason)
    return accepted()


@api.post("/tasks/<task_id>/transfer", responses={202: Accepted, **ERRORS})
@require_api_role(Role.AGENT)
def transfer(path: TaskPath, body: TaskTransferIn) -> Any:
    with current_runtime().db.session() as session:
        _check_handler(_interaction(session, path.task_id))
        if body.queue_id is not None and session.get(Queue, body.queue_id) is None:
            raise ApiError(422, "validation_error", f"no queue with id {body.queue_id}", "queue_id")
        if body.agent_id is not None and session.get(Agent, body.agent_id) is None:
            raise ApiError(422, "validation_error", f"no agent with id {body.agent_id}", "agent_id")
    _client().transfer(
        path.task_id,
        queue_id=None if body.queue_id is None else str(body.queue_id),
        agent_id=None if body.agent_id is None else str(body.agent_id),
        reason=body.reason,
    )
    return accepted()


@api.post("/tasks/<task_id>/requeue", responses={202: Accepted, **ERRORS})
@require_api_role(Role.AGENT)
def requeue(path: TaskPath) -> Any:
    with current_runtime().db.session() as session:
        _check_handler(_interaction(session, path.task_id))
    _client().requeue(path.task_id, "requeued")
    return accepted()


def _own_reservation(reservation_id: str) -> Any:
    reservation = _client().reservation(reservation_id)
    if reservation is None:
        raise not_found("reservation", reservation_id, "reservation_id")
    if reservation.agent_id != str(_own_agent_id()):
        raise ApiError(403, "forbidden", "this offer was made to another agent", "reservation_id")
    if reservation.state != "offered":
        raise ApiError(
            409, "offer_closed", f"the offer is already {reservation.state}", "reservation_id"
        )
    return reservation


@api.post("/reservations/<reservation_id>/accept", responses={202: Accepted, **ERRORS})
@require_api_role(Role.AGENT)
def accept(path: ReservationPath) -> Any:
    _own_reservation(path.reservation_id)
    _client().accept(path.reservation_id)
    return accepted()


@api.post("/reservations/<reservation_id>/reject", responses={202: Accepted, **ERRORS})
@require_api_role(Role.AGENT)
def reject(path: ReservationPath, body: RejectIn) -> Any:
    _own_reservation(path.reservation_id)
    _client().reject(path.reservation_id, body.reason)
    return accepted()
