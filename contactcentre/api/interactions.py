"""/api/v1/interactions: one contact with its screen pop, its wrap-up, and a customer's history.

Agents see in full only contacts offered or assigned to them, and the history of customers they
may see (api.customer_access); supervisors see every contact.
"""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.api.customer_access import require_visible, visible_customer
from contactcentre.auth.access import api_user, require_api_role
from contactcentre.cti.access import may_see_interaction
from contactcentre.cti.cache import PopProvider
from contactcentre.cti.pop import history_row
from contactcentre.cti.wrapup import (
    MAX_NOTES,
    WrapUpError,
    active_dispositions,
    has_wrapped_up,
    wrap_up,
)
from contactcentre.customers.lookup import get_customer
from contactcentre.customers.risk import policy_from
from contactcentre.errors import ApiError, not_found
from contactcentre.platform.runtime import current_runtime
from contactcentre.realtime.desk import Desk
from contactcentre.realtime.emitter import emitter_for
from contactcentre.realtime.rooms import agent_room, interaction_room
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import Agent, CustomerNote, Disposition, Interaction, Role, User
from contactcentre.webapi.common import ERRORS, SECURITY, Body, Id

api = APIBlueprint(
    "interactions",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="interactions")],
    abp_security=SECURITY,
)


class InteractionPath(BaseModel):
    interaction_id: str = Field(max_length=64)


class CustomerPath(BaseModel):
    customer_id: Id


class WrapUpIn(Body):
    disposition_code: str = Field(min_length=1, max_length=40, description="see GET /dispositions")
    notes: str = Field("", max_length=MAX_NOTES, description="required when the code requires_note")


class LinkIn(Body):
    customer_id: Id = Field(description="the customer this contact is with")


class DispositionOut(BaseModel):
    code: str
    label: str
    resolved: bool = Field(description="counts toward first-contact resolution")
    requires_note: bool


class DispositionList(BaseModel):
    items: list[DispositionOut]


class InteractionSummary(BaseModel):
    id: str
    channel: str
    direction: str
    status: str
    queue_id: int | None
    agent_id: int | None
    customer_id: int | None
    intent: str | None
    created_at: str = Field(description="ISO 8601")
    ended_at: str | None
    disposition: str | None = Field(description="the wrap-up code")
    wrap_up_notes: str | None


class HistoryRow(BaseModel):
    interaction_id: str
    at: float = Field(description="epoch seconds")
    channel: str
    direction: str
    intent: str | None
    outcome: str = Field(description="the disposition's label, else the contact's status")
    agent: str | None


class ScreenPop(BaseModel):
    """What the agent sees as the contact arrives (cti.pop); the CRM may add to it later."""

    model_config = ConfigDict(extra="allow")
    interaction_id: str
    channel: str
    queue: dict[str, Any] | None = Field(description="id and name")
    caller: dict[str, Any] = Field(description="number and kind, or a chat visitor's name")
    customer: dict[str, Any] | None = Field(description="null when the caller is unknown")
    candidates: list[dict[str, Any]] = Field(description="others who hold the caller's number")
    unknown: bool
    new_customer: dict[str, Any] | None = Field(description="a starting point to create one")
    language: str | None
    ivr: dict[str, Any] = Field(description="the caller's path, intent and verification")
    queued_at: float = Field(description="epoch seconds")
    history: list[HistoryRow] = Field(description="the customer's latest contacts")
    notes: list[dict[str, Any]] = Field(description="open notes on the customer")
    retention: dict[str, Any] | None = Field(description="the offer, for at-risk customers")
    script: dict[str, Any] | None
    crm: dict[str, Any] = Field(description="the CRM look-up's status and what it found")


class InteractionOut(BaseModel):
    interaction: InteractionSummary
    pop: ScreenPop | None


class LinkOut(BaseModel):
    interaction_id: str
    pop: ScreenPop | None = Field(description="rebuilt for the customer now linked")


class WrapUpOut(BaseModel):
    interaction_id: str
    disposition: str


class HistoryNote(BaseModel):
    id: int
    body: str
    at: float = Field(description="epoch seconds")


class HistoryOut(BaseModel):
    items: list[HistoryRow] = Field(description="newest first, at most 500")
    notes: list[HistoryNote] = Field(description="open notes, newest first")


def _visible(session: Any, interaction_id: str) -> Interaction:
    """The interaction if the caller may see it: 404 if unknown, 403 if someone else's."""
    interaction: Interaction | None = session.get(Interaction, interaction_id)
    if interaction is None:
        raise not_found("interaction", interaction_id, "interaction_id")
    if not may_see_interaction(session, Desk(current_runtime().redis), api_user(), interaction_id):
        raise ApiError(
            403, "forbidden", "this contact is not offered or assigned to you", "interaction_id"
        )
    return interaction


def _summary(session: Any, interaction: Interaction) -> dict[str, Any]:
    disposition = (
        session.get(Disposition, interaction.disposition_id) if interaction.disposition_id else None
    )
    return {
        "id": interaction.id,
        "channel": interaction.channel,
        "direction": interaction.direction,
        "status": interaction.status,
        "queue_id": interaction.queue_id,
        "agent_id": interaction.agent_id,
        "customer_id": interaction.customer_id,
        "intent": interaction.intent,
        "created_at": interaction.created_at.isoformat(),
        "ended_at": interaction.ended_at.isoformat() if interaction.ended_at else None,
        "disposition": disposition.code if disposition else None,
        "wrap_up_notes": interaction.wrap_up_notes,
    }


