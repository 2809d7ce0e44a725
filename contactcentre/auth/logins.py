"""Each sign-in is a login the server knows and can end alone: a web session from the login page
(a `WebLogin` row) or an API token (an `ApiToken` row), named "session:<id>" or "token:<id>".

A session cookie carries its login's key ("session:<id>:<secret>") where flask-login keeps the
user's id, so a signed-out or revoked login's cookie, or any copy of it, finds no user.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from blinker import Namespace
from flask import session as cookie_session
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from contactcentre.store.models import ApiToken, User, WebLogin
from contactcentre.store.types import utcnow

Kind = Literal["session", "token"]
SESSION_KIND: Kind = "session"
TOKEN_KIND: Kind = "token"  # noqa: S105 - a kind of login, not a secret
# A login's name: its kind and a row id below 2^63 (the database's integers).
LOGIN_PATTERN = r"^(session|token):[1-9][0-9]{0,17}$"
_LOGIN = re.compile(LOGIN_PATTERN)
_FLASK_LOGIN_ID = "_user_id"  # where flask-login keeps get_id(); for us, the login's key
# Written at most once a minute per login, like API tokens: not a write on every request.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)

signals = Namespace()
# Sent by the sign-out page after its commit, with user_id and the credentials that ended: the
# web process's composition root closes their sockets (auth sits below realtime).
logins_ended = signals.signal("logins-ended")


def session_credential(login_id: int) -> str:
    return f"{SESSION_KIND}:{login_id}"


def token_credential(token_id: int) -> str:
    """The credential of a login by bearer token (its row id, never the token)."""
    return f"{TOKEN_KIND}:{token_id}"


def parse_login(name: str) -> tuple[str, int]:
    """("session" or "token", row id) of a login's name; ValueError if it is not one."""
    if not isinstance(name, str) or not _LOGIN.match(name):
        raise ValueError("a login is 'session:<id>' or 'token:<id>'")
    kind, _, ident = name.partition(":")
    return kind, int(ident)


@dataclass(frozen=True)
class Login:
    credential: str  # "session:<id>" or "token:<id>"
    kind: Kind
    label: str  # the browser (user agent) of a session; the name given to a token
    address: str | None  # where a session signed in from; None for tokens
    created_at: datetime
    last_seen_at: datetime | None


# -- signing in ----------------------------------------------------------------------------


def start_web_login(session: Session, user: User, *, user_agent: str, address: str) -> str:
    """Record a sign-in on the login page; returns the key its session cookie keeps."""
    secret = secrets.token_urlsafe(24)
    row = WebLogin(
        user_id=user.id,
        secret_hash=_digest(secret),
        user_agent=user_agent[:200],
        address=address[:64],
        last_seen_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return f"{session_credential(row.id)}:{secret}"


def token_key(row: ApiToken) -> str:
    """The key a socket opened with this token keeps in its own session copy (never a cookie),
    so each of its events finds the token still live."""
    return f"{token_credential(row.id)}:{row.token_hash}"


def keep_in_cookie(key: str) -> None:
    """After flask-login's login_user: the session (and the remember cookie, which copies it)
    names the login instead of the bare user id."""
    cookie_session[_FLASK_LOGIN_ID] = key


def current_login() -> str | None:
    """The credential of this request's cookie session (or socket session), if signed in."""
    key = cookie_session.get(_FLASK_LOGIN_ID)
    if not isinstance(key, str):
        return None
    kind, _, rest = key.partition(":")
    name = f"{kind}:{rest.partition(':')[0]}"
    try:
        parse_login(name)
    except ValueError:
        return None
    return name


def user_for_key(session: Session, key: str) -> User | None:
    """flask-login's user loader: the user of a live login's key, else None (a bare user id
    from before logins were recorded, a revoked login, a wrong secret, a deactivated user)."""
    kind, _, rest = key.partition(":")
    ident, _, secret = rest.partition(":")
    try:
        row_id = parse_login(f"{kind}:{ident}")[1]
    except ValueError:
        return None
    user = (_web_user if kind == SESSION_KIND else _token_user)(session, row_id, secret)
    return user if user is not None and user.active else None


def _web_user(session: Session, login_id: int, secret: str) -> User | None:
    # One query with the user (and, joined by the model, their agent): this runs on every
    # request and every socket event.
    login = session.get(WebLogin, login_id, options=[joinedload(WebLogin.user)])
    if login is None or login.revoked_at is not None:
        return None
    if not hmac.compare_digest(login.secret_hash, _digest(secret)):
        return None
    now = utcnow()
    if login.last_seen_at is None or now - login.last_seen_at >= LAST_SEEN_RESOLUTION:
        login.last_seen_at = now
    return login.user


def _token_user(session: Session, token_id: int, token_hash: str) -> User | None:
    token = session.get(ApiToken, token_id, options=[joinedload(ApiToken.user)])
    if token is None or token.revoked_at is not None:
        return None
    return token.user if hmac.compare_digest(token.token_hash, token_hash) else None


# -- listing and revoking ------------------------------------------------------------------


def live_logins(session: Session, user_id: int) -> list[Login]:
    """The user's logins not revoked, most recently seen first."""
    webs = session.scalars(
        select(WebLogin).where(WebLogin.user_id == user_id, WebLogin.revoked_at.is_(None))
    )
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    )
    found = [
        Login(
            session_credential(w.id),
            SESSION_KIND,
            w.user_agent,
            w.address,
            w.created_at,
            w.last_seen_at,
        )
        for w in webs
    ] + [
        Login(token_credential(t.id), TOKEN_KIND, t.name, None, t.created_at, t.last_used_at)
        for t in tokens
    ]
    return sorted(found, key=lambda x: x.last_seen_at or x.created_at, reverse=True)


def revoke_login(session: Session, user_id: int, credential: str) -> bool:
    """End one of the user's logins; False if it is not theirs or already ended."""
    kind, row_id = parse_login(credential)
    row: WebLogin | ApiToken | None = (
        session.get(WebLogin, row_id) if kind == SESSION_KIND else session.get(ApiToken, row_id)
    )
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def revoke_all_logins(session: Session, user_id: int, keep: str | None = None) -> list[str]:
    """End every login of the user but `keep`; returns the credentials ended."""
    ended = []
    for login in live_logins(session, user_id):
        if login.credential != keep and revoke_login(session, user_id, login.credential):
            ended.append(login.credential)
    return ended


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
