"""Agents and their skills: what the ACD routes on.

Skill levels run 1-10; attributes (languages, team) and channel capacity are per agent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactcentre.store.models.base import Base
from contactcentre.store.types import UTCDateTime, utcnow


class Skill(Base):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # used in expressions: skills.<name>
    description: Mapped[str] = mapped_column(String(255), default="")


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    phone_number: Mapped[str | None] = mapped_column(String(32), default=None)  # E.164 agent leg
    # Free-form routing attributes, e.g. {"languages": ["en", "es"], "team": "retention"}.
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Units per channel and cross-channel rules; None means the platform default profile.
    capacity: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="agent")
    skills: Mapped[list[AgentSkill]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", lazy="selectin"
    )

    def skill_levels(self) -> dict[str, int]:
        return {s.skill.name: s.level for s in self.skills}


class AgentSkill(Base):
    __tablename__ = "agent_skills"
    __table_args__ = (
        UniqueConstraint("agent_id", "skill_id"),
        CheckConstraint("level >= 1 and level <= 10", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    level: Mapped[int]

    agent: Mapped[Agent] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship(lazy="joined")


from contactcentre.store.models.users import User  # noqa: E402
