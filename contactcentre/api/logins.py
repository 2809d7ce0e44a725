"""/api/v1/users/<id>/logins: where a user is signed in (web sessions and API tokens), and
ending one or all of them. Admins for anyone; every user for themselves.

Ending a login refuses its cookie or token from then on and disconnects its sockets only.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Any, Literal

from flask import current_app, g
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from contactcentre.auth.access import api_user, require_api_role
from contactcentre.auth.logins import (
    LOGIN_PATTERN,
    Login,
    current_login,
    live_logins,
    revoke_all_logins,
    revoke_login,
)
from contactcentre.errors import ApiError
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.realtime.user_sockets import UserSockets, close_login_sockets
from contactcentre.store.models import Role, User
from contactcentre.webapi.common import ERRORS, SECURITY, Id, get_or_404

api = APIBlueprint(
    "logins",
    __name__,
    url_prefix="/api/v1/users",
    abp_tags=[Tag(name="users")],
    abp_security=SECURITY,
)

LoginName = Annotated[
    str,
    Field(
        pattern=LOGIN_PATTERN,
        max_length=24,
        description="a login's id from the list: 'session:<id>' or 'token:<id>'",
    ),
]


class LoginOut(BaseModel):
    id: str = Field(description="'session:<id>' (a browser) or 'token:<id>' (an API token)")
    kind: Literal["session", "token"]
    label: str = Field(description="the browser's user agent, or the token's name")
    address: str | None = Field(description="the address a browser signed in from")
    created_at: datetime
    last_seen_at: datetime | None = Field(description="to the minute")
    current: bool = Field(description="the login this request is made with")
    sockets: int = Field(description="console sockets open with this login now")


class LoginList(BaseModel):
    items: list[LoginOut]


class Revoked(BaseModel):
    revoked: list[str] = Field(description="the logins ended")


class UserLoginsPath(BaseModel):
    user_id: Id


class LoginPath(BaseModel):
    user_id: Id
    login: LoginName


class RevokeAllQuery(BaseModel):
    keep: LoginName | None = Field(None, description="a login to leave signed in, e.g. yours")


def caller_login() -> str | None:
    """The login this request is made with: its bearer token's, or its session's."""
    found: str | None = g.get("api_login")
    return found if found is not None else current_login()


def _may_manage(user_id: int) -> None:
    caller = api_user()
    if caller.id != user_id and not caller.has_role(Role.ADMIN):
        raise ApiError(403, "forbidden", "only an admin may see another user's logins", "user_id")


def _out(login: Login, current: str | None, sockets: dict[str, int]) -> dict[str, Any]:
    return LoginOut(
        id=login.credential,
        kind=login.kind,
        label=login.label,
        address=login.address,
        created_at=login.created_at,
        last_seen_at=login.last_seen_at,
        current=login.credential == current,
        sockets=sockets.get(login.credential, 0),
    ).model_dump()


def socket_counts(user_id: int) -> dict[str, int]:
    runtime = current_runtime()
    counts: dict[str, int] = {}
    record = UserSockets(runtime.redis, runtime.settings.realtime_grace_seconds)
    for socket in record.live(user_id, time.time()):
        counts[socket.credential] = counts.get(socket.credential, 0) + 1
    return counts


@api.get(
    "/<int:user_id>/logins",
    responses={200: LoginList, **ERRORS},
    summary="A user's logins: each browser signed in and each API token not revoked",
)
@require_api_role(Role.AGENT)
def list_logins(path: UserLoginsPath) -> Any:
    _may_manage(path.user_id)
    with current_runtime().db.session() as session:
        get_or_404(session, User, path.user_id, "user", "user_id")
        logins = live_logins(session, path.user_id)
    current, sockets = caller_login(), socket_counts(path.user_id)
    return {"items": [_out(login, current, sockets) for login in logins]}


@api.delete(
    "/<int:user_id>/logins/<login>",
    responses={204: None, **ERRORS},
    summary="End one login: its cookie or token is refused from now on, its sockets close",
)
@require_api_role(Role.AGENT)
def revoke_one(path: LoginPath) -> Any:
    _may_manage(path.user_id)
    with current_runtime().db.session() as session:
        get_or_404(session, User, path.user_id, "user", "user_id")
        if not revoke_login(session, path.user_id, path.login):
            raise ApiError(
                404, "not_found", f"user {path.user_id} has no live login {path.login}", "login"
            )
        audit(session, "login.revoke", "user", path.user_id, {"login": path.login})
    close_login_sockets(current_app, path.user_id, [path.login])  # committed: a reconnect fails
    return "", 204


@api.delete(
    "/<int:user_id>/logins",
    responses={200: Revoked, **ERRORS},
    summary="End every login of the user (but `keep`, when given)",
)
@require_api_role(Role.AGENT)
def revoke_all(path: UserLoginsPath, query: RevokeAllQuery) -> Any:
    _may_manage(path.user_id)
    with current_runtime().db.session() as session:
        get_or_404(session, User, path.user_id, "user", "user_id")
        ended = revoke_all_logins(session, path.user_id, keep=query.keep)
        audit(session, "login.revoke_all", "user", path.user_id, {"ended": len(ended)})
    if ended:
        close_login_sockets(current_app, path.user_id, ended)
    return {"revoked": ended}
