"""Who a console socket is: the sign-in session of its handshake, or a bearer API token sent
as its auth payload (`{"token": "cc_..."}`) by an integration that does not open the pages.

A token signs in the socket's own session copy (Flask-SocketIO keeps one per socket, never
written back to a cookie) with the token's login key, so every later event finds its user as a
session socket does, and finds none once the token is revoked.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_login import current_user, login_user
from flask_socketio import ConnectionRefusedError as Refused

from contactcentre.auth.logins import current_login, keep_in_cookie, token_credential, token_key
from contactcentre.auth.users import live_api_token
from contactcentre.platform.runtime import Runtime
from contactcentre.store.models import User

MAX_TOKEN_CHARS = 200  # ours are 46; anything far longer is not worth a database look-up


def _runtime() -> Runtime:
    runtime: Runtime = current_app.extensions["contactcentre"]
    return runtime


def socket_user() -> User:
    """The signed-in user of this socket; anyone else is refused."""
    origin = request.headers.get("Origin")
    if origin is not None:
        from contactcentre.realtime.server import own_origins

        if origin.lower().rstrip("/") not in own_origins(_runtime(), request.environ):
            # The engine admits chat sites' origins for the widget; consoles are ours only.
            raise Refused("forbidden: this origin may not open the console")
    if not current_user.is_authenticated:
        raise Refused("unauthenticated: sign in first, or connect with auth {token}")
    user: User = current_user._get_current_object()
    return user


def connecting_user(auth: Any) -> tuple[User, str]:
    """At connect: the user and the credential the socket was opened with. A token, when sent,
    decides alone: a bad one is refused even beside a good session cookie."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is None:
        user = socket_user()
        credential = current_login()
        if credential is None:  # signed in, so the loader found a login: never happens
            raise Refused("unauthenticated: sign in again")
        return user, credential
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise Refused("invalid_token: auth.token must be an API token (cc_...)")
    with _runtime().db.session() as session:
        row = live_api_token(session, token)
        if row is None:
            raise Refused("invalid_token: the token is unknown or revoked, or its user deactivated")
        user, token_id, key = row.user, row.id, token_key(row)
    login_user(user)
    keep_in_cookie(key)
    return socket_user(), token_credential(token_id)
