"""/api/v1/reports/sla-breaches: SLA policy clocks met and breached, by queue, channel,
priority, day or hour, as JSON or CSV (the same query and answer as the other reports)."""

from __future__ import annotations

from typing import Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import Field

from contactcentre.api.reports import RESPONSES, ReportQuery, _run
from contactcentre.auth.access import require_api_role
from contactcentre.reporting.sla_report import sla_breaches
from contactcentre.store.models import Role
from contactcentre.webapi.common import INT32_MAX, SECURITY

api = APIBlueprint(
    "sla_reports",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="reports")],
    abp_security=SECURITY,
)


class SlaBreachesQuery(ReportQuery):
    group: Literal["queue", "channel", "priority", "day", "hour"] = "queue"
    queue_id: int = Field(0, ge=0, le=INT32_MAX, description="one queue's rows; 0: every queue")
    target: Literal["answer", "first_response", "resolution"] | None = None


@api.get("/reports/sla-breaches", responses=RESPONSES)
@require_api_role(Role.SUPERVISOR)
def sla_breaches_report(query: SlaBreachesQuery) -> Any:
    """SLA clocks due in the range: met, breached, running, closed and compliance per group and
    target, each row naming its definition (CSV with format=csv)."""
    return _run(
        query,
        lambda s, p: sla_breaches(
            s,
            p,
            query.group,
            channel=query.channel,
            queue_id=query.queue_id or None,
            target=query.target,
        ),
    )
