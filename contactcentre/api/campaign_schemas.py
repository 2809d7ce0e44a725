"""Schemas of /api/v1/campaigns: a campaign's configuration in and out, and its parts.

Shapes and ranges are checked here; whether the settings are legal is routing.dialer.policy's
call (contactcentre.dialer.policy builds the policy from them), answered as 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from contactcentre.webapi.common import Body, Id

Mode = Literal["preview", "progressive", "power", "predictive"]
Status = Literal["draft", "active", "paused", "stopped"]
Jurisdiction = Literal["us", "uk"]
LocalTime = Annotated[
    str, Field(pattern=r"^\d{2}:\d{2}(:\d{2})?$", description="local wall-clock time HH:MM[:SS]")
]
MONTH = 31 * 86_400


class CustomField(Body):
    name: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1, max_length=80)


class DispositionIn(Body):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1, max_length=120)
    do_not_call: bool = Field(False, description="the person asked not to be called: adds to DNC")
    final: bool = Field(False, description="the lead is done in this campaign")
    retry_after_seconds: int | None = Field(None, ge=0, le=MONTH)


class CampaignFields(Body):
    mode: Mode = "progressive"
    dial_ratio: float = Field(1.0, ge=1.0, le=5.0, description="power mode: calls per free agent")
    queue_id: Id | None = Field(None, description="the queue whose agents take the calls")
    caller_id: str = Field(min_length=2, max_length=16, description="E.164, e.g. +442079460958")
    jurisdiction: Jurisdiction = "us"
    time_zone: str = Field("UTC", min_length=1, max_length=64, description="where 'today' starts")
    window_start: LocalTime = "08:00:00"
    window_end: LocalTime = "21:00:00"
    max_attempts: int = Field(6, ge=1, le=100)
    retry_delays: dict[str, int] | None = Field(
        None, description="seconds by outcome: human, abandoned, machine, busy, no_answer, ..."
    )
    ring_timeout_seconds: float = Field(25.0, gt=0, le=120)
    min_ring_seconds: float = Field(15.0, gt=0, le=120)
    connect_seconds: float = Field(2.0, gt=0, le=60)
    abandon_limit: float = Field(0.03, gt=0, lt=1)
    require_consent: bool = True
    script: str = Field("", max_length=20_000)
    custom_fields: list[CustomField] = Field(default_factory=list, max_length=50)
    dispositions: list[DispositionIn] = Field(default_factory=list, max_length=100)
    hopper_size: int = Field(100, ge=1, le=5000)


class CampaignIn(CampaignFields):
    name: str = Field(min_length=1, max_length=80)


class CampaignPatch(Body):
    """Only the fields given change; the merged settings are checked against the law."""

    name: str | None = Field(None, min_length=1, max_length=80)
    mode: Mode | None = None
    dial_ratio: float | None = Field(None, ge=1.0, le=5.0)
    queue_id: Id | None = None
    caller_id: str | None = Field(None, min_length=2, max_length=16)
    jurisdiction: Jurisdiction | None = None
    time_zone: str | None = Field(None, min_length=1, max_length=64)
    window_start: LocalTime | None = None
    window_end: LocalTime | None = None
    max_attempts: int | None = Field(None, ge=1, le=100)
    retry_delays: dict[str, int] | None = None
    ring_timeout_seconds: float | None = Field(None, gt=0, le=120)
    min_ring_seconds: float | None = Field(None, gt=0, le=120)
    connect_seconds: float | None = Field(None, gt=0, le=60)
    abandon_limit: float | None = Field(None, gt=0, lt=1)
    require_consent: bool | None = None
    script: str | None = Field(None, max_length=20_000)
    custom_fields: list[CustomField] | None = Field(None, max_length=50)
    dispositions: list[DispositionIn] | None = Field(None, max_length=100)
    hopper_size: int | None = Field(None, ge=1, le=5000)


class CampaignOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int
    name: str
    status: Status
    mode: Mode
    dial_ratio: float
    queue_id: int | None
    caller_id: str
    jurisdiction: Jurisdiction
    time_zone: str
    window_start: str
    window_end: str
    max_attempts: int
    retry_delays: dict[str, int]
    ring_timeout_seconds: float
    min_ring_seconds: float
    connect_seconds: float
    abandon_limit: float
    require_consent: bool
    script: str
    custom_fields: list[dict[str, Any]]
    dispositions: list[dict[str, Any]]
    hopper_size: int
    legal_overrides: list[dict[str, Any]] = Field(description="audited permissions past the law")


class CampaignList(BaseModel):
    items: list[CampaignOut]
    total: int


class CampaignPath(BaseModel):
    campaign_id: Id


class StatusIn(Body):
    status: Status


class OverrideIn(Body):
    """An explicit permission to go past one legal default, as far as `value` (audited)."""

    rule: Literal["calling_window", "abandon_limit", "connect_seconds", "min_ring_seconds"]
    value: float | list[LocalTime] = Field(
        description="a number, or [start, end] local times for calling_window"
    )
    reason: str = Field(min_length=3, max_length=500)
    reference: str = Field(min_length=1, max_length=200, description="legal opinion, ticket")


class Reason(BaseModel):
    reason: str
    message: str
    until: str | None = None


class CampaignDiagnosis(BaseModel):
    campaign_id: int
    status: Status
    checked_at: str
    dialing: bool
    reasons: list[Reason]
    agents_signed_in: int
    hopper_size: int
    has_leads: bool
    abandon: list[dict[str, Any]]


class HopperOut(BaseModel):
    campaign_id: int
    size: int
    lead_ids: list[int] = Field(description="the first 100, in dial order")


class RefillOut(BaseModel):
    accepted: Literal[True] = True
    job_id: str
