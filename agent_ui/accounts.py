"""Where people are signed in: each user's own sign-ins (browsers and API tokens), and for
admins the list of users and anyone's sign-ins, each one or all of them ended with a click.

The same rules as the API (api.logins): ending a login refuses its cookie or token from then on
and closes its console sockets only; ending this browser's own login signs it out.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from sqlalchemy import func, select

from agent_ui.views import bp
from contactcentre.api.logins import socket_counts
from contactcentre.auth.access import require_page_role
from contactcentre.auth.logins import (
    current_login,
    live_logins,
    parse_login,
    revoke_all_logins,
    revoke_login,
)
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.realtime.user_sockets import close_login_sockets
from contactcentre.store.models import ApiToken, Role, User, WebLogin

ALL, OTHERS = "all", "others"  # the form's `login` for every login, or all but this browser's


@bp.get("/account/logins")
@require_page_role(Role.AGENT)
def my_logins() -> ResponseReturnValue:
    return _logins_page(int(current_user.id))


@bp.get("/users/<int:user_id>/logins")
@require_page_role(Role.AGENT)
def user_logins(user_id: int) -> ResponseReturnValue:
    _may_manage(user_id)
    return _logins_page(user_id)


@bp.post("/users/<int:user_id>/logins/revoke")
@require_page_role(Role.AGENT)
def revoke(user_id: int) -> ResponseReturnValue:
    """Form field `login`: one login's id, "others" (all but this browser's) or "all"."""
    _may_manage(user_id)
    wanted = request.form.get("login", "")
    own = current_login() if user_id == current_user.id else None
    if wanted not in (ALL, OTHERS):
        try:
            parse_login(wanted)
        except ValueError:
            return _logins_page(user_id, error="Choose a sign-in to end from the list."), 400
    with current_runtime().db.session() as session:
        if session.get(User, user_id) is None:
            abort(404)
        if wanted in (ALL, OTHERS):
            ended = revoke_all_logins(session, user_id, keep=own if wanted == OTHERS else None)
        else:
            ended = [wanted] if revoke_login(session, user_id, wanted) else []
        if ended:
            audit(session, "login.revoke", "user", user_id, {"ended": ended}, actor=_actor())
    if ended:  # committed: a socket that reconnects at once is refused
        close_login_sockets(current_app, user_id, ended)
    if own is not None and own in ended:
        logout_user()
        flash("You are signed out.")
        return redirect(url_for("auth.login"))
    flash(_said(len(ended)))
    if user_id == current_user.id:
        return redirect(url_for("ui.my_logins"))
    return redirect(url_for("ui.user_logins", user_id=user_id))


@bp.get("/users")
@require_page_role(Role.ADMIN)
def users() -> ResponseReturnValue:
    with current_runtime().db.session() as session:
        rows = session.scalars(select(User).order_by(User.name)).all()
        counts: dict[int, int] = {}
        for model in (WebLogin, ApiToken):
            live = (
                select(model.user_id, func.count())
                .where(model.revoked_at.is_(None))
                .group_by(model.user_id)
            )
            for user_id, count in session.execute(live):
                counts[user_id] = counts.get(user_id, 0) + count
        people = [
            {
                "id": u.id,
                "name": u.name,
                "email": u.email,
                "role": u.role,
                "active": u.active,
                "logins": counts.get(u.id, 0),
            }
            for u in rows
        ]
    return render_template("account/users.html", people=people)


def _logins_page(user_id: int, error: str | None = None) -> str:
    with current_runtime().db.session() as session:
        subject = session.get(User, user_id)
        if subject is None:
            abort(404)
        logins = live_logins(session, user_id)
        name = subject.name
    own = current_login() if user_id == current_user.id else None
    sockets = socket_counts(user_id)
    rows = [
        {
            "id": login.credential,
            "kind": login.kind,
            "what": _browser(login.label) if login.kind == "session" else login.label,
            "detail": login.label if login.kind == "session" else "API token",
            "address": login.address,
            "since": _when(login.created_at),
            "seen": _when(login.last_seen_at),
            "sockets": sockets.get(login.credential, 0),
            "this": login.credential == own,
        }
        for login in logins
    ]
    return render_template(
        "account/logins.html",
        subject={"id": user_id, "name": name, "me": user_id == current_user.id},
        logins=rows,
        error=error,
        timezone=current_user.timezone,
    )


def _may_manage(user_id: int) -> None:
    if user_id != current_user.id and not current_user.has_role(Role.ADMIN):
        abort(403)


def _actor() -> str:
    return f"user:{current_user.id} ({current_user.email})"


def _said(ended: int) -> str:
    if ended == 0:
        return "That sign-in had already ended."
    return "Ended 1 sign-in." if ended == 1 else f"Ended {ended} sign-ins."


def _when(moment: datetime | None) -> str | None:
    """In the viewer's time zone, to the minute."""
    if moment is None:
        return None
    try:
        zone = ZoneInfo(current_user.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).strftime("%d %b %Y %H:%M")


_BROWSERS = (  # the first match names the browser; order matters (Edge and Chrome say Safari)
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
    ("python-requests/", "Python requests"),
    ("curl/", "curl"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("Linux", "Linux"),
)


def _browser(user_agent: str) -> str:
    """A short name such as "Chrome on Linux"; the raw user agent goes in the row's detail."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser is None:
        return re.split(r"[/ ]", user_agent, maxsplit=1)[0] or "Unknown browser"
    return f"{browser} on {system}" if system else browser
