"""/api/v1/customers: look-up in any format, CRUD, CSV import, GDPR export and erasure.

Agents find customers by search (a short list, masked) and open only those they serve, served
or found (api.customer_access); listing everyone is for supervisors. Erasure is audited.
"""

from __future__ import annotations

import logging
from typing import Any

from flask_openapi3 import APIBlueprint, FileStorage, Tag
from pydantic import BaseModel, Field
from redis.exceptions import RedisError
from sqlalchemy import select

from contactcentre.api.customer_access import remember_found, visible_customer
from contactcentre.auth.access import api_user, require_api_role
from contactcentre.chat.conversations import erase_customer_chats
from contactcentre.cti.cache import refresh_customer_pops
from contactcentre.customers.importer import import_csv
from contactcentre.customers.lookup import find_by_email, find_by_phone, search
from contactcentre.customers.matches import CustomerMatch
from contactcentre.customers.privacy import erase_customer, export_customer
from contactcentre.customers.records import (
    CustomerFieldError,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    DuplicateCustomer,
    create_customer,
    update_customer,
)
from contactcentre.customers.risk import policy_from
from contactcentre.customers.value_alerts import send_pending
from contactcentre.errors import ApiError, not_found
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.realtime.emitter import emitter_for
from contactcentre.store.models import Customer, Role
from contactcentre.webapi.common import ERRORS, SECURITY, Body, Id, Page, paginate

log = logging.getLogger(__name__)

api = APIBlueprint(
    "customers",
    __name__,
    url_prefix="/api/v1/customers",
    abp_tags=[Tag(name="customers")],
    abp_security=SECURITY,
)


class CustomerQuery(Page):
    q: str | None = Field(
        None, min_length=1, max_length=200, description="name, number, email or account"
    )
    phone: str | None = Field(
        None, min_length=1, max_length=40, description="any format of the number"
    )
    email: str | None = Field(None, min_length=1, max_length=254)


class CreateQuery(BaseModel):
    allow_duplicate: bool = Field(False, description="create even if a phone or email is shared")


class CustomerList(BaseModel):
    items: list[CustomerOut | CustomerMatch] = Field(
        description="full records for supervisors; for agents, masked matches to open one by one"
    )
    total: int


class CustomerPath(BaseModel):
    customer_id: Id


class ImportForm(BaseModel):
    file: FileStorage
    skip_bad_rows: bool = False


class ImportProblem(BaseModel):
    row: int | None = Field(description="spreadsheet row (header = 1); null for the whole file")
    column: str | None
    message: str
    value: str | None = None


class ImportOut(BaseModel):
    imported: int
    skipped: int
    errors: list[ImportProblem]


class ExportOut(BaseModel):
    """Everything held about the customer (GDPR access): every column, times in ISO 8601."""

    exported_at: str
    customer: dict[str, Any]
    phones: list[dict[str, Any]]
    emails: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    interactions: list[dict[str, Any]] = Field(description="each with its events and messages")


class EraseIn(Body):
    reason: str = Field(min_length=3, max_length=500, description="why (kept in the audit log)")


def _out(customer: Customer) -> dict[str, Any]:
    return CustomerOut.from_model(customer).model_dump(mode="json")


def _field_error(exc: CustomerFieldError) -> ApiError:
    if isinstance(exc, DuplicateCustomer):
        ids = ", ".join(str(i) for i in exc.existing_ids)
        return ApiError(
            409,
            "duplicate",
            f"{exc.message} (existing customer {ids}); pass allow_duplicate=true to create anyway",
            exc.field,
        )
    return ApiError(422, "validation_error", exc.message, exc.field)


@api.get("", responses={200: CustomerList, **ERRORS})
@require_api_role(Role.AGENT)
def list_customers(query: CustomerQuery) -> Any:
    settings = current_runtime().settings
    with current_runtime().db.session() as session:
        if query.phone:
            found = find_by_phone(session, query.phone, settings.default_phone_region)
        elif query.email:
            found = find_by_email(session, query.email)
        elif query.q:
            found = search(session, query.q, settings.default_phone_region, limit=query.limit)
        elif api_user().has_role(Role.SUPERVISOR):
            stmt = select(Customer).where(Customer.erased_at.is_(None)).order_by(Customer.id)
            rows, total = paginate(session, stmt, query)
            return {"items": [_out(c) for c in rows], "total": total}
        else:
            raise ApiError(
                400, "search_required", "agents look customers up by q, phone or email", "q"
            )
        page = found[query.offset : query.offset + query.limit]
        if api_user().has_role(Role.SUPERVISOR):
            return {"items": [_out(c) for c in page], "total": len(found)}
        # What the agent was shown, they may open (for the search grant's time).
        remember_found(c.id for c in page)
        matches = [CustomerMatch.from_model(c).model_dump(mode="json") for c in page]
        return {"items": matches, "total": len(found)}


