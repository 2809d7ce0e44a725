"""/api/v1/campaigns/<id>/lists, imports, leads: CSV lead lists, their error reports, leads'
diagnoses and dispositions.

An upload is streamed from the request's spooled file into one transaction (lists.import_list).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response
from flask_openapi3 import APIBlueprint, FileStorage, Tag
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from contactcentre.api.campaign_schemas import CampaignPath
from contactcentre.auth.access import require_api_role
from contactcentre.dialer.diagnostics import diagnose_lead
from contactcentre.dialer.dispositions import record_disposition
from contactcentre.dialer.hopper import Hopper, drop_numbers, enqueue_refill
from contactcentre.dialer.lists import ListFileError, error_report_csv, import_list
from contactcentre.errors import ApiError, conflict, not_found
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import Campaign, Lead, LeadImport, LeadList, Role
from contactcentre.webapi.common import ERRORS, SECURITY, Body, Id, Page, get_or_404, paginate
from routing.dialer.legal import IllegalSetting

api = APIBlueprint(
    "campaign_lists",
    __name__,
    url_prefix="/api/v1/campaigns/<int:campaign_id>",
    abp_tags=[Tag(name="campaigns")],
    abp_security=SECURITY,
)


class ListPath(CampaignPath):
    list_id: Id


class ImportPath(CampaignPath):
    import_id: Id


class LeadPath(CampaignPath):
    lead_id: Id


class ListUpload(BaseModel):
    file: FileStorage
    name: str = Field(min_length=1, max_length=120)
    priority: int = Field(5, ge=1, le=100, description="higher lists dial first")
    skip_bad_rows: bool = Field(False, description="import good rows; default: all or nothing")
    region: str = Field("", max_length=2, description="ISO country for national numbers")


class ListPatch(Body):
    priority: int | None = Field(None, ge=1, le=100)
    active: bool | None = None


class ListOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int
    campaign_id: int
    name: str
    priority: int
    active: bool
    leads: int


class ListList(BaseModel):
    items: list[ListOut]


class LeadImportOut(BaseModel):
    id: int
    campaign_id: int
    list_id: int | None
    list_name: str
    filename: str
    mode: str
    status: str = Field(description="imported, or rejected (nothing was written)")
    rows_read: int
    imported: int
    skipped: int
    errors_total: int
    errors: list[dict[str, Any]] = Field(description="the first problems: row, field, reason")
    created_at: str


class LeadImportList(BaseModel):
    items: list[LeadImportOut]


class LeadOut(BaseModel):
    id: int
    list_id: int
    number: str
    time_zones: list[str]
    first_name: str
    last_name: str
    score: float
    consent: bool
    custom: dict[str, Any]


class LeadPage(BaseModel):
    items: list[LeadOut]
    total: int


class LeadDiagnosis(BaseModel):
    lead_id: int
    campaign_id: int
    number: str
    checked_at: str
    dialable: bool
    reasons: list[dict[str, Any]]
    zones: list[dict[str, Any]]
    attempts: int
    max_attempts: int
    list_active: bool


class DispositionBody(Body):
    code: str = Field(min_length=1, max_length=40)


class LeadDispositionOut(BaseModel):
    lead_id: int
    attempt_id: int
    code: str
    added_to_dnc: bool


def _import_out(record: LeadImport) -> dict[str, Any]:
    fields = set(LeadImportOut.model_fields) - {"created_at"}
    return {**{f: getattr(record, f) for f in fields}, "created_at": record.created_at.isoformat()}


def _list_out(session: Any, row: LeadList) -> dict[str, Any]:
    count = session.scalar(select(func.count(Lead.id)).where(Lead.list_id == row.id)) or 0
    return ListOut(
        **{f: getattr(row, f) for f in ListOut.model_fields if f != "leads"}, leads=count
    ).model_dump()


@api.get("/lists", responses={200: ListList, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def list_lists(path: CampaignPath) -> Any:
    with current_runtime().db.session() as session:
        get_or_404(session, Campaign, path.campaign_id, "campaign", "campaign_id")
        rows = session.scalars(
            select(LeadList)
            .where(LeadList.campaign_id == path.campaign_id)
            .order_by(LeadList.priority.desc(), LeadList.id)
        )
        return {"items": [_list_out(session, r) for r in rows]}


@api.post("/lists", responses={201: LeadImportOut, **ERRORS})
@require_api_role(Role.ADMIN)
def upload_list(path: CampaignPath, form: ListUpload) -> Any:
    runtime = current_runtime()
    region = (form.region or runtime.settings.default_phone_region).upper()
    with runtime.db.session() as session:
        campaign = get_or_404(session, Campaign, path.campaign_id, "campaign", "campaign_id")
        if campaign.status == "stopped":
            raise ApiError(409, "stopped", "a stopped campaign takes no new list", "campaign_id")
        taken = session.scalars(
            select(LeadList.id).where(
                LeadList.campaign_id == campaign.id, LeadList.name == form.name
            )
        ).first()
        if taken is not None:
            raise conflict("name", f"the campaign already has a list named {form.name!r}")
        try:
            record = import_list(
                session,
                campaign,
                form.file.stream,  # the spooled upload, read row by row
                list_name=form.name,
                priority=form.priority,
                skip_bad_rows=form.skip_bad_rows,
                region=region,
                filename=form.file.filename or "",
            )
        except ListFileError as exc:
            session.rollback()
            raise ApiError(422, exc.code, exc.message, "file") from None
        except ValueError as exc:  # an unknown region
            session.rollback()
            raise ApiError(422, "validation_error", str(exc), "region") from None
        audit(
            session, "campaign.list_import", "campaign", campaign.id,
            {"import_id": record.id, "status": record.status, "imported": record.imported},
        )  # fmt: skip
        out = _import_out(record)
        active = campaign.status == "active"
    if active and out["status"] == "imported":
        enqueue_refill(runtime.redis_url, path.campaign_id)
    if out["status"] == "rejected":
        first = out["errors"][0] if out["errors"] else None
        where = f"row {first['row']}, {first['field']}: {first['reason']}" if first else ""
        return {
            "error": {
                "code": "import_rejected",
                "message": f"{out['errors_total']} problem(s); nothing imported. First: {where}",
                "field": first["field"] if first else "file",
            },
            "import": out,
        }, 422
    return out, 201


@api.patch("/lists/<int:list_id>", responses={200: ListOut, **ERRORS})
@require_api_role(Role.ADMIN)
def update_list(path: ListPath, body: ListPatch) -> Any:
    runtime = current_runtime()
    with runtime.db.session() as session:
        row = session.get(LeadList, path.list_id)
        if row is None or row.campaign_id != path.campaign_id:
            raise not_found("list", path.list_id, "list_id")
        changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
        for key, value in changes.items():
            setattr(row, key, value)
        audit(session, "campaign.list_update", "lead_list", row.id, changes)
        out = _list_out(session, row)
        if changes.get("active") is False:
            ids = session.scalars(select(Lead.id).where(Lead.list_id == row.id)).all()
            Hopper(runtime.redis, path.campaign_id).remove(ids)
    return out


@api.get("/imports", responses={200: LeadImportList, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def list_imports(path: CampaignPath) -> Any:
    with current_runtime().db.session() as session:
        get_or_404(session, Campaign, path.campaign_id, "campaign", "campaign_id")
        rows = session.scalars(
            select(LeadImport)
            .where(LeadImport.campaign_id == path.campaign_id)
            .order_by(LeadImport.id.desc())
            .limit(100)
        )
        return {"items": [_import_out(r) for r in rows]}


ERROR_REPORT = {
    "description": "CSV: row, field, reason, value",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


@api.get("/imports/<int:import_id>/errors.csv", responses={200: ERROR_REPORT, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def import_errors(path: ImportPath) -> Any:
    """The import's problems as CSV (row, field, reason, value)."""
    with current_runtime().db.session() as session:
        record = session.get(LeadImport, path.import_id)
        if record is None or record.campaign_id != path.campaign_id:
            raise not_found("import", path.import_id, "import_id")
        body = error_report_csv(record)
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="import-{path.import_id}-errors.csv"'
        },
    )


