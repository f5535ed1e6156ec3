from __future__ import annotations

from flask import render_template
from flask_login import current_user

from qa_app.home import bp
from qa_app.home.services import dashboard_for
from qa_app.permissions import public, requires


@bp.route("/")
@requires("authenticated")
def index() -> str:
    template, data = dashboard_for(current_user)
    return render_template(template, **data)


@bp.route("/health")
@public
def health() -> dict[str, str]:
    return {"status": "ok"}
