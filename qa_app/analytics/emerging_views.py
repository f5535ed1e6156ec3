"""Emerging topics page, its drill-down, and the growing-topic notice for the home page."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template, request
from flask_login import current_user

from qa_app.analytics import bp
from qa_app.analytics.emerging import cached_emerging, cached_growing, cluster_members
from qa_app.analytics.services import Filters
from qa_app.analytics.views import FILTER_NAMES, _form_and_filters
from qa_app.permissions import allowed, requires

FILTERS = FILTER_NAMES


def _below() -> float:
    return float(current_app.config.get("EMERGING_CONFIDENCE_BELOW") or 0.5)


@bp.route("/emerging")
@requires("can_view_analytics")
def emerging() -> str:
    form, filters = _form_and_filters()
    result = cached_emerging(current_user, filters, below=_below())
    query = {k: v for k, v in request.args.items() if k in FILTERS}
    return render_template("analytics/emerging.html", form=form, result=result, query=query)


@bp.route("/emerging/<int:number>")
@requires("can_view_analytics")
def emerging_cluster(number: int) -> str:
    _, filters = _form_and_filters()
    cluster, rows = cluster_members(current_user, filters, number, below=_below())
    if cluster is None:
        abort(404)
    query = {k: v for k, v in request.args.items() if k in FILTERS}
    return render_template(
        "analytics/emerging_cluster.html", cluster=cluster, interactions=rows, query=query,
        filters=filters,
    )  # fmt: skip


@bp.app_context_processor
def emerging_notice_processor() -> dict[str, Any]:
    """``emerging_notice()`` for templates: growing topics already clustered for this period."""

    def emerging_notice() -> list[Any]:
        if not current_user.is_authenticated or not allowed("can_view_analytics", current_user):
            return []
        return cached_growing(current_user, Filters.default(current_app.config["SITE_TIMEZONE"]),
                              _below())  # fmt: skip

    return {"emerging_notice": emerging_notice}
