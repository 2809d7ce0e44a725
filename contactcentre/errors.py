"""Errors that reach API clients: a stable machine code, a message and the field concerned.

Rendered as {"error": {"code", "message", "field"}} with a 4xx status; never a bare 500.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify


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
