"""/api/v1/auth/token: an integration trades an email and password for a bearer token, and
revokes it when done, without scraping the sign-in page (any active user; failures limited).
"""

from __future__ import annotations

from typing import Any, Literal

from flask import current_app, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field, field_validator
from werkzeug.exceptions import TooManyRequests

from contactcentre.auth.logins import token_credential
from contactcentre.auth.sign_in_limit import limit_failed_sign_ins
from contactcentre.auth.users import authenticate, issue_api_token, revoke_api_token
from contactcentre.errors import ApiError, error_response
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.realtime.user_sockets import close_user_sockets
from contactcentre.webapi.common import ERRORS, ErrorOut

PATH = "/api/v1/auth/token"  # public: the caller has no token yet (api.PUBLIC_PATHS)

# No blueprint-wide security: issuing needs none; revoking declares the bearer token.
api = APIBlueprint("auth_tokens", __name__, url_prefix="/api/v1/auth", abp_tags=[Tag(name="auth")])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=200)
    name: str = Field("integration", min_length=1, max_length=120, description="what it is for")

    @field_validator("email", "password", "name")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        # The path is public, so the API's own NUL check (PostgreSQL text cannot hold NUL, even
        # in a query) does not run before this body reaches the database.
        if "\x00" in value:
            raise ValueError("text may not contain NUL (\\0) characters")
        return value


class ApiTokenOut(BaseModel):
    token: str = Field(description="send as 'Authorization: Bearer <token>'; shown only once")
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme's name, not a secret
    user_id: int
    role: str


@api.post(
    "/token",
    responses={201: ApiTokenOut, 429: ErrorOut, **ERRORS},
    summary="Issue a bearer token for an email and password",
)
@limit_failed_sign_ins
def issue_token(body: Credentials) -> Any:
    with current_runtime().db.session() as session:
        user = authenticate(session, body.email, body.password)
        if user is None:
            # 401 is what the sign-in limit counts; which of the two was wrong is not said.
            raise ApiError(401, "invalid_credentials", "email or password is not right")
        token = issue_api_token(session, user, body.name)
        audit(session, "api_token.issue", "user", user.id, {"name": body.name}, actor=_actor(user))
        out = ApiTokenOut(token=token, user_id=user.id, role=user.role)
    return out.model_dump(), 201


@api.delete(
    "/token",
    responses={204: None, **ERRORS},
    security=[{"bearer": []}],
    summary="Revoke the bearer token this request is made with",
)
def revoke_token() -> Any:
    # The path is public for the POST, so the API's authentication hook left this to us.
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise ApiError(401, "unauthenticated", "send the token to revoke: Authorization: Bearer")
    with current_runtime().db.session() as session:
        row = revoke_api_token(session, header.removeprefix("Bearer ").strip())
        if row is None:
            raise ApiError(401, "invalid_token", "the bearer token is unknown or revoked")
        user_id, token_id = row.user_id, row.id
        audit(session, "api_token.revoke", "user", user_id, actor=_actor(row.user))
    close_user_sockets(current_app, user_id, token_credential(token_id))
    return "", 204


@api.errorhandler(TooManyRequests)
def _too_many_failed(_exc: TooManyRequests) -> Any:
    return error_response(
        429,
        "rate_limited",
        "too many failed sign-ins from this network; wait a minute, then try again",
    )


def _actor(user: Any) -> str:
    return f"user:{user.id} ({user.email})"
