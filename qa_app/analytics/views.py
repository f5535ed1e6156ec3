from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from qa_app.analytics import bp
from qa_app.analytics.forms import ZONES, FiltersForm
from qa_app.analytics.services import (
    CONCERN_SORTS,
    HEAT_METRICS,
    MOODS,
    TRAJECTORIES,
    Drill,
    Filters,
    activity,
    drill_down,
    export_rows,
    filter_choices,
    mood,
    mood_export_rows,
    tag_label,
    to_csv,
    to_xlsx,
    topics,
    topics_export_rows,
)
from qa_app.analytics.significance import wilson
from qa_app.analytics.stats import WEEKDAYS, to_local
from qa_app.permissions import allowed, requires

FILTER_NAMES = ("first", "last", "tz", "team", "agent", "channel", "queue", "taxonomy", "tag")
# the analytics sub-navigation: endpoints that do not exist (yet) are left out
PAGES = (
    ("analytics.index", "Activity"),
    ("analytics.topics", "Topics"),
    ("analytics.mood", "Mood"),
    ("analytics.events", "Events"),
    ("analytics.emerging", "Emerging topics"),
    ("analytics.import_texts", "Social & chat import"),
)
BACK = {"index", "topics", "mood"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form_and_filters() -> tuple[FiltersForm, Filters]:
    """Read the query-string filters; invalid ones fall back to defaults with field errors."""
    site_tz = current_app.config["SITE_TIMEZONE"]
    form = FiltersForm(formdata=request.args)
    choices = filter_choices(current_user, request.args.get("taxonomy", type=int))
    form.tz.choices = [SelectChoice(z, z) for z in ZONES]
    for name in ("team", "agent", "channel", "queue", "taxonomy", "tag"):
        blank = "Published" if name == "taxonomy" else "All"
        getattr(form, name).choices = [SelectChoice("", blank)] + [
            SelectChoice(v, label) for v, label in choices[name]
        ]
    default = Filters.default(site_tz)
    if request.args and not form.validate():
        return form, default
    first = form.first.data or default.first
    filters = Filters(
        first=first,
        last=form.last.data or max(default.last, first),
        tz=form.tz.data or site_tz,
        team_id=int(form.team.data) if form.team.data else None,
        agent_id=int(form.agent.data) if form.agent.data else None,
        channel=form.channel.data or None,
        queue=form.queue.data or None,
        tag_id=int(form.tag.data) if form.tag.data else None,
        taxonomy_id=int(form.taxonomy.data) if form.taxonomy.data else None,
    )
    form.first.data, form.last.data, form.tz.data = filters.first, filters.last, filters.tz
    return form, filters


def _query() -> dict[str, str]:
    """The filters of this request, to carry into every link (drill-down, export, sub-pages)."""
    return {k: v for k, v in request.args.items() if k in FILTER_NAMES and v}


@bp.app_context_processor
def analytics_helpers() -> dict[str, Any]:
    def analytics_url(endpoint: str, **extra: Any) -> str:
        """A link that keeps the current filters; ``None`` drops a parameter."""
        params = {**_query(), **extra}
        return url_for(endpoint, **{k: v for k, v in params.items() if v is not None})

    def analytics_pages() -> list[tuple[str, str]]:
        """The pages that exist and that this user may open."""
        views = current_app.view_functions
        return [
            (e, label)
            for e, label in PAGES
            if e in views
            and allowed(getattr(views[e], "required_policy", "can_admin"), current_user)
        ]

    def analytics_local(moment: datetime, tz: str) -> datetime:
        return to_local(moment, ZoneInfo(tz))

    return {
        "analytics_url": analytics_url,
        "analytics_pages": analytics_pages,
        "analytics_has": lambda endpoint: endpoint in current_app.view_functions,
        "analytics_local": analytics_local,
    }


def sheet_response(rows: list[list[object]], name: str, fmt: str) -> Response:
    """A CSV or XLSX download of ``rows`` (404 for any other format)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    body, mime = (to_csv(rows), "text/csv") if fmt == "csv" else (to_xlsx(rows, name), XLSX)
    filename = f"{name.lower()}.{fmt}"
    return Response(
        body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _page(render: Callable[[FiltersForm, Filters], str]) -> str:
    form, filters = _form_and_filters()
    return render(form, filters)


def _heat_args() -> tuple[str, int | None]:
    metric = request.args.get("metric", "volume")
    return (metric if metric in HEAT_METRICS else "volume"), request.args.get("htag", type=int)


@bp.route("/")
@requires("can_view_analytics")
def index() -> str:
    form, filters = _form_and_filters()
    metric, htag = _heat_args()
    return render_template(
        "analytics/index.html",
        form=form,
        result=activity(current_user, filters, metric, htag),
        weekdays=WEEKDAYS,
        query=_query(),
        keep={"metric": metric, "htag": htag},
    )


@bp.route("/export.<fmt>")
@requires("can_view_analytics")
def export(fmt: str) -> Response:
    _, filters = _form_and_filters()
    metric, htag = _heat_args()
    rows = export_rows(activity(current_user, filters, metric, htag))
    return sheet_response(rows, f"Activity-{filters.first}-{filters.last}", fmt)


@bp.route("/topics", endpoint="topics")
@requires("can_view_analytics")
def topics_page() -> str:
    form, filters = _form_and_filters()
    node = request.args.get("node", type=int)
    return render_template(
        "analytics/topics.html",
        form=form,
        result=topics(current_user, filters, node, request.args.get("by")),
        query=_query(),
        keep={"node": node, "by": request.args.get("by") or None},
        week=timedelta(days=6),
    )


@bp.route("/topics/export.<fmt>")
@requires("can_view_analytics")
def topics_export(fmt: str) -> Response:
    _, filters = _form_and_filters()
    result = topics(
        current_user, filters, request.args.get("node", type=int), request.args.get("by")
    )
    rows = topics_export_rows(result)
    return sheet_response(rows, f"Topics-{filters.first}-{filters.last}", fmt)


def _sort() -> str:
    sort = request.args.get("sort", CONCERN_SORTS[0])
    return sort if sort in CONCERN_SORTS else CONCERN_SORTS[0]


@bp.route("/mood", endpoint="mood")
@requires("can_view_analytics")
def mood_page() -> str:
    form, filters = _form_and_filters()
    return render_template(
        "analytics/mood.html",
        form=form,
        result=mood(current_user, filters, _sort(), request.args.get("by")),
        query=_query(),
        keep={"sort": _sort(), "by": request.args.get("by") or None},
        week=timedelta(days=6),
        wilson=wilson,
    )


@bp.route("/mood/export.<fmt>")
@requires("can_view_analytics")
def mood_export(fmt: str) -> Response:
    _, filters = _form_and_filters()
    result = mood(current_user, filters, _sort(), request.args.get("by"))
    return sheet_response(mood_export_rows(result), f"Mood-{filters.first}-{filters.last}", fmt)


def _drill() -> tuple[Drill, date | None]:
    """The drill-down's own parameters; anything out of range is a bad request."""
    weekday = request.args.get("weekday", type=int)
    hour = request.args.get("hour", type=int)
    mood_label = request.args.get("mood") or None
    trajectory = request.args.get("trajectory") or None
    raw_day = request.args.get("day", "")
    try:
        day = date.fromisoformat(raw_day) if raw_day else None
    except ValueError:
        abort(400)
    if (
        (weekday is not None and not 0 <= weekday < 7)
        or (hour is not None and not 0 <= hour < 24)
        or (mood_label is not None and mood_label not in MOODS)
        or (trajectory is not None and trajectory not in TRAJECTORIES)
    ):
        abort(400)
    return Drill(weekday, hour, mood_label, trajectory), day


@bp.route("/interactions")
@requires("can_view_analytics")
def interactions() -> str:
    _, filters = _form_and_filters()
    drill, day = _drill()
    if day is not None:
        filters = replace(filters, first=day, last=day)
    rows = drill_down(current_user, filters, drill)
    period = (
        day.isoformat()
        if day
        else f"{filters.first} to {filters.last}"
        if filters.first != filters.last
        else filters.first.isoformat()
    )
    back = request.args.get("back", "index")
    return render_template(
        "analytics/interactions.html",
        interactions=rows,
        what=drill.describe() or period,
        period=period,
        tag=tag_label(filters.tag_id),
        filters=filters,
        back=f"analytics.{back if back in BACK else 'index'}",
        back_query=_query(),
    )
