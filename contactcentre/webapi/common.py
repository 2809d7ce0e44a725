"""Schemas and helpers shared by the API's resources: ids, bodies, pagination, answers, errors."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactcentre.errors import not_found

T = TypeVar("T")

# The database drivers bind signed 64-bit integers: a larger id or offset overflows them (a 500).
# Every integer the API passes to the database is bounded by its schema.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Row ids and counters are INTEGER columns: PostgreSQL binds a value compared with one as
# `::INTEGER`, so 2**31 is already out of range there (SQLite would take it).
INT32_MAX = 2**31 - 1
MAX_OFFSET = 1_000_000_000

Id = Annotated[int, Field(ge=1, le=INT32_MAX, description="a row id")]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="rows to skip")]
Limit = Annotated[int, Field(ge=1, le=500, description="page size")]


class Body(BaseModel):
    """A JSON request body: unknown fields are refused and nothing is coerced.

    1 is not true, true is not 1 and "5" is not 5: a client that sends the wrong type is told,
    rather than having {"active": 0} deactivate a user.
    """

    model_config = ConfigDict(extra="forbid", strict=True)


class Page(BaseModel):
    limit: Limit = 50
    offset: Offset = 0


class Accepted(BaseModel):
    """A 202: the command is on its way to the router; its outcome comes on the socket."""

    accepted: Literal[True] = True


def accepted() -> tuple[dict[str, Any], int]:
    return Accepted().model_dump(), 202


class ErrorDetail(BaseModel):
    field: str | None
    message: str
    type: str


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None
    details: list[ErrorDetail] | None = Field(
        None, description="every problem found, for validation errors"
    )


class ErrorOut(BaseModel):
    """Every 4xx answer has this shape."""

    error: ErrorBody


ERRORS: dict[str | int, type[BaseModel] | dict[Any, Any] | None] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}


def get_or_404(session: Session, model: type[T], ident: Any, kind: str, field: str = "id") -> T:
    row = session.get(model, ident)
    if row is None:
        raise not_found(kind, ident, field)
    return row


def paginate(session: Session, query: Any, page: Page) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = list(session.scalars(query.limit(page.limit).offset(page.offset)))
    return rows, int(total or 0)


# Every resource accepts a bearer token or a signed-in browser session.
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
