"""Customer value over time: a customer's CLV history and at-risk reasons, the CLV-decline
alerts for supervisors, and the customer-value report (JSON or CSV like the other reports)."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from sqlalchemy import select

from contactcentre.api.customer_access import visible_customer
from contactcentre.api.reports import RESPONSES, ReportQuery, _run
from contactcentre.auth.access import require_api_role
from contactcentre.customers.risk import policy_from, reasons_out, risk_reasons
from contactcentre.customers.value_alerts import alert_out
from contactcentre.platform.runtime import current_runtime
from contactcentre.reporting.customer_value import customer_value
from contactcentre.store.models import CustomerValueAlert, CustomerValueSnapshot, Role
from contactcentre.webapi.common import ERRORS, INT32_MAX, SECURITY, Id, Page, paginate
from routing.customer_risk import Quarter

api = APIBlueprint(
    "customer_value",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="customers")],
    abp_security=SECURITY,
)


class CustomerPath(BaseModel):
    customer_id: Id


class QuarterOut(BaseModel):
    quarter: str = Field(description="calendar quarter (UTC), e.g. 2026-Q4")
    clv: float
    segment: str
    recorded_at: str = Field(description="when the quarter's latest value was written")


class Reason(BaseModel):
    rule: str = Field(description="clv_decline, cancellations, complaints or manual")
    text: str


class ValueOut(BaseModel):
    customer_id: int
    clv: float
    segment: str
    at_risk: bool = Field(description="computed: any rule in reasons holds")
    reasons: list[Reason]
    manual_at_risk: bool = Field(description="the record's at_risk flag, set by hand")
    history: list[QuarterOut] = Field(description="oldest quarter first")


class AlertQuery(Page):
    customer_id: int = Field(0, ge=0, le=INT32_MAX, description="one customer's; 0: everyone's")


class AlertOut(BaseModel):
    id: str
    alert_id: int
    customer_id: int
    quarter: str
    segment: str
    clv_two_quarters_ago: float
    clv_last_quarter: float
    clv_now: float
    created_at: str
    sent: bool = Field(description="told to the supervisors' room")


class AlertList(BaseModel):
    items: list[AlertOut]
    total: int


@api.get("/customers/<int:customer_id>/value", responses={200: ValueOut, **ERRORS})
@require_api_role(Role.AGENT)
def customer_value_history(path: CustomerPath) -> Any:
    """CLV and segment per quarter, and whether (and why) the rules put the customer at risk;
    who may see it is who may see the customer (GET /customers/{id})."""
    runtime = current_runtime()
    with runtime.db.session() as session:
        customer = visible_customer(session, path.customer_id)
        rows = session.scalars(
            select(CustomerValueSnapshot)
            .where(CustomerValueSnapshot.customer_id == customer.id)
            .order_by(CustomerValueSnapshot.quarter)
        ).all()
        found = risk_reasons(session, customer, policy_from(runtime.settings))
        return {
            "customer_id": customer.id,
            "clv": float(customer.clv),
            "segment": customer.segment,
            "at_risk": bool(found),
            "reasons": reasons_out(found),
            "manual_at_risk": bool(customer.at_risk),
            "history": [
                {
                    "quarter": str(Quarter.from_index(r.quarter)),
                    "clv": float(r.clv),
                    "segment": r.segment,
                    "recorded_at": r.recorded_at.isoformat(),
                }
                for r in rows
            ],
        }


@api.get("/customer-value/alerts", responses={200: AlertList, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def value_alerts(query: AlertQuery) -> Any:
    """Customers whose CLV fell in each of the last two quarters, newest first (one per
    customer and quarter)."""
    with current_runtime().db.session() as session:
        stmt = select(CustomerValueAlert).order_by(CustomerValueAlert.id.desc())
        if query.customer_id:
            stmt = stmt.where(CustomerValueAlert.customer_id == query.customer_id)
        rows, total = paginate(session, stmt, query)
        return {"items": [alert_out(r) for r in rows], "total": total}


@api.get("/reports/customer-value", responses=RESPONSES)
@require_api_role(Role.SUPERVISOR)
def customer_value_report(query: ReportQuery) -> Any:
    """Per segment: customers, customer equity, average CLV, churn and retention over the
    range (CSV with format=csv); `channel` does not apply."""
    return _run(query, customer_value)