def _pops() -> PopProvider:
    runtime = current_runtime()
    settings = runtime.settings
    return PopProvider(
        runtime.db, runtime.redis, settings.default_phone_region, policy_from(settings)
    )


@api.get("/interactions/<interaction_id>", responses={200: InteractionOut, **ERRORS})
@require_api_role(Role.AGENT)
def get_interaction(path: InteractionPath) -> Any:
    """The contact and its screen pop (caller, value, IVR path, history, notes, script, offer)."""
    with current_runtime().db.session() as session:
        interaction = _visible(session, path.interaction_id)
        summary = _summary(session, interaction)
    return {"interaction": summary, "pop": _pops().get(path.interaction_id)}


@api.post("/interactions/<interaction_id>/wrap-up", responses={200: WrapUpOut, **ERRORS})
@require_api_role(Role.AGENT)
def post_wrap_up(path: InteractionPath, body: WrapUpIn) -> Any:
    """Save the disposition (and notes); ends after-call work (WrapUpEnded to the router)."""
    runtime = current_runtime()
    user = api_user()
    desk = Desk(runtime.redis)
    with runtime.db.session() as session:
        interaction = _visible(session, path.interaction_id)
        agent_id = _wrapping_agent(session, user, interaction, desk)
        task = desk.get_task(str(agent_id), path.interaction_id)
        ended = task is not None and task.get("status") in ("ended", "wrap_up")
        try:
            disposition = wrap_up(
                session,
                interaction,
                agent_id=agent_id,
                code=body.disposition_code,
                notes=body.notes,
                ended=ended,
            )
        except WrapUpError as exc:
            raise ApiError(exc.status, exc.code, exc.message, exc.field) from None
        result = {"interaction_id": interaction.id, "disposition": disposition.code}
    RoutingClient(runtime.redis).wrap_up_done(agent_id, path.interaction_id)
    desk.task_done(str(agent_id), path.interaction_id)
    emitter_for(runtime).emit_many(
        [agent_room(agent_id), interaction_room(path.interaction_id)],
        "wrap_up_done",
        {
            "task_id": path.interaction_id,
            "agent_id": str(agent_id),
            "disposition": disposition.code,
        },
    )
    return result


def _wrapping_agent(session: Session, user: User, interaction: Interaction, desk: Desk) -> int:
    """Whose after-call work this is: an agent wraps up their own part of the contact (the
    first agent of a transferred one too); a supervisor, the current agent's."""
    own = user.agent.id if user.agent is not None else None
    if own is not None and (
        own == interaction.agent_id
        or desk.get_task(str(own), interaction.id) is not None
        or has_wrapped_up(session, interaction.id, own)  # then told so, not forbidden
    ):
        return own
    if not user.has_role(Role.SUPERVISOR):
        raise ApiError(403, "forbidden", "only the contact's agent wraps it up", "interaction_id")
    current = interaction.agent_id or _desk_agent(desk, interaction.id)
    if current is None:
        raise ApiError(409, "not_assigned", "nobody has handled this contact yet", "interaction_id")
    return current


def _desk_agent(desk: Desk, interaction_id: str) -> int | None:
    agent = desk.agent_of(interaction_id)
    return int(agent) if agent and agent.isdigit() else None


@api.post("/interactions/<interaction_id>/customer", responses={200: LinkOut, **ERRORS})
@require_api_role(Role.AGENT)
def link_customer(path: InteractionPath, body: LinkIn) -> Any:
    """Say who the caller is (e.g. after creating them from an unknown number); new pop."""
    with current_runtime().db.session() as session:
        interaction = _visible(session, path.interaction_id)
        if get_customer(session, body.customer_id) is None:
            raise ApiError(
                422, "validation_error", f"no customer with id {body.customer_id}", "customer_id"
            )
        # Linking shows the record in the pop: only a customer the agent may already see.
        require_visible(session, body.customer_id)
        interaction.customer_id = body.customer_id
    pops = _pops()
    pops.forget(path.interaction_id)
    return {"interaction_id": path.interaction_id, "pop": pops.get(path.interaction_id)}


@api.get("/customers/<int:customer_id>/interactions", responses={200: HistoryOut, **ERRORS})
@require_api_role(Role.AGENT)
def customer_history(path: CustomerPath) -> Any:
    """The customer's whole contact history, newest first (date, channel, outcome, agent), and
    open notes."""
    with current_runtime().db.session() as session:
        visible_customer(session, path.customer_id)
        rows = session.execute(
            select(Interaction, Disposition.label, Agent.display_name)
            .outerjoin(Disposition, Interaction.disposition_id == Disposition.id)
            .outerjoin(Agent, Interaction.agent_id == Agent.id)
            .where(Interaction.customer_id == path.customer_id)
            .order_by(Interaction.created_at.desc())
            .limit(500)
        ).all()
        notes = session.scalars(
            select(CustomerNote)
            .where(CustomerNote.customer_id == path.customer_id, CustomerNote.open.is_(True))
            .order_by(CustomerNote.created_at.desc())
        )
        return {
            "items": [history_row(i, label, agent) for i, label, agent in rows],
            "notes": [{"id": n.id, "body": n.body, "at": n.created_at.timestamp()} for n in notes],
        }


@api.get("/dispositions", responses={200: DispositionList, **ERRORS})
@require_api_role(Role.AGENT)
def dispositions() -> Any:
    """Wrap-up codes agents choose from; some require a note."""
    with current_runtime().db.session() as session:
        items = [
            DispositionOut(
                code=d.code, label=d.label, resolved=d.resolved, requires_note=d.requires_note
            ).model_dump()
            for d in active_dispositions(session)
        ]
    return {"items": items}
