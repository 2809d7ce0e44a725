"""/api/v1/routing/policy: how a freed agent chooses among the queues they serve.

One row for the whole centre, so the router and every web process build the same config.
"""

from __future__ import annotations

from typing import Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import Field

from contactcentre.auth.access import require_api_role
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import Role, RoutingPolicy
from contactcentre.webapi.common import ERRORS, SECURITY, Body

api = APIBlueprint("policy", __name__, url_prefix="/api/v1/routing",
                   abp_tags=[Tag(name="routing")], abp_security=SECURITY)  # fmt: skip


class PolicyIn(Body):
    skill_preference_seconds: float = Field(
        ge=0, le=3600,
        description="seconds of waiting one skill level is worth to a freed agent (0 = off)",
    )  # fmt: skip
    agent_choice: Literal["best_ranked", "longest_queue"] = Field(
        description="best_ranked: best priority/age; longest_queue: most waiting first"
    )


def _out(policy: RoutingPolicy | None) -> dict[str, Any]:
    if policy is None:
        return {"skill_preference_seconds": 0.0, "agent_choice": "best_ranked"}
    return {"skill_preference_seconds": policy.skill_preference_seconds,
            "agent_choice": policy.agent_choice}  # fmt: skip


@api.get("/policy", responses={200: PolicyIn, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def get_policy() -> Any:
    with current_runtime().db.session() as session:
        return _out(session.get(RoutingPolicy, 1))


@api.put("/policy", responses={200: PolicyIn, **ERRORS})
@require_api_role(Role.ADMIN)
def put_policy(body: PolicyIn) -> Any:
    with current_runtime().db.session() as session:
        policy = session.get(RoutingPolicy, 1) or RoutingPolicy(id=1)
        policy.skill_preference_seconds = body.skill_preference_seconds
        policy.agent_choice = body.agent_choice
        session.add(policy)
        audit(session, "routing_policy.update", "routing_policy", 1, body.model_dump())
        RoutingClient(current_runtime().redis).config_changed(session)
        return _out(policy)
