from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from qa_app.auth import bp
from qa_app.auth.forms import LoginForm
from qa_app.auth.services import AuthError, authenticate, get_user
from qa_app.extensions import db, login_manager
from qa_app.permissions import public, requires


@login_manager.user_loader
def _load_user(user_id: str):  # type: ignore[no-untyped-def]
    return get_user(int(user_id)) if user_id.isdigit() else None


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, so the login page cannot be used as an open redirect."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(
                form.email.data or "",
                form.password.data or "",
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                lockout=timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]),
            )
        except AuthError as exc:
            db.session.commit()  # keep the failed attempt for throttling
            form.password.errors = [str(exc)]
            return render_template("auth/login.html", form=form), 401
        db.session.commit()
        login_user(user, remember=bool(form.remember.data))
        flash(f"Welcome back, {user.name}.", "success")
        return redirect(_safe_next(request.args.get("next")))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@requires("authenticated")
def logout() -> Response:
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
