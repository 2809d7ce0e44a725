"""/api/v1/canned-responses: administrators keep the list; agents get it filled in for a chat."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import or_, select

from contactcentre.auth.access import api_user, require_api_role
from contactcentre.chat.canned import render, unknown_placeholders
from contactcentre.cti.access import may_see_interaction
from contactcentre.errors import ApiError
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.realtime.desk import Desk
from contactcentre.store.models import (
    Agent,
    CannedResponse,
    ChatConversation,
    Customer,
    Interaction,
    Queue,
    Role,
)
from contactcentre.webapi.common import ERRORS, SECURITY, Body, Id, get_or_404

api = APIBlueprint(
    "canned_responses",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="canned responses")],
    abp_security=SECURITY,
)


class CannedIn(Body):
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=4000)
    queue_id: Id | None = None
    active: bool = True

    @field_validator("body")
    @classmethod
    def _known_variables(cls, value: str) -> str:
        unknown = unknown_placeholders(value)
        if unknown:
            raise ValueError(
                f"unknown variable {{{unknown[0]}}}; use {{customer_name}}, {{agent_name}} "
                "or {order_number}"
            )
        return value


class CannedOut(BaseModel):
    id: int
    title: str
    body: str = Field(description="with its {variables}")
    text: str = Field(description="the body filled in for the chat given, else the body")
    queue_id: int | None = Field(description="null: offered in every queue")
    active: bool


class CannedList(BaseModel):
    items: list[CannedOut]


class CannedPath(BaseModel):
    canned_id: Id


class CannedQuery(BaseModel):
    interaction_id: str | None = Field(
        None, min_length=1, max_length=64, description="fill in this chat's values"
    )


def _out(row: CannedResponse, text: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "body": row.body,
        "text": text if text is not None else row.body,
        "queue_id": row.queue_id,
        "active": row.active,
    }


@api.get("/canned-responses", responses={200: CannedList, **ERRORS})
@require_api_role(Role.AGENT)
def list_canned(query: CannedQuery) -> Any:
    """Active responses (for the chat's queue and every queue), filled in when a chat is given."""
    runtime = current_runtime()
    with runtime.db.session() as session:
        values: dict[str, Any] = {}
        queue_id = None
        if query.interaction_id:
            if not may_see_interaction(
                session, Desk(runtime.redis), api_user(), query.interaction_id
            ):
                raise ApiError(403, "forbidden", "this chat is not yours", "interaction_id")
            values, queue_id = _values(session, query.interaction_id)
        stmt = select(CannedResponse).where(CannedResponse.active.is_(True))
        if queue_id is not None:
            stmt = stmt.where(
                or_(CannedResponse.queue_id.is_(None), CannedResponse.queue_id == queue_id)
            )
        rows = session.scalars(stmt.order_by(CannedResponse.title))
        return {"items": [_out(row, render(row.body, values)) for row in rows]}


def _values(session: Any, interaction_id: str) -> tuple[dict[str, Any], int | None]:
    interaction = session.get(Interaction, interaction_id)
    if interaction is None:
        raise ApiError(404, "not_found", f"no interaction {interaction_id}", "interaction_id")
    conversation = session.scalars(
        select(ChatConversation).where(ChatConversation.interaction_id == interaction_id)
    ).first()
    customer = session.get(Customer, interaction.customer_id) if interaction.customer_id else None
    name = None
    if customer is not None:
        name = " ".join(p for p in (customer.first_name, customer.last_name) if p) or None
    if name is None and conversation is not None:
        name = conversation.visitor_name
    user = api_user()
    agent: Agent | None = user.agent
    attributes = interaction.attributes or {}
    values = {
        "customer_name": name,
        "agent_name": agent.display_name if agent else user.name,
        "order_number": attributes.get("order_number"),
    }
    return values, interaction.queue_id


@api.post("/canned-responses", responses={201: CannedOut, **ERRORS})
@require_api_role(Role.ADMIN)
def create_canned(body: CannedIn) -> Any:
    with current_runtime().db.session() as session:
        if body.queue_id is not None:
            get_or_404(session, Queue, body.queue_id, "queue", "queue_id")
        row = CannedResponse(**body.model_dump())
        session.add(row)
        session.flush()
        audit(session, "canned_response.create", "canned_response", row.id, {"title": row.title})
        session.commit()
        return _out(row), 201


@api.put("/canned-responses/<int:canned_id>", responses={200: CannedOut, **ERRORS})
@require_api_role(Role.ADMIN)
def update_canned(path: CannedPath, body: CannedIn) -> Any:
    with current_runtime().db.session() as session:
        row = get_or_404(session, CannedResponse, path.canned_id, "canned response", "canned_id")
        if body.queue_id is not None:
            get_or_404(session, Queue, body.queue_id, "queue", "queue_id")
        for key, value in body.model_dump().items():
            setattr(row, key, value)
        audit(session, "canned_response.update", "canned_response", row.id, {"title": row.title})
        session.commit()
        return _out(row)


@api.delete("/canned-responses/<int:canned_id>", responses={204: None, **ERRORS})
@require_api_role(Role.ADMIN)
def delete_canned(path: CannedPath) -> Any:
    with current_runtime().db.session() as session:
        row = get_or_404(session, CannedResponse, path.canned_id, "canned response", "canned_id")
        session.delete(row)
        audit(session, "canned_response.delete", "canned_response", path.canned_id)
        session.commit()
        return "", 204
