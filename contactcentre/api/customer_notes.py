"""/api/v1/customers/<id>/notes: an agent or supervisor adds a note to a customer's record.

The same access as reading and editing the record (api.customer_access); the author is the
signed-in user.
"""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, field_validator

from contactcentre.api.customer_access import visible_customer
from contactcentre.auth.access import api_user, require_api_role
from contactcentre.cti.cache import refresh_customer_pops
from contactcentre.customers.notes import NOTE_MAX_CHARS, add_note, note_out
from contactcentre.customers.risk import policy_from
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import Role
from contactcentre.webapi.common import ERRORS, SECURITY, Body, Id

api = APIBlueprint(
    "customer_notes",
    __name__,
    url_prefix="/api/v1/customers",
    abp_tags=[Tag(name="customers")],
    abp_security=SECURITY,
)


class NotePath(BaseModel):
    customer_id: Id


class NoteIn(Body):
    body: str = Field(
        min_length=1, max_length=NOTE_MAX_CHARS, description="the note, 1-2000 characters"
    )

    @field_validator("body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("write something in the note (it is blank)")
        return value


class NoteOut(BaseModel):
    id: int
    customer_id: int
    body: str
    open: bool
    at: float
    author: str | None


@api.post("/<int:customer_id>/notes", responses={201: NoteOut, **ERRORS})
@require_api_role(Role.AGENT)
def create_note(path: NotePath, body: NoteIn) -> Any:
    """Add an open note; it shows in the record and in the pops of the customer's live contacts."""
    runtime = current_runtime()
    user = api_user()
    with runtime.db.session() as session:
        customer = visible_customer(session, path.customer_id)
        note = add_note(session, customer.id, user, body.body)
        audit(session, "customer.note", "customer", customer.id, {"note_id": note.id})
        out = note_out(note, user)
    with runtime.db.session() as session:
        refresh_customer_pops(
            session,
            runtime.redis,
            path.customer_id,
            runtime.settings.default_phone_region,
            policy_from(runtime.settings),
        )
    return out, 201
