"""/api/v1/planning/*: the staffing calculator, the forecast per 15-minute interval with its
accuracy on held-out weeks, and the staff each interval needs. Supervisors and admins only.

Every figure is a fraction (0-1) or seconds, as in the reports; the page shows percentages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from contactcentre.auth.access import require_api_role
from contactcentre.errors import ApiError, not_found
from contactcentre.planning import plans
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import Queue, Role
from contactcentre.webapi.common import ERRORS, INT32_MAX, SECURITY
from routing.planning.check import DEFAULT_CONTACTS, MAX_CONTACTS
from routing.planning.forecast import MAX_WEEKS
from routing.planning.staffing import Demand, Target

api = APIBlueprint(
    "planning", __name__, url_prefix="/api/v1/planning",
    abp_tags=[Tag(name="planning")], abp_security=SECURITY,
)  # fmt: skip

MAX_DAYS = 14  # 1,344 intervals: a fortnight's requirements stay well under a second
MAX_HOLIDAYS = 60


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (KeyError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r} (an IANA name such as Europe/Madrid)"
        ) from None
    return value


class Targets(BaseModel):
    """What the staffing must reach; every figure is a fraction, times are seconds."""

    model_config = ConfigDict(extra="forbid")

    service_level: float = Field(0.8, gt=0, lt=1, description="answered within T / offered")
    answer_seconds: float = Field(20.0, ge=0, le=3600, description="T, the answer target")
    max_abandon: float | None = Field(None, gt=0, lt=1, description="abandon-rate cap (Erlang A)")
    max_occupancy: float | None = Field(None, gt=0, le=1, description="occupancy cap")
    shrinkage: float = Field(0.0, ge=0, le=0.9, description="share of paid time off the phones")

    def target(self) -> Target:
        return Target(self.service_level, self.answer_seconds, self.max_abandon, self.max_occupancy)


class StaffingQuery(Targets):
    # The required fields come last: a bad value given is named before a field left out.
    interval_minutes: int = Field(15, ge=1, le=1440, description="the interval's length")
    patience_seconds: float | None = Field(
        None, gt=0, le=3600, description="callers' mean patience; enables Erlang A"
    )
    simulate: bool = Field(False, description="check each answer with the routing simulator")
    replications: int = Field(8, ge=2, le=20, description="seeded simulator runs")
    simulated_contacts: int = Field(
        DEFAULT_CONTACTS, ge=1_000, le=MAX_CONTACTS, description="contacts shared by the runs"
    )
    contacts: float = Field(ge=0, le=100_000, description="contacts offered in the interval")
    aht_seconds: float = Field(gt=0, le=86_400, description="talk + hold + after-call work")


class RangeQuery(BaseModel):
    """A forecast's range, in the planner's time zone: whole days from `from` to `to`."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    start: date | None = Field(None, alias="from", description="first day; default tomorrow")
    end: date | None = Field(None, alias="to", description="exclusive; default the day after")
    tz: str = Field("UTC", max_length=64, description="IANA time zone, e.g. Europe/Madrid")
    queue_id: int = Field(0, ge=0, le=INT32_MAX, description="one queue; 0: every queue")
    channel: Literal["voice", "chat", "email", "outbound"] | None = None
    weeks: int = Field(4, ge=1, le=MAX_WEEKS, description="past weeks each interval averages")
    held_out_weeks: int = Field(2, ge=1, le=12, description="recent weeks the WAPE is measured on")
    holidays: str = Field(
        "", max_length=11 * MAX_HOLIDAYS, description="comma-separated ISO dates (YYYY-MM-DD)"
    )

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _known_zone(value)

    @field_validator("holidays")
    @classmethod
    def _dates(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                date.fromisoformat(part)
            except ValueError:
                raise ValueError(f"not an ISO date (YYYY-MM-DD): {part!r}") from None
        return value

    def range(self) -> plans.Range:
        zone = ZoneInfo(self.tz)
        first = self.start or (datetime.now(zone).date() + timedelta(days=1))
        last = self.end or first + timedelta(days=1)
        if last <= first:
            raise ApiError(422, "validation_error", "to: must be after from", "to")
        if last - first > timedelta(days=MAX_DAYS):
            raise ApiError(422, "validation_error", f"to: at most {MAX_DAYS} days after from", "to")
        start, end = plans.day_range(first, (last - first).days, zone)
        holidays = frozenset(
            date.fromisoformat(p.strip()) for p in self.holidays.split(",") if p.strip()
        )
        return plans.Range(
            start, end, zone, self.queue_id or None, self.channel,
            self.weeks, self.held_out_weeks, holidays,
        )  # fmt: skip


class RequirementsQuery(RangeQuery, Targets):
    answer_seconds: float | None = Field(  # type: ignore[assignment]
        None, ge=0, le=3600, description="T; default the queue's own answer target, else 20 s"
    )
    patience_seconds: float | None = Field(
        None, gt=0, le=3600, description="callers' mean patience; default the history's own"
    )


class Answer(BaseModel):
    """A planning answer: figures with their definitions (see the docs page for each key)."""

    model_config = ConfigDict(extra="allow")


@api.get("/staffing", responses={200: Answer, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def staffing(query: StaffingQuery) -> Any:
    """Agents needed by Erlang C and Erlang A for one interval's demand, optionally simulated."""
    demand = Demand(
        query.contacts, query.aht_seconds, query.interval_minutes * 60.0, query.patience_seconds
    )
    try:
        return plans.staffing_answer(
            demand, query.target(), query.shrinkage, simulate=query.simulate,
            replications=query.replications, contacts=query.simulated_contacts,
        )  # fmt: skip
    except ValueError as exc:  # only "no staffing up to N agents": the demand is too large
        raise ApiError(422, "validation_error", f"contacts: {exc}", "contacts") from None


@api.get("/forecast", responses={200: Answer, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def forecast(query: RangeQuery) -> Any:
    """Contacts and AHT per 15-minute interval, with the method's WAPE on held-out weeks."""
    wanted = query.range()
    with current_runtime().db.session() as session:
        _queue(session, wanted.queue_id)
        return plans.forecast(session, wanted, datetime.now(UTC))


@api.get("/requirements", responses={200: Answer, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def requirements(query: RequirementsQuery) -> Any:
    """Agents each interval of the forecast needs, by Erlang C and (with a patience) Erlang A."""
    wanted = query.range()
    with current_runtime().db.session() as session:
        queue = _queue(session, wanted.queue_id)
        answer_seconds = query.answer_seconds
        if answer_seconds is None:
            answer_seconds = float(queue.sla_target_seconds) if queue else 20.0
        target = Target(query.service_level, answer_seconds, query.max_abandon, query.max_occupancy)
        try:
            return plans.required_staff(
                session, wanted, target, shrinkage=query.shrinkage, now=datetime.now(UTC),
                patience_seconds=query.patience_seconds,
            )  # fmt: skip
        except ValueError as exc:
            raise ApiError(
                422, "validation_error", f"service_level: {exc}", "service_level"
            ) from None


class ReplayQuery(BaseModel):
    """A logged day (or part of one) to replay, in the planner's time zone."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    tz: str = Field("UTC", max_length=64, description="IANA time zone, e.g. Europe/Madrid")
    channel: Literal["voice", "chat", "email"] = "voice"
    answer_seconds: float = Field(20.0, ge=0, le=3600, description="T of the service level")
    extra_agents: int = Field(0, ge=0, le=500, description="what-if: agents added to the day's")
    day: date = Field(description="the logged day (YYYY-MM-DD); last, as StaffingQuery's")

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _known_zone(value)


@api.get("/replay", responses={200: Answer, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def replay(query: ReplayQuery) -> Any:
    """Replay a logged day through the routing engine under today's configuration (optionally
    with more agents) and compare SL, ASA and abandon rate with what was logged."""
    start, end = plans.day_range(query.day, 1, ZoneInfo(query.tz))
    with current_runtime().db.session() as session:
        try:
            return plans.replay_answer(
                session, start, end, target_seconds=query.answer_seconds,
                channel=query.channel, extra_agents=query.extra_agents,
            )  # fmt: skip
        except ValueError as exc:
            raise ApiError(422, "validation_error", f"day: {exc}", "day") from None


def _queue(session: Session, queue_id: int | None) -> Queue | None:
    if queue_id is None:
        return None
    queue = session.get(Queue, queue_id)
    if queue is None:
        raise not_found("queue", queue_id, "queue_id")
    return queue
