from __future__ import annotations

from flask import render_template
from flask_login import current_user

from qa_app.permissions import requires
from qa_app.reviews import bp
from qa_app.reviews.services import active_rubric, evaluations_of


@bp.route("/")
@requires("can_review")
def index() -> str:
    return render_template(
        "reviews/index.html", evaluations=evaluations_of(current_user), rubric=active_rubric()
    )
