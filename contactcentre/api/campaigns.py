"""/api/v1/campaigns: outbound campaigns' configuration, status, legal overrides and diagnosis.

Admins configure; supervisors view, start, pause and stop. Illegal settings answer 422 naming
the field; an illegal status move answers 409 with where the campaign may go.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy import select

from contactcentre.api.campaign_schemas import (
    CampaignDiagnosis,
    CampaignIn,
    CampaignList,
    CampaignOut,
    CampaignPatch,
    CampaignPath,
    HopperOut,
    OverrideIn,
    RefillOut,
    StatusIn,
)
from contactcentre.auth.access import api_user, require_api_role
from contactcentre.dialer.campaigns import (
    NotReady,
    apply_settings,
    change_status,
    grant_override,
    new_campaign,
)
from contactcentre.dialer.diagnostics import diagnose_campaign
from contactcentre.dialer.hopper import Hopper, enqueue_refill
from contactcentre.errors import ApiError, conflict
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import Campaign, Role
from contactcentre.webapi.common import ERRORS, SECURITY, Page, get_or_404, paginate
from routing.dialer.legal import IllegalSetting
from routing.dialer.lifecycle import CampaignState, IllegalTransition

api = APIBlueprint(
    "campaigns",
    __name__,
    url_prefix="/api/v1/campaigns",
    abp_tags=[Tag(name="campaigns")],
    abp_security=SECURITY,
)

FIELDS = list(CampaignOut.model_fields)


def campaign_out(campaign: Campaign) -> dict[str, Any]:
    return CampaignOut(**{f: getattr(campaign, f) for f in FIELDS}).model_dump()


def illegal(exc: IllegalSetting) -> ApiError:
    return ApiError(422, exc.code, exc.message, exc.field)


def _unique_name(session: Any, name: str, campaign_id: int | None = None) -> None:
    other = session.scalars(select(Campaign).where(Campaign.name == name)).first()
    if other is not None and other.id != campaign_id:
        raise conflict("name", f"a campaign named {name!r} already exists")


@api.get("", responses={200: CampaignList, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def list_campaigns(query: Page) -> Any:
    with current_runtime().db.session() as session:
        rows, total = paginate(session, select(Campaign).order_by(Campaign.name), query)
        return {"items": [campaign_out(c) for c in rows], "total": total}


@api.post("", responses={201: CampaignOut, **ERRORS})
@require_api_role(Role.ADMIN)
def create_campaign(body: CampaignIn) -> Any:
    with current_runtime().db.session() as session:
        data = body.model_dump()
        _unique_name(session, data["name"])
        try:
            campaign = new_campaign(session, data)
        except IllegalSetting as exc:
            raise illegal(exc) from None
        session.add(campaign)
        session.flush()
        audit(session, "campaign.create", "campaign", campaign.id, data)
        return campaign_out(campaign), 201


@api.get("/<int:campaign_id>", responses={200: CampaignOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def get_campaign(path: CampaignPath) -> Any:
    with current_runtime().db.session() as session:
        return campaign_out(get_or_404(session, Campaign, path.campaign_id, "campaign"))


@api.patch("/<int:campaign_id>", responses={200: CampaignOut, **ERRORS})
@require_api_role(Role.ADMIN)
def update_campaign(path: CampaignPath, body: CampaignPatch) -> Any:
    with current_runtime().db.session() as session:
        campaign = get_or_404(session, Campaign, path.campaign_id, "campaign")
        if campaign.status == CampaignState.STOPPED:
            raise ApiError(409, "stopped", "a stopped campaign is not changed", "campaign_id")
        changes = body.model_dump(exclude_unset=True)
        if changes.get("name") is not None:
            _unique_name(session, changes["name"], campaign.id)
        try:
            apply_settings(session, campaign, changes)
        except IllegalSetting as exc:
            raise illegal(exc) from None
        audit(session, "campaign.update", "campaign", campaign.id, changes)
        return campaign_out(campaign)


@api.post("/<int:campaign_id>/status", responses={200: CampaignOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def set_status(path: CampaignPath, body: StatusIn) -> Any:
    runtime = current_runtime()
    with runtime.db.session() as session:
        campaign = get_or_404(session, Campaign, path.campaign_id, "campaign")
        before = campaign.status
        try:
            target = change_status(campaign, body.status)
        except IllegalTransition as exc:
            raise ApiError(409, exc.code, str(exc), "status") from None
        except NotReady as exc:
            raise ApiError(409, exc.code, exc.message, exc.field) from None
        except IllegalSetting as exc:
            raise illegal(exc) from None
        audit(session, "campaign.status", "campaign", campaign.id, {"from": before, "to": target})
        out = campaign_out(campaign)
    # After the commit: a worker refilling before it would still see the old status.
    if target is CampaignState.ACTIVE:
        enqueue_refill(runtime.redis_url, path.campaign_id)
    else:
        Hopper(runtime.redis, path.campaign_id).clear()
    return out


@api.post("/<int:campaign_id>/overrides", responses={200: CampaignOut, **ERRORS})
@require_api_role(Role.ADMIN)
def add_override(path: CampaignPath, body: OverrideIn) -> Any:
    with current_runtime().db.session() as session:
        campaign = get_or_404(session, Campaign, path.campaign_id, "campaign")
        user = api_user()
        try:
            override = grant_override(
                campaign,
                rule=body.rule,
                value=body.value,
                approved_by=f"user:{user.id} ({user.email})",
                reason=body.reason,
                reference=body.reference,
                now=datetime.now(UTC),
            )
        except IllegalSetting as exc:
            raise illegal(exc) from None
        audit(session, "campaign.legal_override", "campaign", campaign.id, override.audit_record())
        return campaign_out(campaign)


@api.get("/<int:campaign_id>/diagnostics", responses={200: CampaignDiagnosis, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def campaign_diagnostics(path: CampaignPath) -> Any:
    runtime = current_runtime()
    with runtime.db.session() as session:
        campaign = get_or_404(session, Campaign, path.campaign_id, "campaign")
        return diagnose_campaign(
            session,
            runtime.redis,
            campaign,
            datetime.now(UTC),
            grace_seconds=runtime.settings.realtime_grace_seconds,
        )


@api.get("/<int:campaign_id>/hopper", responses={200: HopperOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def get_hopper(path: CampaignPath) -> Any:
    runtime = current_runtime()
    with runtime.db.session() as session:
        get_or_404(session, Campaign, path.campaign_id, "campaign")
    hopper = Hopper(runtime.redis, path.campaign_id)
    return {
        "campaign_id": path.campaign_id,
        "size": hopper.size(),
        "lead_ids": hopper.lead_ids(100),
    }


@api.post("/<int:campaign_id>/hopper/refill", responses={202: RefillOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def refill_hopper(path: CampaignPath) -> Any:
    runtime = current_runtime()
    with runtime.db.session() as session:
        campaign = get_or_404(session, Campaign, path.campaign_id, "campaign")
        if campaign.status != CampaignState.ACTIVE:
            raise ApiError(
                409, "not_active", f"the campaign is {campaign.status}: only an active one dials",
                "status",
            )  # fmt: skip
    return {"accepted": True, "job_id": enqueue_refill(runtime.redis_url, path.campaign_id)}, 202
