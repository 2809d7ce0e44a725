"""The overview page a signed-in user lands on: queues, agents and platform health at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactcentre.auth.access import require_page_role
from contactcentre.email.quarantine import listing
from contactcentre.health import check
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import Agent, Customer, EmailQuarantine, Queue, Role, Skill

bp = Blueprint(
    "ui",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/ui/static",
)


@bp.get("/")
@require_page_role(Role.AGENT)
def home() -> ResponseReturnValue:
    runtime = current_runtime()
    with runtime.db.session() as session:
        queues = session.scalars(select(Queue).order_by(Queue.name)).all()
        agents = session.scalars(select(Agent).order_by(Agent.display_name)).all()
        agent_rows = [
            {
                "name": a.display_name,
                "skills": sorted(a.skill_levels().items()),
                "languages": a.attributes.get("languages", []),
                "team": a.attributes.get("team"),
            }
            for a in agents
        ]
        counts = {
            "customers": session.scalar(select(func.count(Customer.id))) or 0,
            "skills": session.scalar(select(func.count(Skill.id))) or 0,
        }
        quarantine = _quarantine(session) if current_user.has_role(Role.ADMIN) else None
    health = check(runtime)
    return render_template(
        "home.html",
        queues=queues,
        agents=agent_rows,
        counts=counts,
        health=health,
        show_agents=current_user.has_role(Role.SUPERVISOR),
        quarantine=quarantine,
    )


def _quarantine(session: Session) -> dict[str, object]:
    """The email quarantine's latest entries, for administrators."""
    return {
        "entries": listing(session, limit=20),
        "total": session.scalar(select(func.count(EmailQuarantine.id))) or 0,
    }