@api.post("", responses={201: CustomerOut, **ERRORS})
@require_api_role(Role.AGENT)
def create(body: CustomerIn, query: CreateQuery) -> Any:
    runtime = current_runtime()
    with runtime.db.session() as session:
        try:
            customer = create_customer(
                session, body, runtime.settings, allow_duplicate=query.allow_duplicate
            )
        except CustomerFieldError as exc:
            raise _field_error(exc) from None
        audit(session, "customer.create", "customer", customer.id)
        out = _out(customer)
    remember_found([out["id"]])  # e.g. to link the new customer to the call in hand
    return out, 201


@api.get("/<int:customer_id>", responses={200: CustomerOut, **ERRORS})
@require_api_role(Role.AGENT)
def get_one(path: CustomerPath) -> Any:
    """The full record: supervisors any; agents one they serve, served or found (else 403)."""
    with current_runtime().db.session() as session:
        return _out(visible_customer(session, path.customer_id))


@api.patch("/<int:customer_id>", responses={200: CustomerOut, **ERRORS})
@require_api_role(Role.AGENT)
def update(path: CustomerPath, body: CustomerPatch) -> Any:
    """Change the record; who may is who may see it (GET)."""
    runtime = current_runtime()
    with runtime.db.session() as session:
        customer = visible_customer(session, path.customer_id)
        try:
            update_customer(session, customer, body, runtime.settings)
        except CustomerFieldError as exc:
            raise _field_error(exc) from None
        audit(
            session,
            "customer.update",
            "customer",
            customer.id,
            {"fields": sorted(body.model_dump(exclude_unset=True))},
        )
        out = _out(customer)
    # A CLV decline this change revealed goes to the supervisors now; if Redis fails here it
    # stays pending in SQL for the next update or the quarter-end job (value_alerts).
    try:
        send_pending(runtime.db, runtime.redis, emitter_for(runtime))
    except RedisError:
        log.warning("CLV alerts stay pending: Redis unavailable", exc_info=True)
    # The pops of the customer's live contacts show the record as it is now.
    with runtime.db.session() as session:
        refresh_customer_pops(
            session,
            runtime.redis,
            path.customer_id,
            runtime.settings.default_phone_region,
            policy_from(runtime.settings),
        )
    return out


@api.post("/import", responses={200: ImportOut, **ERRORS})
@require_api_role(Role.ADMIN)
def import_customers(form: ImportForm) -> Any:
    runtime = current_runtime()
    with runtime.db.session() as session:
        report = import_csv(
            session, form.file.read(), runtime.settings, skip_bad_rows=form.skip_bad_rows
        )
        body = {
            "imported": report.imported,
            "skipped": report.skipped,
            "errors": [
                {
                    "row": e.row,
                    "column": e.column,
                    "message": e.message,
                    "value": None if e.value is None else str(e.value),
                }
                for e in report.errors
            ],
        }
        if report.errors and not form.skip_bad_rows:
            session.rollback()
            first = report.errors[0]
            return {
                "error": {
                    "code": "import_rejected",
                    "message": f"{len(report.errors)} problem(s); nothing imported. First: "
                    f"{_where(first.row, first.column)}{first.message}",
                    "field": first.column,
                },
                **body,
            }, 422
        audit(
            session,
            "customer.import",
            "customer",
            "*",
            {"imported": report.imported, "skipped": report.skipped},
        )
        return body


def _where(row: int | None, column: str | None) -> str:
    if row is None:
        return "the file: "
    return f"row {row}, column {column}: " if column else f"row {row}: "


@api.get("/<int:customer_id>/export", responses={200: ExportOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def export(path: CustomerPath) -> Any:
    with current_runtime().db.session() as session:
        try:
            data = export_customer(session, path.customer_id)
        except LookupError:
            raise not_found("customer", path.customer_id) from None
        audit(session, "customer.export", "customer", path.customer_id)
        return data


@api.post("/<int:customer_id>/erase", responses={204: None, **ERRORS})
@require_api_role(Role.ADMIN)
def erase(path: CustomerPath, body: EraseIn) -> Any:
    user = api_user()
    with current_runtime().db.session() as session:
        try:
            erase_customer(
                session,
                path.customer_id,
                actor=f"user:{user.id} ({user.email})",
                actor_user_id=user.id,
                reason=body.reason,
            )
        except LookupError:
            raise not_found("customer", path.customer_id) from None
        # Their chats too: tokens revoked, pre-chat name and email blanked, files deleted.
        erase_customer_chats(session, current_runtime(), path.customer_id)
        return "", 204
