"""Login and logout pages (CSRF-protected form; failed sign-ins rate-limited per client address,
see auth.sign_in_limit). Each sign-in is a login of its own (auth.logins): signing out ends it."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import TooManyRequests
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from contactcentre.auth.logins import (
    current_login,
    keep_in_cookie,
    logins_ended,
    revoke_login,
    start_web_login,
)
from contactcentre.auth.sign_in_limit import limit_failed_sign_ins
from contactcentre.auth.users import authenticate
from contactcentre.platform.runtime import current_runtime

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF is untyped
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this computer")


@bp.route("/login", methods=["GET", "POST"])
@limit_failed_sign_ins
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        db = current_runtime().db
        with db.session() as session:
            user = authenticate(session, form.email.data or "", form.password.data or "")
            if user is not None:
                key = start_web_login(
                    session,
                    user,
                    user_agent=request.user_agent.string,
                    address=request.remote_addr or "",
                )
        if user is not None:  # committed: the cookie never names a login the database lacks
            login_user(user, remember=bool(form.remember.data))
            keep_in_cookie(key)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Email or password is not right.")
    status = 401 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.errorhandler(TooManyRequests)
def too_many_failed(_exc: TooManyRequests) -> ResponseReturnValue:
    """The sign-in page again, saying why and for how long, instead of a bare 429."""
    refused = (
        "Too many failed sign-ins from this network. Wait a minute, then try again; "
        "an administrator can reset your password if you have forgotten it."
    )
    return render_template("auth/login.html", form=LoginForm(), refused=refused), 429


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    """Ends this sign-in only: the user's other browsers and tokens stay signed in."""
    credential, user_id = current_login(), int(current_user.id)
    ended = False
    if credential is not None:
        with current_runtime().db.session() as session:
            ended = revoke_login(session, user_id, credential)
    logout_user()
    if ended:  # after the commit: a socket that reconnects at once is refused
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        logins_ended.send(app, user_id=user_id, credentials=[credential])
    flash("You are signed out.")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths; anything else is an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.netloc and not parts.scheme:
            return target
    return url_for("ui.home")
