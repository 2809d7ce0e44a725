"""/api/v1/agents/{id}/state: an agent's availability, set by the agent or a supervisor.

Supervisor changes to someone else's state are audited.
"""

from __future__ import annotations

from typing import Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, model_validator

from contactcentre.auth.access import api_user, require_api_role
from contactcentre.errors import ApiError
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import Agent, Role
from contactcentre.webapi.common import ERRORS, SECURITY, Accepted, Body, Id, accepted, get_or_404

api = APIBlueprint(
    "presence",
    __name__,
    url_prefix="/api/v1/agents",
    abp_tags=[Tag(name="agents")],
    abp_security=SECURITY,
)

BREAK_REASONS = (
    "lunch",
    "coffee",
    "training",
    "meeting",
    "coaching",
    "personal",
    "missed_offer",
    "after_call_admin",
)


class StateIn(Body):
    state: Literal["available", "break", "offline"]
    reason: str | None = Field(None, description=f"required for break: one of {BREAK_REASONS}")

    @model_validator(mode="after")
    def _reason_for_break(self) -> StateIn:
        if self.state == "break" and self.reason not in BREAK_REASONS:
            raise ValueError(f"a break needs a reason: one of {', '.join(BREAK_REASONS)}")
        return self


class StateOut(BaseModel):
    state: str
    reason: str | None
    since: float | None = Field(description="epoch seconds; null if never signed in")


class WrapUpDoneIn(Body):
    task_id: str = Field(min_length=1, max_length=64)


class AgentPath(BaseModel):
    agent_id: Id


def _may_act_for(agent: Agent) -> None:
    user = api_user()
    if user.id != agent.user_id and not user.has_role(Role.SUPERVISOR):
        raise ApiError(403, "forbidden", "agents change only their own state", "agent_id")


@api.get("/<int:agent_id>/state", responses={200: StateOut, **ERRORS})
@require_api_role(Role.AGENT)
def get_state(path: AgentPath) -> Any:
    with current_runtime().db.session() as session:
        get_or_404(session, Agent, path.agent_id, "agent")
    return RoutingClient(current_runtime().redis).agent_state(path.agent_id)


@api.post("/<int:agent_id>/state", responses={202: Accepted, **ERRORS})
@require_api_role(Role.AGENT)
def set_state(path: AgentPath, body: StateIn) -> Any:
    with current_runtime().db.session() as session:
        agent = get_or_404(session, Agent, path.agent_id, "agent")
        _may_act_for(agent)
        if api_user().id != agent.user_id:
            audit(session, "agent.state", "agent", agent.id, body.model_dump())
        RoutingClient(current_runtime().redis).set_agent_state(agent, body.state, body.reason)
    return accepted()


@api.post("/<int:agent_id>/wrap-up-done", responses={202: Accepted, **ERRORS})
@require_api_role(Role.AGENT)
def wrap_up_done(path: AgentPath, body: WrapUpDoneIn) -> Any:
    with current_runtime().db.session() as session:
        agent = get_or_404(session, Agent, path.agent_id, "agent")
        _may_act_for(agent)
    RoutingClient(current_runtime().redis).wrap_up_done(agent.id, body.task_id)
    return accepted()
