"""/api/v1/skills: the skills agents hold and queues route on (names appear in expressions)."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from sqlalchemy import select

from contactcentre.auth.access import require_api_role
from contactcentre.errors import ApiError, conflict
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import AgentSkill, Role, Skill
from contactcentre.webapi.common import ERRORS, SECURITY, Body, Id, Page, get_or_404, paginate

api = APIBlueprint(
    "skills",
    __name__,
    url_prefix="/api/v1/skills",
    abp_tags=[Tag(name="skills")],
    abp_security=SECURITY,
)

SKILL_NAME = r"^[a-z][a-z0-9_]{0,63}$"


class SkillIn(Body):
    name: str = Field(
        pattern=SKILL_NAME,
        description="lower-case identifier used in routing expressions, e.g. skills.billing",
    )
    description: str = Field("", max_length=255)


class SkillPatch(Body):
    name: str | None = Field(None, pattern=SKILL_NAME)
    description: str | None = Field(None, max_length=255)


class SkillOut(BaseModel):
    id: int
    name: str
    description: str


class SkillList(BaseModel):
    items: list[SkillOut]
    total: int


class SkillPath(BaseModel):
    skill_id: Id


def _out(skill: Skill) -> dict[str, Any]:
    return SkillOut(id=skill.id, name=skill.name, description=skill.description).model_dump()


def _ensure_unique(session: Any, name: str, skip_id: int | None = None) -> None:
    existing = session.scalars(select(Skill).where(Skill.name == name)).first()
    if existing is not None and existing.id != skip_id:
        raise conflict("name", f"a skill named {name!r} already exists (id {existing.id})")


@api.get("", responses={200: SkillList, **ERRORS})
@require_api_role(Role.AGENT)
def list_skills(query: Page) -> Any:
    with current_runtime().db.session() as session:
        rows, total = paginate(session, select(Skill).order_by(Skill.name), query)
        return {"items": [_out(s) for s in rows], "total": total}


@api.post("", responses={201: SkillOut, **ERRORS})
@require_api_role(Role.ADMIN)
def create_skill(body: SkillIn) -> Any:
    with current_runtime().db.session() as session:
        _ensure_unique(session, body.name)
        skill = Skill(name=body.name, description=body.description)
        session.add(skill)
        session.flush()
        audit(session, "skill.create", "skill", skill.id, body.model_dump())
        return _out(skill), 201


@api.get("/<int:skill_id>", responses={200: SkillOut, **ERRORS})
@require_api_role(Role.AGENT)
def get_skill(path: SkillPath) -> Any:
    with current_runtime().db.session() as session:
        return _out(get_or_404(session, Skill, path.skill_id, "skill"))


@api.patch("/<int:skill_id>", responses={200: SkillOut, **ERRORS})
@require_api_role(Role.ADMIN)
def update_skill(path: SkillPath, body: SkillPatch) -> Any:
    with current_runtime().db.session() as session:
        skill = get_or_404(session, Skill, path.skill_id, "skill")
        changes = body.model_dump(exclude_unset=True)
        if changes.get("name") is None:
            changes.pop("name", None)
        if "name" in changes:
            _ensure_unique(session, changes["name"], skill.id)
        for key, value in changes.items():
            setattr(skill, key, value if value is not None else "")
        audit(session, "skill.update", "skill", skill.id, changes)
        return _out(skill)


@api.delete("/<int:skill_id>", responses={204: None, **ERRORS})
@require_api_role(Role.ADMIN)
def delete_skill(path: SkillPath) -> Any:
    with current_runtime().db.session() as session:
        skill = get_or_404(session, Skill, path.skill_id, "skill")
        holders = session.scalars(select(AgentSkill).where(AgentSkill.skill_id == skill.id)).all()
        if holders:
            raise ApiError(
                409,
                "in_use",
                f"skill {skill.name!r} is held by {len(holders)} agent(s); "
                "remove it from them first",
                "skill_id",
            )
        audit(session, "skill.delete", "skill", skill.id, {"name": skill.name})
        session.delete(skill)
        return "", 204
