"""Login and logout pages (CSRF-protected form; failed sign-ins rate-limited per client address,
see auth.sign_in_limit)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import TooManyRequests
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

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
                login_user(user, remember=bool(form.remember.data))
        if user is not None:
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
    logout_user()
    flash("You are signed out.")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths; anything else is an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.netloc and not parts.scheme:
            return target
    return url_for("ui.home")
