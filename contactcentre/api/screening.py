"""What every /api/v1 request must be before its view runs: readable, storable, unambiguous.

Each refusal is an ApiError naming the field; the operation's schema then checks the meaning.
"""

from __future__ import annotations

from typing import Any

from flask import request

from contactcentre.errors import ApiError

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
    """Values a view would misread (after authentication)."""
    blank = _blank_query_parameter()
    if blank is not None:
        # `?phone=` read as "no phone" lists everyone, and a CRM taking the first row pops them.
        raise ApiError(
            400,
            "blank_parameter",
            f"query parameter {blank!r} is empty; give it a value or leave it out",
            blank,
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
        return _nul_in(request.get_json(silent=True), "")
    return None


def _nul_in(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                return path or "body"
            found = _nul_in(item, f"{path}.{key}" if path else key)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_in(item, f"{path}[{index}]")
            if found:
                return found
    return None
