"""Role checks for pages and API calls, and resolution of the API caller (token or session).

A supervisor can do what an agent can, an admin what a supervisor can.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, redirect, request, url_for
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
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = api_user()
            if not user.has_role(role):
                raise ApiError(403, "forbidden", f"this needs the {role.value} role")
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


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
