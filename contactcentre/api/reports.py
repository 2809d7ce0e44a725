"""/api/v1/metrics/definitions and /api/v1/reports/*: the metric definitions and the reports
computed by them from the rolled-up interval tables, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from contactcentre.auth.access import require_api_role
from contactcentre.errors import ApiError
from contactcentre.platform.runtime import current_runtime
from contactcentre.reporting import reports
from contactcentre.reporting.definitions import served_definitions
from contactcentre.reporting.reports import Period, Report
from contactcentre.store.models import Role
from contactcentre.webapi.common import ERRORS, INT32_MAX, SECURITY

api = APIBlueprint(
    "reports", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="reports")], abp_security=SECURITY
)


class DefinitionOut(BaseModel):
    key: str = Field(description="this instance: the id with its parameters")
    id: str
    served_id: str = Field(description="what a number shows beside it, e.g. 'aht v2'")
    parameters: dict[str, Any]
    metric: str
    version: int
    label: str
    unit: str = Field(description="ratio (0-1), seconds, count or score")
    better: str = Field(description="higher or lower")
    denominator: str
    business_hours: str = Field(description="the clock it is measured on")
    zero_denominator: str = Field(description="what an empty denominator gives")


class DefinitionList(BaseModel):
    items: list[DefinitionOut]


@api.get("/metrics/definitions", responses={200: DefinitionList, **ERRORS})
@require_api_role(Role.AGENT)
def definitions() -> Any:
    """Every metric definition: unit, denominator, business-hours scope, zero behaviour."""
    return {"items": served_definitions()}


MAX_DAYS = 400


class ReportQuery(BaseModel):
    """A report's range, in the viewer's time zone unless a time carries its own offset."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    start: str | None = Field(
        None, alias="from", max_length=40, description="ISO 8601 date or time; default today"
    )
    end: str | None = Field(
        None, alias="to", max_length=40, description="exclusive; default the day after 'from'"
    )
    tz: str = Field("UTC", max_length=64, description="IANA time zone, e.g. Europe/Madrid")
    channel: Literal["voice", "chat", "email", "outbound"] | None = None
    format: Literal["json", "csv"] = "json"

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (an IANA name such as Europe/Madrid)"
            ) from None
        return value

    def period(self) -> Period:
        zone = ZoneInfo(self.tz)
        start = _moment(self.start, "from", zone) if self.start else _today(zone)
        end = _moment(self.end, "to", zone) if self.end else start + timedelta(days=1)
        if end <= start:
            raise ApiError(422, "validation_error", "to: must be after from", "to")
        if end - start > timedelta(days=MAX_DAYS):
            raise ApiError(422, "validation_error", f"to: at most {MAX_DAYS} days after from", "to")
        return Period(start, end, zone)


class ServiceLevelQuery(ReportQuery):
    group: Literal["interval", "hour", "day", "queue", "channel"] = "interval"
    queue_id: int = Field(0, ge=0, le=INT32_MAX, description="one queue's rows; 0: every queue")


def _moment(value: str, name: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(
            422, "validation_error", f"{name}: not an ISO 8601 date or time: {value!r}", name
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _today(zone: ZoneInfo) -> datetime:
    return datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)


class ReportOut(BaseModel):
    report: str
    columns: list[str]
    rows: list[dict[str, Any]]
    definitions: dict[str, dict[str, str]] = Field(description="each computed column's definition")
    tz: str
    from_: str = Field(alias="from")
    to: str


def _answer(report: Report, period: Period, fmt: str) -> Any:
    if fmt == "json":
        return report.to_dict(period)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=report.columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(report.rows)
    name = f"{report.name}_{period.start.date()}_{period.end.date()}.csv"
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _run(query: ReportQuery, build: Callable[[Session, Period], Report]) -> Any:
    period = query.period()
    with current_runtime().db.session() as session:
        report = build(session, period)
    return _answer(report, period, query.format)


RESPONSES: dict[Any, Any] = {200: ReportOut, **ERRORS}


@api.get("/reports/service-level", responses=RESPONSES)
@require_api_role(Role.SUPERVISOR)
def service_level_report(query: ServiceLevelQuery) -> Any:
    """Service level and volume by interval, hour, day, queue or channel (CSV with format=csv)."""
    return _run(
        query,
        lambda s, p: reports.service_level(
            s, p, query.group, query.queue_id or None, query.channel
        ),
    )


@api.get("/reports/agents", responses=RESPONSES)
@require_api_role(Role.SUPERVISOR)
def agents_report(query: ReportQuery) -> Any:
    """Agent performance: handled, AHT and its parts, transfer rate, CSAT."""
    return _run(query, lambda s, p: reports.agents(s, p, query.channel))


@api.get("/reports/abandon-profile", responses=RESPONSES)
@require_api_role(Role.SUPERVISOR)
def abandon_profile_report(query: ReportQuery) -> Any:
    """How long callers waited before they hung up, in bands."""
    return _run(query, lambda s, p: reports.abandon_profile(s, p, query.channel))


@api.get("/reports/dispositions", responses=RESPONSES)
@require_api_role(Role.SUPERVISOR)
def dispositions_report(query: ReportQuery) -> Any:
    """Handled contacts and FCR per final disposition."""
    return _run(query, lambda s, p: reports.dispositions(s, p, query.channel))


@api.get("/reports/segments", responses=RESPONSES)
@require_api_role(Role.SUPERVISOR)
def segments_report(query: ReportQuery) -> Any:
    """Waits and service per customer value segment (the fairness check)."""
    return _run(query, lambda s, p: reports.segments(s, p, query.channel))


@api.get("/reports/interactions", responses=RESPONSES)
@require_api_role(Role.SUPERVISOR)
def interactions_export(query: ReportQuery) -> Any:
    """One row per interaction counted in the range (format=csv for the file)."""
    return _run(query, lambda s, p: reports.export(s, p, query.channel))
