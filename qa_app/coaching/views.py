from __future__ import annotations

from flask import render_template
from flask_login import current_user

from qa_app.coaching import bp
from qa_app.coaching.services import active_modules, assignments_for
from qa_app.permissions import requires


@bp.route("/")
@requires("authenticated")
def index() -> str:
    return render_template(
        "coaching/index.html", assignments=assignments_for(current_user), modules=active_modules()
    )
