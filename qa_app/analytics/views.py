from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user
from wtforms import SelectChoice

from qa_app.analytics import bp
from qa_app.analytics.forms import ZONES, FiltersForm
from qa_app.analytics.services import (
    Filters,
    activity,
    drill_down,
    export_rows,
    filter_choices,
    to_csv,
    to_xlsx,
)
from qa_app.analytics.stats import WEEKDAYS
from qa_app.permissions import requires


def _form_and_filters() -> tuple[FiltersForm, Filters]:
    """Read the query-string filters; invalid ones fall back to defaults with field errors."""
    site_tz = current_app.config["SITE_TIMEZONE"]
    form = FiltersForm(formdata=request.args)
    choices = filter_choices(current_user)
    form.tz.choices = [SelectChoice(z, z) for z in ZONES]
    for name in ("team", "agent", "channel", "queue"):
        getattr(form, name).choices = [SelectChoice("", "All")] + [
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
    )
    form.first.data, form.last.data, form.tz.data = filters.first, filters.last, filters.tz
    return form, filters


@bp.route("/")
@requires("can_view_analytics")
def index() -> str:
    form, filters = _form_and_filters()
    return render_template(
        "analytics/index.html",
        form=form,
        result=activity(current_user, filters),
        weekdays=WEEKDAYS,
        query=request.args.to_dict(),
    )


@bp.route("/export.<fmt>")
@requires("can_view_analytics")
def export(fmt: str) -> Response:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    _, filters = _form_and_filters()
    rows = export_rows(activity(current_user, filters))
    name = f"activity-{filters.first}-{filters.last}"
    if fmt == "csv":
        body, mime = to_csv(rows), "text/csv"
    else:
        body = to_xlsx(rows, "Activity")
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    )


@bp.route("/interactions")
@requires("can_view_analytics")
def interactions() -> str:
    form, filters = _form_and_filters()
    weekday = request.args.get("weekday", type=int)
    hour = request.args.get("hour", type=int)
    raw_day = request.args.get("day", "")
    try:
        day = date.fromisoformat(raw_day) if raw_day else None
    except ValueError:
        abort(400)
    if (weekday is not None and not 0 <= weekday < 7) or (hour is not None and not 0 <= hour < 24):
        abort(400)
    rows = drill_down(current_user, filters, weekday=weekday, hour=hour, day=day)
    what = (
        f"{WEEKDAYS[weekday]} {hour:02d}:00–{hour:02d}:59"
        if weekday is not None and hour is not None
        else day.isoformat()
        if day
        else "the period"
    )
    back_query = {k: v for k, v in request.args.items() if k not in ("weekday", "hour", "day")}
    return render_template(
        "analytics/interactions.html",
        interactions=rows,
        what=what,
        filters=filters,
        back_query=back_query,
    )
