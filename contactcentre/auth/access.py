"""Role checks for pages and API calls, and resolution of the API caller (token or session).

A supervisor can do what an agent can, an admin what a supervisor can.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, redirect, request, url_for
from flask_login import current_user

from contactcentre.errors import ApiError
from contactcentre.store.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])


def api_user() -> User:
    """The authenticated API caller, set by the API's before-request hook."""
    user: User | None = g.get("api_user")
    if user is None:
        raise ApiError(401, "unauthenticated", "log in or send 'Authorization: Bearer <token>'")
    return user


def require_api_role(role: Role) -> Callable[[F], F]:
    """The view answers 403 to a caller without `role`. The role is also recorded on the view
    (flask-openapi3's wrapper copies it) for check_declared_role, which asks before the input
    is validated."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            _check(api_user(), role)
            return view(*args, **kwargs)

        wrapped.required_role = role  # type: ignore[attr-defined]
        return cast(F, wrapped)

    return decorator


def check_declared_role() -> None:
    """A before-request hook, after the caller is known: flask-openapi3 validates a request
    before calling the view, so without this a caller lacking the role was told their input's
    problems (422) instead of 403, and their body was parsed for nothing."""
    view = current_app.view_functions.get(request.endpoint or "")
    role: Role | None = getattr(view, "required_role", None)
    user: User | None = g.get("api_user")
    if role is not None and user is not None:
        _check(user, role)


def _check(user: User, role: Role) -> None:
    if not user.has_role(role):
        raise ApiError(403, "forbidden", f"this needs the {role.value} role")


def require_page_role(role: Role) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path))
            if not current_user.has_role(role):
                from flask import abort

                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator
