"""/api/v1/metrics/definitions and /api/v1/reports/*: the metric definitions and the reports
computed by them from the rolled-up interval tables, as JSON or CSV."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from contactcentre.auth.access import require_api_role
from contactcentre.reporting.definitions import served_definitions
from contactcentre.store.models import Role
from contactcentre.webapi.common import ERRORS, SECURITY

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
