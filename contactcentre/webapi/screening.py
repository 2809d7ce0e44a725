"""What every /api/v1 request must be before its view runs: readable, storable, unambiguous.

Each refusal is an ApiError naming the field; the operation's schema then checks the meaning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request

from contactcentre.errors import ApiError
from contactcentre.webapi.common import INT64_MAX, INT64_MIN

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def refuse_unreadable() -> None:
    """Bodies the API cannot parse, or text the database cannot store (before authentication)."""
    if _malformed_json():
        # flask-openapi3 would turn unparsable JSON into a confusing "not a dict" error.
        raise ApiError(400, "malformed_json", "the request body is not valid JSON")
    if _nameless_form_part():
        raise ApiError(
            400,
            "malformed_form",
            'every multipart part needs a name (Content-Disposition: form-data; name="...")',
        )
    nul_field = _field_with_nul()
    if nul_field is not None:
        # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
        raise ApiError(400, "nul_character", "text may not contain NUL (\\0) characters", nul_field)


def refuse_ambiguous() -> None:
    """Values a view would misread, or the database cannot hold (after authentication)."""
    blank = _blank_query_parameter()
    if blank is not None:
        # `?phone=` read as "no phone" lists everyone, and a CRM taking the first row pops them.
        raise ApiError(
            400,
            "blank_parameter",
            f"query parameter {blank!r} is empty; give it a value or leave it out",
            blank,
        )
    huge = _find(request.get_json(silent=True), "", _beyond_int64) if request.is_json else None
    if huge is not None:
        # The schemas bound their ids; this catches an integer in any body they leave unbounded.
        raise ApiError(
            422,
            "validation_error",
            f"{huge}: integers are limited to the 64-bit range the database holds "
            f"({INT64_MIN} to {INT64_MAX})",
            huge,
        )


def _malformed_json() -> bool:
    return (
        request.method in UNSAFE_METHODS
        and request.mimetype == "application/json"
        and bool(request.get_data())
        and request.get_json(silent=True) is None
    )


def _nameless_form_part() -> bool:
    """Werkzeug files a multipart part that has no name under the key None."""
    if request.mimetype != "multipart/form-data":
        return False
    return None in request.form or None in request.files


def _blank_query_parameter() -> str | None:
    for key, value in request.args.items(multi=True):
        if not value.strip():
            return key
    return None


def _field_with_nul() -> str | None:
    """The first input (path, query, form or JSON body) holding a NUL character, if any."""
    if "\x00" in request.path:
        return "path"
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return key.replace("\x00", "")
    if request.is_json:
        return _find(request.get_json(silent=True), "", _has_nul)
    return None


def _has_nul(value: Any) -> bool:
    return isinstance(value, str) and "\x00" in value


def _beyond_int64(value: Any) -> bool:
    return type(value) is int and not INT64_MIN <= value <= INT64_MAX


def _find(value: Any, path: str, bad: Callable[[Any], bool]) -> str | None:
    """The path of the first value (or key) in a JSON document that `bad` picks out."""
    if bad(value):
        return path or "body"
    if isinstance(value, dict):
        for key, item in value.items():
            if bad(key):
                return path or "body"
            found = _find(item, f"{path}.{key}" if path else key, bad)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _find(item, f"{path}[{index}]", bad)
            if found:
                return found
    return None
