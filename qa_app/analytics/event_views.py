"""Events and campaigns: analysts and admins record them; everyone reads the before/after."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from qa_app.analytics import bp
from qa_app.analytics import events as svc
from qa_app.analytics.event_forms import DeleteEventForm, EventForm
from qa_app.analytics.models import Event
from qa_app.analytics.views import _form_and_filters, _query, sheet_response
from qa_app.extensions import db
from qa_app.permissions import allowed, requires


def _site_tz() -> str:
    return current_app.config["SITE_TIMEZONE"]


def _form(event: Event | None = None) -> EventForm:
    form = EventForm(obj=None)
    choices = svc.scope_choices()
    scope = (event.scope or {}) if event else {}
    for name in ("tags", "queues", "channels"):
        known = choices[name]
        # keep values an older event refers to even when they are gone from the choices
        extra = [(v, v) for v in scope.get(name, []) if v not in {k for k, _ in known}]
        getattr(form, name).choices = [SelectChoice(v, label) for v, label in known + extra]
    if event is not None and not form.is_submitted():
        tz = _site_tz()
        form.name.data, form.kind.data = event.name, event.kind
        form.starts_at.data = svc.to_local(event.starts_at, tz)
        form.ends_at.data = svc.to_local(event.ends_at, tz) if event.ends_at else None
        form.description.data = event.description
        for name in ("tags", "queues", "channels"):
            getattr(form, name).data = list(scope.get(name, []))
    return form


def _data(form: EventForm) -> svc.EventData:
    return svc.EventData(
        name=form.name.data,
        kind=form.kind.data,
        starts_at=form.starts_at.data,
        ends_at=form.ends_at.data,
        description=form.description.data or "",
        tz=_site_tz(),
        tags=tuple(form.tags.data or ()),
        queues=tuple(form.queues.data or ()),
        channels=tuple(form.channels.data or ()),
    )


def _load(event_id: int) -> Event:
    return svc.get_event(event_id) or abort(404)


def _days() -> int | None:
    days = request.args.get("days", type=int)
    if days is not None and days not in svc.WINDOW_DAYS:
        abort(400)
    return days


@bp.route("/events")
@requires("can_view_analytics")
def events() -> str:
    return render_template(
        "analytics/events.html",
        events=svc.list_events(),
        can_edit=allowed("can_record_events", current_user),
        tz=_site_tz(),
        to_local=svc.to_local,
    )


@bp.route("/events/new", methods=["GET", "POST"])
@requires("can_record_events")
def new_event() -> str | Response:
    form = _form()
    if form.validate_on_submit():
        try:
            event = svc.create_event(_data(form), current_user)
        except svc.EventError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Event “{event.name}” recorded.", "success")
            return redirect(url_for("analytics.event", event_id=event.id))
    return render_template("analytics/event_form.html", form=form, event=None, tz=_site_tz())


@bp.route("/events/<int:event_id>")
@requires("can_view_analytics")
def event(event_id: int) -> str:
    item = _load(event_id)
    days = _days()
    form, filters = _form_and_filters()
    return render_template(
        "analytics/event.html",
        event=item,
        result=svc.compare_event(current_user, item, days=days, filters=filters),
        window_days=svc.WINDOW_DAYS,
        chosen_days=days,
        can_edit=allowed("can_record_events", current_user),
        delete_form=DeleteEventForm(),
        form=form,
        query=_query(),
        tz=filters.tz,
        to_local=svc.to_local,
        alpha=svc.ALPHA,
    )


@bp.route("/events/<int:event_id>/export.<fmt>")
@requires("can_view_analytics")
def event_export(event_id: int, fmt: str) -> Response:
    item = _load(event_id)
    _, filters = _form_and_filters()
    result = svc.compare_event(current_user, item, days=_days(), filters=filters)
    rows = svc.export_rows(result, filters.tz)
    return sheet_response(rows, f"Event-{item.id}-{item.starts_at:%Y-%m-%d}", fmt)


@bp.route("/events/<int:event_id>/interactions")
@requires("can_view_analytics")
def event_interactions(event_id: int) -> str:
    """The drill-down: the interactions one side of the comparison (or one tag row, ``tag_key``;
    ``tag`` is the filter bar's tag) counted."""
    item = _load(event_id)
    side, days, tag = request.args.get("side", ""), _days(), request.args.get("tag_key") or None
    if side not in svc.SIDES:
        abort(400)
    _, filters = _form_and_filters()
    (start, end), rows = svc.window_interactions(
        current_user, item, side, days, tag, filters=filters
    )
    tz = filters.tz
    span = f"{svc.to_local(start, tz):%d %b %Y %H:%M} – {svc.to_local(end, tz):%d %b %Y %H:%M}"
    return render_template(
        "analytics/interactions.html",
        interactions=rows,
        what=f"“{item.name}”, {side} the start",
        period=span,
        tag=tag,
        filters=filters,
        back="analytics.event",
        back_query={**_query(), "event_id": item.id, **({"days": days} if days else {})},
        back_label="← Back to the event",
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@requires("can_record_events")
def edit_event(event_id: int) -> str | Response:
    item = _load(event_id)
    form = _form(item)
    if form.validate_on_submit():
        try:
            svc.update_event(item, _data(form), current_user)
        except svc.EventError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            db.session.commit()
            flash("Event saved.", "success")
            return redirect(url_for("analytics.event", event_id=item.id))
    return render_template("analytics/event_form.html", form=form, event=item, tz=_site_tz())


@bp.route("/events/<int:event_id>/delete", methods=["POST"])
@requires("can_record_events")
def delete_event(event_id: int) -> Response:
    item = _load(event_id)
    if DeleteEventForm().validate_on_submit():
        svc.delete_event(item, current_user)
        db.session.commit()
        flash(f"Event “{item.name}” deleted.", "success")
        return redirect(url_for("analytics.events"))
    flash("The form expired. Please try again.", "error")
    return redirect(url_for("analytics.event", event_id=event_id))
