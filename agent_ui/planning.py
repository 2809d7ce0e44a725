"""The supervisors' planning page: the staffing calculator and the forecast with the staff it
needs per interval, server-rendered from one GET form (so a plan is a link that can be shared).

The form speaks percentages; it is read through the API's own schemas, so the page and
/api/v1/planning/* accept and refuse exactly the same inputs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from pydantic import ValidationError
from sqlalchemy import select

from agent_ui.views import bp
from contactcentre.api.planning import ReplayQuery, RequirementsQuery, StaffingQuery
from contactcentre.auth.access import require_page_role
from contactcentre.errors import ApiError
from contactcentre.planning import plans
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import Queue, Role
from routing.planning.staffing import Demand, Target

# The calculator opens on Call Centre Helper's worked example (100 calls in 30 minutes).
DEFAULTS = {
    "contacts": "100", "interval_minutes": "30", "aht_seconds": "180", "patience_seconds": "120",
    "service_level": "80", "answer_seconds": "20", "max_abandon": "", "max_occupancy": "85",
    "shrinkage": "30", "queue_id": "0", "days": "1", "weeks": "4", "held_out_weeks": "2",
    "holidays": "", "forecast_patience_seconds": "", "forecast_answer_seconds": "",
    "replay_day": "", "extra_agents": "0", "replay_answer_seconds": "20",
}  # fmt: skip
PERCENT = ("service_level", "max_abandon", "max_occupancy", "shrinkage")


def _form() -> dict[str, str]:
    zone = _zone(current_user.timezone)
    tomorrow = (datetime.now(zone).date() + timedelta(days=1)).isoformat()
    values = {**DEFAULTS, "from": tomorrow, "simulate": ""}
    if request.args:  # a submitted form: an unchecked box and an emptied field mean exactly that
        values.update({key: "" for key in ("simulate", "max_abandon", "max_occupancy")})
    values.update({k: v.strip() for k, v in request.args.items() if k in values})
    return values


def _number(values: dict[str, str], key: str) -> Any:
    text = values[key]
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        return text  # the schema refuses it, by name
    return number / 100.0 if key in PERCENT else number


def _targets(values: dict[str, str]) -> dict[str, Any]:
    found = {key: _number(values, key) for key in PERCENT}
    return {key: value for key, value in found.items() if value is not None}


def _errors(exc: ValidationError, names: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        field = str(err["loc"][0]) if err["loc"] else "form"
        errors.setdefault(names.get(field, field), str(err["msg"]))
    return errors


def _calculator(values: dict[str, str]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    raw = {
        "contacts": _number(values, "contacts"),
        "interval_minutes": _number(values, "interval_minutes"),
        "aht_seconds": _number(values, "aht_seconds"),
        "patience_seconds": _number(values, "patience_seconds"),
        "answer_seconds": _number(values, "answer_seconds"),
        **_targets(values),
    }
    raw = {k: v for k, v in raw.items() if v is not None}
    try:
        query = StaffingQuery(**raw, simulate=values["simulate"] == "on")
    except ValidationError as exc:
        return None, _errors(exc, {})
    demand = Demand(
        query.contacts, query.aht_seconds, query.interval_minutes * 60.0, query.patience_seconds
    )
    target = Target(query.service_level, query.answer_seconds, query.max_abandon,
                    query.max_occupancy)  # fmt: skip
    try:
        return plans.staffing_answer(demand, target, query.shrinkage, simulate=query.simulate), {}
    except ValueError as exc:
        return None, {"contacts": str(exc)}


def _requirements(values: dict[str, str]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    raw: dict[str, Any] = {
        "from": values["from"], "tz": str(_zone(current_user.timezone)),
        "queue_id": values["queue_id"] or "0", "weeks": values["weeks"],
        "held_out_weeks": values["held_out_weeks"], "holidays": values["holidays"],
        "patience_seconds": _number(values, "forecast_patience_seconds"),
        "answer_seconds": _number(values, "forecast_answer_seconds"), **_targets(values),
    }  # fmt: skip
    names = {"patience_seconds": "forecast_patience_seconds",
             "answer_seconds": "forecast_answer_seconds", "to": "days"}  # fmt: skip
    try:
        days = int(values["days"])
        if not 1 <= days <= 14:
            raise ValueError
    except ValueError:
        return None, {"days": "a whole number of days from 1 to 14"}
    try:
        start = datetime.fromisoformat(values["from"]).date()
        raw["to"] = (start + timedelta(days=days)).isoformat()
    except ValueError:
        return None, {"from": "a date (YYYY-MM-DD)"}
    try:
        query = RequirementsQuery(**{k: v for k, v in raw.items() if v is not None})
        wanted = query.range()
    except ValidationError as exc:
        return None, _errors(exc, names)
    except ApiError as exc:
        return None, {names.get(exc.field or "", exc.field or "from"): exc.message}
    with current_runtime().db.session() as session:
        queue = session.get(Queue, wanted.queue_id) if wanted.queue_id else None
        if wanted.queue_id and queue is None:
            return None, {"queue_id": "no such queue"}
        answer_seconds = query.answer_seconds
        if answer_seconds is None:
            answer_seconds = float(queue.sla_target_seconds) if queue else 20.0
        target = Target(query.service_level, answer_seconds, query.max_abandon,
                        query.max_occupancy)  # fmt: skip
        answer = plans.required_staff(
            session, wanted, target, shrinkage=query.shrinkage, now=datetime.now(UTC),
            patience_seconds=query.patience_seconds,
        )  # fmt: skip
    return answer, {}


def _replay(values: dict[str, str]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The what-if replay, only when a day is asked for (it reads a whole day's log)."""
    if not values["replay_day"]:
        return None, {}
    raw = {"day": values["replay_day"], "tz": str(_zone(current_user.timezone)),
           "extra_agents": values["extra_agents"] or "0",
           "answer_seconds": values["replay_answer_seconds"] or "20"}  # fmt: skip
    names = {"day": "replay_day", "answer_seconds": "replay_answer_seconds"}
    try:
        query = ReplayQuery(**raw)
    except ValidationError as exc:
        return None, _errors(exc, names)
    start, end = plans.day_range(query.day, 1, ZoneInfo(query.tz))
    with current_runtime().db.session() as session:
        try:
            answer = plans.replay_answer(
                session, start, end, target_seconds=query.answer_seconds,
                channel=query.channel, extra_agents=query.extra_agents,
            )  # fmt: skip
        except ValueError as exc:
            return None, {"replay_day": str(exc)}
    return answer, {}


@bp.get("/planning")
@require_page_role(Role.SUPERVISOR)
def planning() -> ResponseReturnValue:
    """Staffing calculator, forecast and required staff, in the supervisor's time zone."""
    values = _form()
    calculator, calculator_errors = _calculator(values)
    needs, needs_errors = _requirements(values)
    whatif, whatif_errors = _replay(values)
    with current_runtime().db.session() as session:
        rows = session.scalars(select(Queue).order_by(Queue.name))
        queues = [{"id": q.id, "name": q.name} for q in rows]
    return render_template(
        "planning/planning.html",
        values=values,
        errors={**calculator_errors, **needs_errors, **whatif_errors},
        whatif=whatif,
        calculator=calculator,
        needs=needs,
        queues=queues,
        timezone=str(_zone(current_user.timezone)),
    )


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")
