"""Emerging topics page, its drill-down, and the growing-topic notice for the home page."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user

from qa_app.analytics import bp
from qa_app.analytics.emerging import (
    cluster_members,
    configured_below,
    emerging_for,
    export_rows,
    stored_growing,
)
from qa_app.analytics.views import FILTER_NAMES, _form_and_filters, sheet_response
from qa_app.extensions import db
from qa_app.permissions import allowed, requires

FILTERS = FILTER_NAMES


@bp.route("/emerging")
@requires("can_view_analytics")
def emerging() -> str:
    form, filters = _form_and_filters()
    result = emerging_for(current_user, filters, below=configured_below())
    db.session.commit()  # a live site-wide result was stored for the next request
    query = {k: v for k, v in request.args.items() if k in FILTERS}
    return render_template("analytics/emerging.html", form=form, result=result, query=query)


@bp.route("/emerging/export.<fmt>")
@requires("can_view_analytics")
def emerging_export(fmt: str) -> Response:
    _, filters = _form_and_filters()
    result = emerging_for(current_user, filters, below=configured_below())
    db.session.commit()
    rows = export_rows(result)
    return sheet_response(rows, f"Emerging-{filters.first}-{filters.last}", fmt)


@bp.route("/emerging/<int:number>")
@requires("can_view_analytics")
def emerging_cluster(number: int) -> str:
    _, filters = _form_and_filters()
    cluster, rows = cluster_members(current_user, filters, number, below=configured_below())
    db.session.commit()
    if cluster is None:
        abort(404)
    query = {k: v for k, v in request.args.items() if k in FILTERS}
    return render_template(
        "analytics/emerging_cluster.html", cluster=cluster, interactions=rows, query=query,
        filters=filters,
    )  # fmt: skip


@bp.app_context_processor
def emerging_notice_processor() -> dict[str, Any]:
    """``emerging_notice()`` for templates: growing topics of the stored site-wide snapshot."""

    def emerging_notice() -> list[Any]:
        if not current_user.is_authenticated or not allowed("can_view_analytics", current_user):
            return []
        return stored_growing(current_user, current_app.config["SITE_TIMEZONE"],
                              configured_below())  # fmt: skip

    return {"emerging_notice": emerging_notice}
