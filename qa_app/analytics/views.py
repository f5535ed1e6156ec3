from __future__ import annotations

from flask import render_template

from qa_app.analytics import bp
from qa_app.analytics.services import daily_volume
from qa_app.permissions import requires


@bp.route("/")
@requires("can_view_analytics")
def index() -> str:
    volume = daily_volume()
    return render_template(
        "analytics/index.html", volume=volume, peak=max((v.count for v in volume), default=0)
    )
