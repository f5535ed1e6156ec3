from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from qa_app.calls import bp
from qa_app.calls.models import Status
from qa_app.calls.services import get_interaction, list_interactions
from qa_app.extensions import db
from qa_app.permissions import ensure, requires


@bp.route("/")
@requires("can_view_interaction")
def index() -> str:
    status = request.args.get("status") or None
    page = db.paginate(list_interactions(current_user, status), per_page=25, error_out=False)
    return render_template(
        "calls/index.html", page=page, interactions=page.items, status=status, statuses=list(Status)
    )


@bp.route("/<int:interaction_id>")
@requires("can_view_interaction")
def detail(interaction_id: int) -> str:
    interaction = get_interaction(interaction_id) or abort(404)
    ensure("can_view_interaction", interaction)
    return render_template("calls/detail.html", interaction=interaction)
