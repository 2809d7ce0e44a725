"""/api/v1/campaigns/dnc and /api/v1/campaigns/<id>/dnc: do-not-call lists.

The internal list (every campaign), imported national registries, and a campaign's own list.
A number added here is never dialed from the commit on: eligibility reads these rows, and the
number's leads leave every hopper at once.
"""

from __future__ import annotations

from typing import Any, Literal

from flask_openapi3 import APIBlueprint, FileStorage, Tag
from pydantic import BaseModel, Field
from sqlalchemy import select

from contactcentre.api.campaign_schemas import CampaignPath
from contactcentre.auth.access import require_api_role
from contactcentre.dialer.dnc import add_number, import_dnc_csv
from contactcentre.dialer.hopper import drop_numbers
from contactcentre.dialer.phones import InvalidPhone, to_e164
from contactcentre.errors import ApiError
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import Campaign, DncEntryRow, Role
from contactcentre.webapi.common import ERRORS, SECURITY, Body, get_or_404
from routing.dialer.suppression import DncScope

api = APIBlueprint(
    "dnc",
    __name__,
    url_prefix="/api/v1/campaigns",
    abp_tags=[Tag(name="do-not-call")],
    abp_security=SECURITY,
)

Scope = Literal["internal", "national"]


class NumberIn(Body):
    number: str = Field(min_length=3, max_length=40, description="any format; stored as E.164")
    scope: Scope = "internal"
    source: str = Field("", max_length=200, description="why (a complaint, a registry file)")


class CampaignNumberIn(Body):
    number: str = Field(min_length=3, max_length=40)
    source: str = Field("", max_length=200)


class NumberQuery(BaseModel):
    number: str = Field(min_length=3, max_length=40)


class DncImportForm(BaseModel):
    file: FileStorage
    scope: Scope = "national"
    source: str = Field("", max_length=200, description="e.g. 'TPS 2026-12-01'")
    region: str = Field("", max_length=2)


class EntryOut(BaseModel):
    number: str
    scope: str
    campaign_id: int | None
    source: str
    added_at: str


class EntriesOut(BaseModel):
    number: str
    entries: list[EntryOut]


class AddedOut(BaseModel):
    number: str
    added: bool = Field(description="false when it was on that list already")


class DncImportOut(BaseModel):
    added: int
    already_listed: int
    errors_total: int
    errors: list[dict[str, Any]]


def _number(raw: str) -> str:
    try:
        return to_e164(raw, current_runtime().settings.default_phone_region)
    except InvalidPhone as exc:
        raise ApiError(422, exc.code, exc.message, "number") from None


def _add(scope: DncScope, campaign_id: int | None, raw: str, source: str) -> dict[str, Any]:
    runtime = current_runtime()
    number = _number(raw)
    with runtime.db.session() as session:
        if campaign_id is not None:
            get_or_404(session, Campaign, campaign_id, "campaign", "campaign_id")
        added = add_number(session, number, scope, campaign_id, source or "added by hand")
        audit(session, "dnc.add", "dnc", number, {"scope": str(scope), "campaign_id": campaign_id})
        session.commit()
        drop_numbers(session, runtime.redis, [number])
    return {"number": number, "added": added}


@api.post("/dnc", responses={200: AddedOut, **ERRORS})
@require_api_role(Role.ADMIN)
def add_dnc(body: NumberIn) -> Any:
    return _add(DncScope(body.scope), None, body.number, body.source)


@api.post("/<int:campaign_id>/dnc", responses={200: AddedOut, **ERRORS})
@require_api_role(Role.ADMIN)
def add_campaign_dnc(path: CampaignPath, body: CampaignNumberIn) -> Any:
    return _add(DncScope.CAMPAIGN, path.campaign_id, body.number, body.source)


@api.get("/dnc", responses={200: EntriesOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def find_dnc(query: NumberQuery) -> Any:
    number = _number(query.number)
    with current_runtime().db.session() as session:
        rows = session.scalars(
            select(DncEntryRow).where(DncEntryRow.number == number).order_by(DncEntryRow.id)
        )
        return {
            "number": number,
            "entries": [
                {
                    "number": r.number,
                    "scope": r.scope,
                    "campaign_id": r.campaign_id,
                    "source": r.source,
                    "added_at": r.added_at.isoformat(),
                }
                for r in rows
            ],
        }


@api.post("/dnc/import", responses={200: DncImportOut, **ERRORS})
@require_api_role(Role.ADMIN)
def import_dnc(form: DncImportForm) -> Any:
    runtime = current_runtime()
    region = (form.region or runtime.settings.default_phone_region).upper()
    with runtime.db.session() as session:
        try:
            report = import_dnc_csv(
                session,
                form.file.stream,
                scope=DncScope(form.scope),
                campaign_id=None,
                region=region,
                source=form.source or f"{form.scope} import {form.file.filename or ''}".strip(),
            )
        except UnicodeDecodeError:
            session.rollback()
            raise ApiError(422, "invalid_file", "the file is not UTF-8 text", "file") from None
        except ValueError as exc:
            session.rollback()
            raise ApiError(422, "validation_error", str(exc), "region") from None
        audit(
            session, "dnc.import", "dnc", form.scope,
            {"added": report.added, "already_listed": report.already_listed},
        )  # fmt: skip
        session.commit()
        drop_numbers(session, runtime.redis, report.added_numbers)
    return {
        "added": report.added,
        "already_listed": report.already_listed,
        "errors_total": report.errors_total,
        "errors": report.errors,
    }
