"""/api/v1/agents/{id}/desk and /stats, /api/v1/board: what the consoles load before going live.

The desk carries each room's sequence number, so the socket resumes exactly after it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from contactcentre.api.presence import StateOut
from contactcentre.auth.access import api_user, require_api_role
from contactcentre.errors import ApiError
from contactcentre.platform.runtime import current_runtime
from contactcentre.realtime.desk import Desk
from contactcentre.realtime.rooms import SUPERVISORS, agent_room
from contactcentre.realtime.sequence import SequencedLog
from contactcentre.reporting.agent_day import DEFINITION_IDS, DEFINITIONS, AgentDay, agents_today
from contactcentre.reporting.board import build_board
from contactcentre.reporting.period import day_bounds
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import Agent, Role
from contactcentre.webapi.common import ERRORS, SECURITY, Id, get_or_404

api = APIBlueprint(
    "console", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="console")], abp_security=SECURITY
)


class AgentPath(BaseModel):
    agent_id: Id


class DeskOut(BaseModel):
    agent_id: int
    room: str = Field(description="the agent's Socket.IO room")
    seq: int = Field(description="the room's last event: resume the socket after it")
    state: StateOut
    offers: list[dict[str, Any]] = Field(description="ringing offers, each with its screen pop")
    tasks: list[dict[str, Any]] = Field(description="contacts in progress, oldest first")


class StatsOut(BaseModel):
    handled: int
    aht_seconds: float | None
    missed_offers: int
    rejected_offers: int
    day_start: str = Field(description="midnight in the viewer's time zone, ISO 8601")
    definitions: dict[str, str] = Field(description="what each number counts")


class QueueTile(BaseModel):
    id: int
    name: str
    waiting: int
    longest_wait_seconds: float
    wait_alert: Literal["ok", "amber", "red"]
    target_seconds: int
    agents: dict[str, int] = Field(description="eligible agents per state")
    service_level: float | None = Field(description="percent today; null before any contact")
    service_level_target: int = Field(description="percent")
    service_level_definition: str
    service_level_id: str
    contacts_today: int


class AgentRow(BaseModel):
    id: int
    name: str
    state: str
    reason: str | None
    since: float | None = Field(description="epoch seconds")
    seconds_in_state: float | None
    current: list[dict[str, Any]] = Field(description="contacts in progress")
    handled: int
    aht_seconds: float | None
    missed_offers: int
    team: Any = Field(description="the agent's team attribute, if any")


class BoardOut(BaseModel):
    at: float = Field(description="epoch seconds")
    day_start: str
    queues: list[QueueTile]
    agents: list[AgentRow]
    definitions: dict[str, str]
    room: str
    seq: int


def _own_or_supervisor(agent: Agent) -> None:
    user = api_user()
    if user.id != agent.user_id and not user.has_role(Role.SUPERVISOR):
        raise ApiError(403, "forbidden", "agents see only their own desk and numbers", "agent_id")


@api.get("/agents/<int:agent_id>/desk", responses={200: DeskOut, **ERRORS})
@require_api_role(Role.AGENT)
def desk(path: AgentPath) -> Any:
    """State, ringing offers (with pops) and contacts in progress; `seq` to resume the socket."""
    runtime = current_runtime()
    with runtime.db.session() as session:
        _own_or_supervisor(get_or_404(session, Agent, path.agent_id, "agent", "agent_id"))
    room = agent_room(path.agent_id)
    return {
        "agent_id": path.agent_id,
        "room": room,
        "seq": SequencedLog(runtime.redis).current(room),
        "state": RoutingClient(runtime.redis).agent_state(path.agent_id),
        **Desk(runtime.redis).contents(str(path.agent_id)),
    }


@api.get("/agents/<int:agent_id>/stats", responses={200: StatsOut, **ERRORS})
@require_api_role(Role.AGENT)
def stats(path: AgentPath) -> Any:
    """Today's handled contacts, average handle time and missed offers (viewer's time zone)."""
    runtime = current_runtime()
    start, end = day_bounds(datetime.now(UTC), api_user().timezone)
    with runtime.db.session() as session:
        _own_or_supervisor(get_or_404(session, Agent, path.agent_id, "agent", "agent_id"))
        day = agents_today(session, start, end).get(str(path.agent_id), AgentDay())
    return {
        **day.to_dict(),
        "day_start": start.isoformat(),
        "definitions": DEFINITIONS,
        "definition_ids": DEFINITION_IDS,
    }


@api.get("/board", responses={200: BoardOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def board() -> Any:
    """Queue tiles and the agent grid; `seq` of the supervisors' room to resume the socket."""
    runtime = current_runtime()
    start, end = day_bounds(datetime.now(UTC), api_user().timezone)
    with runtime.db.session() as session:
        data = build_board(session, runtime.redis, start, end)
    return {**data, "room": SUPERVISORS, "seq": SequencedLog(runtime.redis).current(SUPERVISORS)}
