"""Errors that reach API clients: a stable machine code, a message and the field concerned.

Rendered as {"error": {"code", "message", "field"}} with a 4xx status; never a bare 500.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response, jsonify
from sqlalchemy.exc import IntegrityError


class ApiError(Exception):
    """A client-visible failure with its HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.details = details

    def to_response(self) -> Response:
        return error_response(self.status, self.code, self.message, self.field, self.details)


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    details: list[dict[str, Any]] | None = None,
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    if details:
        body["details"] = details
    response = jsonify({"error": body})
    response.status_code = status
    return response


def not_found(kind: str, ident: object, field: str = "id") -> ApiError:
    return ApiError(404, "not_found", f"no {kind} with id {ident}", field)


def conflict(field: str, message: str) -> ApiError:
    return ApiError(409, "duplicate", message, field)


def duplicate_from(exc: IntegrityError) -> ApiError | None:
    """A broken unique constraint as 409 duplicate; None for any other integrity error.

    The field named is the constraint's last column: (channel, external_id) is an external id
    unique within its channel. Caught at the database, so two concurrent requests are covered.
    """
    columns = _unique_columns(exc.orig)
    if not columns:
        return None
    together = " (they are unique together)" if len(columns) > 1 else ""
    message = f"another record has the same {' and '.join(columns)}{together}"
    return ApiError(409, "duplicate", message, columns[-1])


def _unique_columns(error: object) -> list[str]:
    if (getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)) == "23505":
        # PostgreSQL: 'Key (channel, external_id)=(voice, CA1) already exists.'
        detail = getattr(getattr(error, "diag", None), "message_detail", None) or ""
        match = re.match(r"Key \((.+?)\)=", detail)
        return [name.strip() for name in match.group(1).split(",")] if match else []
    # SQLite: 'UNIQUE constraint failed: interactions.channel, interactions.external_id'
    text = str(error)
    if not text.startswith("UNIQUE constraint failed: "):
        return []
    names = text.removeprefix("UNIQUE constraint failed: ").split(",")
    return [name.strip().rsplit(".", 1)[-1] for name in names]
