from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from qa_app.home import bp
from qa_app.home.services import dashboard_for
from qa_app.permissions import public, requires

# the analyst's ways in; a page not (yet) in the app is left out
ANALYTICS_LINKS = [
    ("analytics.index", "Activity peaks", "when customers contact us"),
    ("analytics.topics", "Enquiry types and complaint topics", "shares, trends, top movers"),
    ("analytics.mood", "Mood", "how customers feel, by tag"),
    ("analytics.events", "Events and campaigns", "before and after"),
    ("analytics.emerging", "Emerging topics", "what the taxonomy misses"),
]


@bp.route("/")
@requires("authenticated")
def index() -> str:
    template, data = dashboard_for(current_user)
    return render_template(
        template,
        endpoints=current_app.view_functions,
        analytics_links=ANALYTICS_LINKS,
        **data,
    )


@bp.route("/health")
@public
def health() -> dict[str, str]:
    return {"status": "ok"}
