"""/api/v1/agents: agent profiles with skills (levels 1-10), attributes and channel capacity.

Capacity is validated by the routing engine's own CapacityProfile so both always agree.
"""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.auth.access import require_api_role
from contactcentre.customers.phones import InvalidPhone, normalize_phone
from contactcentre.errors import ApiError, conflict
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import Agent, AgentSkill, Role, Skill, User
from contactcentre.webapi.common import ERRORS, SECURITY, Body, Id, Page, get_or_404, paginate
from routing.config import CapacityProfile, ConfigError

api = APIBlueprint(
    "agents",
    __name__,
    url_prefix="/api/v1/agents",
    abp_tags=[Tag(name="agents")],
    abp_security=SECURITY,
)

AttributeValue = str | int | float | bool | list[str]


class AgentIn(Body):
    user_id: Id
    display_name: str = Field(min_length=1, max_length=120)
    phone_number: str | None = Field(None, max_length=40, description="agent leg, any format")
    skills: dict[str, int] = Field(default_factory=dict, description="skill name -> level 1-10")
    attributes: dict[str, AttributeValue] = Field(
        default_factory=dict, description='e.g. {"languages": ["en", "es"], "team": "retention"}'
    )
    capacity: dict[str, Any] | None = Field(
        None, description="units/limits per channel and cross-channel rules; null = default"
    )


class AgentPatch(Body):
    display_name: str | None = Field(None, min_length=1, max_length=120)
    phone_number: str | None = Field(None, max_length=40)
    skills: dict[str, int] | None = None
    attributes: dict[str, AttributeValue] | None = None
    capacity: dict[str, Any] | None = None


class AgentOut(BaseModel):
    id: int
    user_id: int
    display_name: str
    email: str
    phone_number: str | None
    skills: dict[str, int]
    attributes: dict[str, Any]
    capacity: dict[str, Any] | None


class AgentList(BaseModel):
    items: list[AgentOut]
    total: int


class AgentPath(BaseModel):
    agent_id: Id


def _out(agent: Agent) -> dict[str, Any]:
    return AgentOut(
        id=agent.id,
        user_id=agent.user_id,
        display_name=agent.display_name,
        email=agent.user.email,
        phone_number=agent.phone_number,
        skills=agent.skill_levels(),
        attributes=agent.attributes,
        capacity=agent.capacity,
    ).model_dump()


def _phone(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        return normalize_phone(raw, current_runtime().settings.default_phone_region)
    except InvalidPhone as exc:
        raise ApiError(422, "validation_error", str(exc), "phone_number") from None


def _capacity(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        return CapacityProfile.from_dict(raw).to_dict()
    except ConfigError as exc:
        raise ApiError(422, "validation_error", str(exc), f"capacity.{exc.field}") from None
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ApiError(
            422, "validation_error", f"capacity is malformed: {exc}", "capacity"
        ) from None


def _set_skills(session: Session, agent: Agent, levels: dict[str, int]) -> None:
    known = {s.name: s for s in session.scalars(select(Skill).where(Skill.name.in_(levels)))}
    for name, level in levels.items():
        if name not in known:
            raise ApiError(422, "validation_error", f"unknown skill {name!r}", f"skills.{name}")
        if not 1 <= level <= 10:
            raise ApiError(422, "validation_error", "skill level must be 1-10", f"skills.{name}")
    # Update rows in place: replacing the collection would insert before the orphans are
    # deleted and trip the (agent, skill) unique constraint.
    current = {row.skill.name: row for row in agent.skills}
    for name, row in current.items():
        if name not in levels:
            agent.skills.remove(row)
    for name, level in levels.items():
        if name in current:
            current[name].level = level
        else:
            agent.skills.append(AgentSkill(skill=known[name], level=level))


@api.get("", responses={200: AgentList, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def list_agents(query: Page) -> Any:
    with current_runtime().db.session() as session:
        rows, total = paginate(session, select(Agent).order_by(Agent.display_name), query)
        return {"items": [_out(a) for a in rows], "total": total}


@api.post("", responses={201: AgentOut, **ERRORS})
@require_api_role(Role.ADMIN)
def create_agent(body: AgentIn) -> Any:
    with current_runtime().db.session() as session:
        user = session.get(User, body.user_id)
        if user is None:
            raise ApiError(422, "validation_error", f"no user with id {body.user_id}", "user_id")
        if user.agent is not None:
            raise conflict("user_id", f"user {user.id} is already agent {user.agent.id}")
        agent = Agent(
            user_id=user.id,
            display_name=body.display_name,
            phone_number=_phone(body.phone_number),
            attributes=body.attributes,
            capacity=_capacity(body.capacity),
        )
        session.add(agent)
        _set_skills(session, agent, body.skills)
        session.flush()
        audit(session, "agent.create", "agent", agent.id, body.model_dump())
        return _out(agent), 201


@api.get("/<int:agent_id>", responses={200: AgentOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def get_agent(path: AgentPath) -> Any:
    with current_runtime().db.session() as session:
        return _out(get_or_404(session, Agent, path.agent_id, "agent"))


@api.patch("/<int:agent_id>", responses={200: AgentOut, **ERRORS})
@require_api_role(Role.ADMIN)
def update_agent(path: AgentPath, body: AgentPatch) -> Any:
    with current_runtime().db.session() as session:
        agent = get_or_404(session, Agent, path.agent_id, "agent")
        changes = body.model_dump(exclude_unset=True)
        if "display_name" in changes and changes["display_name"] is not None:
            agent.display_name = changes["display_name"]
        if "phone_number" in changes:
            agent.phone_number = _phone(changes["phone_number"])
        if changes.get("skills") is not None:
            _set_skills(session, agent, changes["skills"])
        if changes.get("attributes") is not None:
            agent.attributes = changes["attributes"]
        if "capacity" in changes:
            agent.capacity = _capacity(changes["capacity"])
        audit(session, "agent.update", "agent", agent.id, changes)
        session.flush()
        RoutingClient(current_runtime().redis).agent_changed(agent)
        return _out(agent)


@api.delete("/<int:agent_id>", responses={204: None, **ERRORS})
@require_api_role(Role.ADMIN)
def delete_agent(path: AgentPath) -> Any:
    with current_runtime().db.session() as session:
        agent = get_or_404(session, Agent, path.agent_id, "agent")
        audit(session, "agent.delete", "agent", agent.id, {"display_name": agent.display_name})
        session.delete(agent)
        return "", 204
