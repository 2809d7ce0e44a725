"""The agent console and the supervisor's live board: server-rendered shells, live through JS.

Pages carry only what never changes during a shift (queues, codes, agents); the rest is live.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from agent_ui.views import bp
from contactcentre.api.presence import BREAK_REASONS
from contactcentre.auth.access import require_page_role
from contactcentre.cti.wrapup import active_dispositions
from contactcentre.platform.runtime import current_runtime
from contactcentre.reporting.agent_day import DEFINITION_IDS, DEFINITIONS
from contactcentre.store.models import Agent, Queue, Role


def _directory() -> dict[str, object]:
    with current_runtime().db.session() as session:
        rows = session.scalars(select(Queue).order_by(Queue.name))
        queues = [{"id": q.id, "name": q.name} for q in rows]
        agents = [
            {"id": a.id, "name": a.display_name}
            for a in session.scalars(select(Agent).order_by(Agent.display_name))
        ]
        dispositions = [
            {"code": d.code, "label": d.label, "requires_note": d.requires_note}
            for d in active_dispositions(session)
        ]
    return {"queues": queues, "agents": agents, "dispositions": dispositions}


def _today_definitions() -> dict[str, str]:
    """The hover text of each of today's numbers: its definition's label and id."""
    return {key: f"{label} ({DEFINITION_IDS[key]}), today" for key, label in DEFINITIONS.items()}


@bp.get("/console")
@require_page_role(Role.AGENT)
def console() -> ResponseReturnValue:
    agent = current_user.agent
    if agent is None:
        return render_template("console/no_agent.html"), 403
    return render_template(
        "console/console.html",
        agent={"id": agent.id, "name": agent.display_name},
        break_reasons=[r for r in BREAK_REASONS if r != "missed_offer"],
        timezone=current_user.timezone,
        definitions=_today_definitions(),
        **_directory(),
    )


@bp.get("/board")
@require_page_role(Role.SUPERVISOR)
def board() -> ResponseReturnValue:
    return render_template(
        "console/board.html",
        break_reasons=list(BREAK_REASONS),
        timezone=current_user.timezone,
        definitions=_today_definitions(),
        **_directory(),
    )


@bp.get("/reports")
@require_page_role(Role.SUPERVISOR)
def reports() -> ResponseReturnValue:
    """The supervisors' reports: the range defaults to today in their own time zone."""
    zone = _zone(current_user.timezone)
    today = datetime.now(zone).date()
    return render_template(
        "reports/reports.html",
        timezone=str(zone),
        today=today.isoformat(),
        tomorrow=(today + timedelta(days=1)).isoformat(),
    )


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")