@api.get("/leads", responses={200: LeadPage, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def list_leads(path: CampaignPath, query: Page) -> Any:
    with current_runtime().db.session() as session:
        get_or_404(session, Campaign, path.campaign_id, "campaign", "campaign_id")
        rows, total = paginate(
            session,
            select(Lead).where(Lead.campaign_id == path.campaign_id).order_by(Lead.id),
            query,
        )
        return {
            "items": [
                LeadOut(**{f: getattr(r, f) for f in LeadOut.model_fields}).model_dump()
                for r in rows
            ],
            "total": total,
        }


def _lead(session: Any, path: LeadPath) -> Lead:
    lead: Lead | None = session.get(Lead, path.lead_id)
    if lead is None or lead.campaign_id != path.campaign_id:
        raise not_found("lead", path.lead_id, "lead_id")
    return lead


@api.get("/leads/<int:lead_id>/diagnostics", responses={200: LeadDiagnosis, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def lead_diagnostics(path: LeadPath) -> Any:
    with current_runtime().db.session() as session:
        try:
            return diagnose_lead(session, _lead(session, path), datetime.now(UTC))
        except IllegalSetting as exc:
            raise ApiError(409, exc.code, exc.message, exc.field) from None


@api.post("/leads/<int:lead_id>/disposition", responses={200: LeadDispositionOut, **ERRORS})
@require_api_role(Role.AGENT)
def set_disposition(path: LeadPath, body: DispositionBody) -> Any:
    runtime = current_runtime()
    with runtime.db.session() as session:
        lead = _lead(session, path)
        campaign = session.get(Campaign, lead.campaign_id)
        assert campaign is not None
        try:
            attempt, added = record_disposition(session, campaign, lead, body.code)
        except IllegalSetting as exc:
            status = 409 if exc.field == "lead_id" else 422
            raise ApiError(status, exc.code, exc.message, exc.field) from None
        audit(session, "campaign.disposition", "lead", lead.id, {"code": body.code})
        out = {
            "lead_id": lead.id,
            "attempt_id": attempt.id,
            "code": body.code,
            "added_to_dnc": added,
        }
        session.commit()  # suppressed from here on, before the hopper is told
        if added:
            drop_numbers(session, runtime.redis, [lead.number])
    return out
