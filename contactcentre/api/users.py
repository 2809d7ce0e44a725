"""/api/v1/users: accounts and roles (admins only).

Users are deactivated rather than deleted so their audit trail and history stay attributable.
"""

from __future__ import annotations

from typing import Any, Literal

from flask import current_app
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from sqlalchemy import select

from contactcentre.auth.access import api_user, require_api_role
from contactcentre.auth.logins import revoke_all_logins
from contactcentre.auth.users import (
    UserFieldError,
    check_password_rules,
    create_user,
    find_by_email,
    hash_password,
    normalize_email,
)
from contactcentre.errors import ApiError, conflict
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.realtime.user_sockets import close_user_sockets
from contactcentre.store.models import Role, User
from contactcentre.webapi.common import ERRORS, SECURITY, Body, Id, Page, get_or_404, paginate

api = APIBlueprint(
    "users",
    __name__,
    url_prefix="/api/v1/users",
    abp_tags=[Tag(name="users")],
    abp_security=SECURITY,
)

RoleName = Literal["agent", "supervisor", "admin"]


class UserIn(Body):
    email: str = Field(max_length=254)
    name: str = Field(min_length=1, max_length=120)
    role: RoleName = "agent"
    password: str = Field(min_length=10, max_length=200)
    timezone: str = Field("UTC", max_length=64)


class UserPatch(Body):
    email: str | None = Field(None, max_length=254)
    name: str | None = Field(None, min_length=1, max_length=120)
    role: RoleName | None = None
    password: str | None = Field(None, min_length=10, max_length=200)
    active: bool | None = None
    timezone: str | None = Field(None, max_length=64)


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    active: bool
    timezone: str
    agent_id: int | None


class UserList(BaseModel):
    items: list[UserOut]
    total: int


class UserPath(BaseModel):
    user_id: Id


def _out(user: User) -> dict[str, Any]:
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        active=user.active,
        timezone=user.timezone,
        agent_id=user.agent.id if user.agent else None,
    ).model_dump()


def _check_timezone(value: str | None) -> None:
    if value is None:
        return
    from zoneinfo import available_timezones

    if value not in available_timezones() and value != "UTC":
        raise ApiError(422, "validation_error", f"unknown time zone {value!r}", "timezone")


@api.get("", responses={200: UserList, **ERRORS})
@require_api_role(Role.ADMIN)
def list_users(query: Page) -> Any:
    with current_runtime().db.session() as session:
        rows, total = paginate(session, select(User).order_by(User.id), query)
        return {"items": [_out(u) for u in rows], "total": total}


@api.post("", responses={201: UserOut, **ERRORS})
@require_api_role(Role.ADMIN)
def create(body: UserIn) -> Any:
    _check_timezone(body.timezone)
    with current_runtime().db.session() as session:
        try:
            user = create_user(
                session, email=body.email, name=body.name, password=body.password, role=body.role
            )
        except UserFieldError as exc:
            status = 409 if "already exists" in exc.message else 422
            raise ApiError(
                status, "duplicate" if status == 409 else "validation_error", exc.message, exc.field
            ) from None
        user.timezone = body.timezone
        audit(session, "user.create", "user", user.id, {"email": user.email, "role": user.role})
        return _out(user), 201


@api.get("/<int:user_id>", responses={200: UserOut, **ERRORS})
@require_api_role(Role.ADMIN)
def get_user(path: UserPath) -> Any:
    with current_runtime().db.session() as session:
        return _out(get_or_404(session, User, path.user_id, "user"))


@api.patch("/<int:user_id>", responses={200: UserOut, **ERRORS})
@require_api_role(Role.ADMIN)
def update(path: UserPath, body: UserPatch) -> Any:
    _check_timezone(body.timezone)
    with current_runtime().db.session() as session:
        user = get_or_404(session, User, path.user_id, "user")
        changes = body.model_dump(exclude_unset=True, exclude_none=True)
        if user.id == api_user().id and (
            changes.get("active") is False or changes.get("role", "admin") != "admin"
        ):
            raise ApiError(409, "self_lockout", "you cannot demote or deactivate yourself", "role")
        try:
            if "email" in changes:
                changes["email"] = normalize_email(changes["email"])
                other = find_by_email(session, changes["email"])
                if other is not None and other.id != user.id:
                    raise conflict("email", f"a user with email {changes['email']} already exists")
            if "password" in changes:
                check_password_rules(changes["password"])
                user.password_hash = hash_password(changes.pop("password"))
        except UserFieldError as exc:
            raise ApiError(422, "validation_error", exc.message, exc.field) from None
        # A socket's rooms were granted for the role it connected with: a new role, or none,
        # must not keep receiving what the old one could see.
        rights_changed = changes.get("role", user.role) != user.role or (
            changes.get("active") is False and user.active
        )
        for key, value in changes.items():
            setattr(user, key, value)
        if rights_changed:  # every sign-in and token was granted under the old rights
            revoke_all_logins(session, user.id)
        audit(
            session,
            "user.update",
            "user",
            user.id,
            {k: v for k, v in body.model_dump(exclude_unset=True).items() if k != "password"},
        )
        out = _out(user)
    if rights_changed:  # after the commit: a socket reconnecting at once meets the new role
        close_user_sockets(current_app, path.user_id)
    return out


@api.delete("/<int:user_id>", responses={204: None, **ERRORS})
@require_api_role(Role.ADMIN)
def deactivate(path: UserPath) -> Any:
    with current_runtime().db.session() as session:
        user = get_or_404(session, User, path.user_id, "user")
        if user.id == api_user().id:
            raise ApiError(409, "self_lockout", "you cannot deactivate yourself", "user_id")
        user.active = False
        revoke_all_logins(session, user.id)
        audit(session, "user.deactivate", "user", user.id)
    close_user_sockets(current_app, path.user_id)  # committed: a reconnect is refused
    return "", 204
