"""The REST API under /api/v1: CRUD for the contact centre's configuration and customers.

Input is validated by the same pydantic schemas that generate /api/v1/openapi.json.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, request
from flask_login import current_user
from flask_openapi3 import OpenAPI
from flask_wtf.csrf import validate_csrf
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from wtforms.validators import ValidationError as CSRFInvalid

from contactcentre.auth.access import check_declared_role
from contactcentre.auth.logins import token_credential
from contactcentre.auth.users import live_api_token
from contactcentre.errors import ApiError, duplicate_from, error_response
from contactcentre.platform.runtime import current_runtime
from contactcentre.webapi.screening import UNSAFE_METHODS, refuse_ambiguous, refuse_unreadable

PREFIX = "/api/v1"
PUBLIC_PATHS = {f"{PREFIX}/openapi.json", f"{PREFIX}/auth/token"}


def validation_error_response(exc: ValidationError) -> Response:
    """Pydantic errors as our error body: the first problem's field, all problems in details."""
    details = []
    for err in exc.errors(include_url=False):
        field = _field_path(err["loc"])
        details.append({"field": field, "message": err["msg"], "type": err["type"]})
    field = details[0]["field"] if details else None
    problem = str(details[0]["message"]) if details else "invalid input"
    message = f"{field}: {problem}" if field else problem
    return error_response(422, "validation_error", message, field, details)


def _field_path(loc: tuple[Any, ...]) -> str | None:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or None


def register_api(app: OpenAPI) -> None:
    from contactcentre.api import (
        agents,
        auth_tokens,
        campaign_lists,
        campaigns,
        canned_responses,
        chat_sites,
        chats,
        console,
        customer_notes,
        customer_value,
        customers,
        dnc,
        email,
        emails,
        interactions,
        logins,
        planning,
        plans,
        policy,
        presence,
        queues,
        reports,
        skills,
        sla,
        sla_reports,
        tasks,
        traces,
        users,
    )
    from contactcentre.api import calls as calls_api
    from contactcentre.extensions import csrf

    for module in (
        skills, users, agents, presence, queues, plans, policy, customers, tasks, traces,
        calls_api, auth_tokens, logins,
    ):  # fmt: skip
        # The API checks X-CSRFToken itself for cookie sessions and skips it for bearer tokens.
        csrf.exempt(module.api)
        app.register_api(module.api)
    for module in (
        interactions,
        console,
        customer_notes,
        chats,
        canned_responses,
        chat_sites,
        email,
        emails,
        reports,
        dnc,  # before campaigns: /campaigns/dnc is not a campaign id
        campaigns,
        campaign_lists,
        planning,
        sla,
        sla_reports,
        customer_value,
    ):
        csrf.exempt(module.api)
        app.register_api(module.api)
    app.add_url_rule(f"{PREFIX}/openapi.json", "openapi_json", lambda: app.api_doc)
    app.before_request(_authenticate_api_caller)
    app.before_request(check_declared_role)  # roles before input validation (auth.access)
    _register_error_handlers(app)


def _authenticate_api_caller() -> None:
    """Errors raised here become JSON answers through the ApiError handler."""
    if not request.path.startswith(PREFIX) or request.path in PUBLIC_PATHS:
        return
    refuse_unreadable()
    header = request.headers.get("Authorization", "")
    g.api_user = _bearer_user(header) if header.startswith("Bearer ") else _session_user()
    refuse_ambiguous()


def _bearer_user(header: str) -> Any:
    with current_runtime().db.session() as session:
        row = live_api_token(session, header.removeprefix("Bearer ").strip())
        if row is None:
            raise ApiError(401, "invalid_token", "the bearer token is unknown or revoked")
        g.api_login = token_credential(row.id)  # the caller's own login, for api.logins
        return row.user


def _session_user() -> Any:
    if not current_user.is_authenticated:
        raise ApiError(401, "unauthenticated", "log in or send 'Authorization: Bearer <token>'")
    if request.method in UNSAFE_METHODS:
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except CSRFInvalid as exc:
            raise ApiError(403, "csrf", f"X-CSRFToken header: {exc}") from None
    return current_user._get_current_object()


def _is_api_path() -> bool:
    return request.path.startswith((PREFIX, "/chat/api/", "/email/inbound/"))


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return exc.to_response()

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError) -> Response:
        duplicate = duplicate_from(exc)
        if duplicate is None or not _is_api_path():
            raise exc
        return duplicate.to_response()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if not (_is_api_path() or request.path in ("/healthz", "/readyz")):
            return exc
        code = {413: "too_large", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.code or 500, "http_error"
        )
        message = exc.description or exc.name
        if exc.code == 413:
            limit = current_runtime().settings.max_request_bytes
            message = f"the request body is larger than the {limit}-byte limit"
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            message = f"{request.method} is not allowed here; use {', '.join(exc.valid_methods)}"
        response = error_response(exc.code or 500, code, message)
        # The exception's own headers (Allow on a 405, Retry-After, WWW-Authenticate) still apply.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
