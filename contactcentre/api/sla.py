"""/api/v1/sla: business-hour calendars (with holidays) and SLA policies by queue, channel and
priority, and one contact's SLA clocks. Admins write; supervisors read.

Precedence: a policy applies to a contact when every field it names (queue, channel, priority)
equals the contact's; of those, the one naming the most fields wins, then the queue beats the
channel beats the priority (routing.sla.match). Two policies naming the same three are refused.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from contactcentre.auth.access import require_api_role
from contactcentre.errors import ApiError, conflict
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import (
    BusinessCalendar,
    CalendarHoliday,
    Interaction,
    Queue,
    Role,
    SlaClockRow,
    SlaPolicyRow,
)
from contactcentre.webapi.common import ERRORS, INT32_MAX, SECURITY, Body, Id, get_or_404
from routing.business_hours import Calendar, CalendarError

api = APIBlueprint(
    "sla", __name__, url_prefix="/api/v1/sla", abp_tags=[Tag(name="sla")], abp_security=SECURITY
)

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Clock = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$", description="HH:MM, 24:00 ends the day")]
Span = Annotated[list[Clock], Field(min_length=2, max_length=2, description="[open, close]")]
MAX_TARGET_SECONDS = 366 * 86_400


class SlaHolidayIn(Body):
    day: Annotated[date, Field(strict=False, description="a local date, e.g. 2026-12-25")]
    name: str = Field("", max_length=80)


class SlaCalendarIn(Body):
    name: str = Field(min_length=1, max_length=80)
    time_zone: str = Field(max_length=64, description="IANA zone, e.g. Europe/Madrid")
    hours: dict[Weekday, Annotated[list[Span], Field(max_length=12)]] = Field(
        description='opening spans per weekday, e.g. {"mon": [["09:00", "17:00"]]}; '
        "a day left out is closed"
    )
    holidays: list[SlaHolidayIn] = Field(default_factory=list, max_length=1000)


class SlaCalendarOut(SlaCalendarIn):
    model_config = ConfigDict(extra="ignore", strict=False)
    id: int


class SlaCalendarList(BaseModel):
    items: list[SlaCalendarOut]


class SlaCalendarPath(BaseModel):
    calendar_id: Id


Channel = Literal["voice", "chat", "email", "outbound"]
Seconds = Annotated[int, Field(ge=1, le=MAX_TARGET_SECONDS, description="business seconds")]


class SlaPolicyIn(Body):
    name: str = Field(min_length=1, max_length=80)
    queue_id: int | None = Field(None, ge=1, le=INT32_MAX, description="None: any queue")
    channel: Channel | None = Field(None, description="None: any channel")
    priority: int | None = Field(
        None, ge=-1000, le=1000, description="the task's priority when it queued; None: any"
    )
    calendar_id: int | None = Field(
        None, ge=1, le=INT32_MAX, description="business hours; None: the wall clock (24/7)"
    )
    answer_seconds: Seconds | None = Field(None, description="first queued -> accepted")
    first_response_seconds: Seconds | None = Field(
        None, description="first customer message -> first agent reply"
    )
    resolution_seconds: Seconds | None = Field(None, description="created -> completed")
    warn_percent: int = Field(80, ge=1, le=99, description="warn supervisors at this share")
    active: bool = True


class SlaPolicyOut(SlaPolicyIn):
    model_config = ConfigDict(extra="ignore", strict=False)
    id: int


class SlaPolicyList(BaseModel):
    items: list[SlaPolicyOut]


class SlaPolicyPath(BaseModel):
    policy_id: Id


class SlaInteractionPath(BaseModel):
    interaction_id: str = Field(max_length=64)


class SlaClockOut(BaseModel):
    target: str
    policy_id: int | None
    status: str = Field(description="running, met, breached or closed")
    started_at: str
    warn_at: str
    due_at: str
    stopped_at: str | None
    breached_at: str | None


class SlaClockList(BaseModel):
    interaction_id: str
    items: list[SlaClockOut]


# -- calendars -------------------------------------------------------------------------------


def _calendar_out(row: BusinessCalendar) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "time_zone": row.time_zone,
        "hours": row.hours,
        "holidays": [{"day": h.day.isoformat(), "name": h.name} for h in row.holidays],
    }


def _check_calendar(session: Session, body: SlaCalendarIn, calendar_id: int | None = None) -> None:
    hours: dict[str, list[list[str]]] = {
        day: [list(span) for span in spans] for day, spans in body.hours.items()
    }
    try:
        Calendar.from_hours(body.time_zone, hours, frozenset(h.day for h in body.holidays))
    except CalendarError as exc:
        raise ApiError(422, "validation_error", str(exc), exc.field) from None
    seen: set[date] = set()
    for index, holiday in enumerate(body.holidays):
        if holiday.day in seen:
            field = f"holidays[{index}].day"
            message = f"{field}: {holiday.day} is listed twice"
            raise ApiError(422, "validation_error", message, field)
        seen.add(holiday.day)
    other = session.scalars(select(BusinessCalendar).where(BusinessCalendar.name == body.name))
    found = other.first()
    if found is not None and found.id != calendar_id:
        raise conflict("name", f"a calendar named {body.name!r} already exists")


def _write_calendar(row: BusinessCalendar, body: SlaCalendarIn) -> None:
    row.name, row.time_zone = body.name, body.time_zone
    row.hours = {day: [list(span) for span in spans] for day, spans in body.hours.items()}
    row.holidays = [CalendarHoliday(day=h.day, name=h.name) for h in body.holidays]


def _calendar(session: Session, calendar_id: int) -> BusinessCalendar:
    row = session.scalars(
        select(BusinessCalendar)
        .where(BusinessCalendar.id == calendar_id)
        .options(selectinload(BusinessCalendar.holidays))
    ).first()
    if row is None:
        raise ApiError(404, "not_found", f"no calendar with id {calendar_id}", "calendar_id")
    return row


@api.get("/calendars", responses={200: SlaCalendarList, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def list_calendars() -> Any:
    with current_runtime().db.session() as session:
        rows = session.scalars(
            select(BusinessCalendar)
            .order_by(BusinessCalendar.name)
            .options(selectinload(BusinessCalendar.holidays))
        )
        return {"items": [_calendar_out(r) for r in rows]}


@api.post("/calendars", responses={201: SlaCalendarOut, **ERRORS})
@require_api_role(Role.ADMIN)
def create_calendar(body: SlaCalendarIn) -> Any:
    with current_runtime().db.session() as session:
        _check_calendar(session, body)
        row = BusinessCalendar()
        _write_calendar(row, body)
        session.add(row)
        session.flush()
        audit(session, "sla_calendar.create", "sla_calendar", row.id, {"name": row.name})
        return _calendar_out(row), 201


@api.get("/calendars/<int:calendar_id>", responses={200: SlaCalendarOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def get_calendar(path: SlaCalendarPath) -> Any:
    with current_runtime().db.session() as session:
        return _calendar_out(_calendar(session, path.calendar_id))


@api.put("/calendars/<int:calendar_id>", responses={200: SlaCalendarOut, **ERRORS})
@require_api_role(Role.ADMIN)
def replace_calendar(path: SlaCalendarPath, body: SlaCalendarIn) -> Any:
    with current_runtime().db.session() as session:
        row = _calendar(session, path.calendar_id)
        _check_calendar(session, body, row.id)
        row.holidays = []
        session.flush()  # the old holidays go before the new ones meet the unique (day) key
        _write_calendar(row, body)
        audit(session, "sla_calendar.update", "sla_calendar", row.id, {"name": row.name})
        return _calendar_out(row)


@api.delete("/calendars/<int:calendar_id>", responses={204: None, **ERRORS})
@require_api_role(Role.ADMIN)
def delete_calendar(path: SlaCalendarPath) -> Any:
    with current_runtime().db.session() as session:
        row = _calendar(session, path.calendar_id)
        users = session.scalars(
            select(SlaPolicyRow.name).where(SlaPolicyRow.calendar_id == row.id)
        ).all()
        if users:
            raise ApiError(
                409, "in_use", f"calendar is used by SLA policy(ies) {', '.join(users)}",
                "calendar_id",
            )  # fmt: skip
        audit(session, "sla_calendar.delete", "sla_calendar", row.id, {"name": row.name})
        session.delete(row)
        return "", 204


# -- policies --------------------------------------------------------------------------------

POLICY_FIELDS = list(SlaPolicyIn.model_fields)


def _policy_out(row: SlaPolicyRow) -> dict[str, Any]:
    return {"id": row.id, **{f: getattr(row, f) for f in POLICY_FIELDS}}


def _check_policy(session: Session, body: SlaPolicyIn, policy_id: int | None = None) -> None:
    if not (body.answer_seconds or body.first_response_seconds or body.resolution_seconds):
        raise ApiError(
            422, "validation_error",
            "answer_seconds: give at least one target (answer, first response or resolution)",
            "answer_seconds",
        )  # fmt: skip
    if body.queue_id is not None and session.get(Queue, body.queue_id) is None:
        raise ApiError(422, "validation_error", f"no queue with id {body.queue_id}", "queue_id")
    if body.calendar_id is not None and session.get(BusinessCalendar, body.calendar_id) is None:
        raise ApiError(
            422, "validation_error", f"no calendar with id {body.calendar_id}", "calendar_id"
        )
    for other in session.scalars(select(SlaPolicyRow).where(SlaPolicyRow.id != (policy_id or 0))):
        if other.name == body.name:
            raise conflict("name", f"an SLA policy named {body.name!r} already exists")
        if (other.queue_id, other.channel, other.priority) == (
            body.queue_id,
            body.channel,
            body.priority,
        ):
            raise conflict(
                "queue_id",
                f"SLA policy {other.name!r} already covers this queue, channel and priority",
            )


@api.get("/policies", responses={200: SlaPolicyList, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def list_policies() -> Any:
    with current_runtime().db.session() as session:
        rows = session.scalars(select(SlaPolicyRow).order_by(SlaPolicyRow.name))
        return {"items": [_policy_out(r) for r in rows]}


@api.post("/policies", responses={201: SlaPolicyOut, **ERRORS})
@require_api_role(Role.ADMIN)
def create_policy(body: SlaPolicyIn) -> Any:
    with current_runtime().db.session() as session:
        _check_policy(session, body)
        row = SlaPolicyRow(**body.model_dump())
        session.add(row)
        session.flush()
        audit(session, "sla_policy.create", "sla_policy", row.id, body.model_dump())
        return _policy_out(row), 201


@api.get("/policies/<int:policy_id>", responses={200: SlaPolicyOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def get_policy(path: SlaPolicyPath) -> Any:
    with current_runtime().db.session() as session:
        row = get_or_404(session, SlaPolicyRow, path.policy_id, "SLA policy", "policy_id")
        return _policy_out(row)


@api.put("/policies/<int:policy_id>", responses={200: SlaPolicyOut, **ERRORS})
@require_api_role(Role.ADMIN)
def replace_policy(path: SlaPolicyPath, body: SlaPolicyIn) -> Any:
    with current_runtime().db.session() as session:
        row = get_or_404(session, SlaPolicyRow, path.policy_id, "SLA policy", "policy_id")
        _check_policy(session, body, row.id)
        for key, value in body.model_dump().items():
            setattr(row, key, value)
        audit(session, "sla_policy.update", "sla_policy", row.id, body.model_dump())
        return _policy_out(row)


@api.delete("/policies/<int:policy_id>", responses={204: None, **ERRORS})
@require_api_role(Role.ADMIN)
def delete_policy(path: SlaPolicyPath) -> Any:
    with current_runtime().db.session() as session:
        row = get_or_404(session, SlaPolicyRow, path.policy_id, "SLA policy", "policy_id")
        audit(session, "sla_policy.delete", "sla_policy", row.id, {"name": row.name})
        session.delete(row)
        return "", 204


# -- one contact's clocks ---------------------------------------------------------------------


def _iso(moment: Any) -> str | None:
    return None if moment is None else moment.isoformat()


@api.get("/interactions/<interaction_id>", responses={200: SlaClockList, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def interaction_clocks(path: SlaInteractionPath) -> Any:
    """The contact's SLA clocks as the watch last timed them (every few seconds)."""
    with current_runtime().db.session() as session:
        get_or_404(session, Interaction, path.interaction_id, "interaction", "interaction_id")
        rows = session.scalars(
            select(SlaClockRow)
            .where(SlaClockRow.interaction_id == path.interaction_id)
            .order_by(SlaClockRow.started_at)
        )
        items = [
            {
                "target": r.target, "policy_id": r.policy_id, "status": r.status,
                "started_at": _iso(r.started_at), "warn_at": _iso(r.warn_at),
                "due_at": _iso(r.due_at), "stopped_at": _iso(r.stopped_at),
                "breached_at": _iso(r.breached_at),
            }
            for r in rows
        ]  # fmt: skip
        return {"interaction_id": path.interaction_id, "items": items}
