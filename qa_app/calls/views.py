from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from qa_app.calls import bp
from qa_app.calls.forms import ACCEPT, EXTENSIONS, ActionForm, UploadForm
from qa_app.calls.jobs import NotRetryable
from qa_app.calls.models import Direction, Status
from qa_app.calls.services import (
    CallMetadata,
    IncomingFile,
    IngestResult,
    agent_choices,
    get_interaction,
    ingest_recording,
    list_interactions,
    retry_interaction,
    send_jobs,
    statuses_of,
)
from qa_app.extensions import db
from qa_app.permissions import ensure, requires


@bp.route("/")
@requires("can_view_interaction")
def index() -> str:
    status = request.args.get("status") or None
    tag = (request.args.get("tag") or "").strip()[:80] or None
    page = db.paginate(list_interactions(current_user, status, tag), per_page=25, error_out=False)
    return render_template(
        "calls/index.html",
        page=page,
        interactions=page.items,
        status=status,
        statuses=list(Status),
        tag=tag,
    )


@bp.route("/<int:interaction_id>")
@requires("can_view_interaction")
def detail(interaction_id: int) -> str:
    interaction = get_interaction(interaction_id) or abort(404)
    ensure("can_view_interaction", interaction)
    return render_template("calls/detail.html", interaction=interaction, action=ActionForm())


@bp.route("/status.json")
@requires("can_view_interaction")
def status_json() -> Response:
    """Polled by the pages while calls are processed; lists only what the user may see."""
    ids = [int(i) for i in request.args.get("ids", "").split(",") if i.strip().isdigit()]
    rows = statuses_of(current_user, ids)
    return jsonify(
        {
            str(i.id): {"status": i.status.value, "progress": i.progress, "error": i.error}
            for i in rows
        }
    )


@bp.route("/upload", methods=["GET", "POST"])
@requires("can_upload")
def upload() -> str | Response:
    form = UploadForm()
    form.agent_id.choices = [
        SelectChoice("0", "— not known —"),
        *(SelectChoice(str(i), name) for i, name in agent_choices()),
    ]
    if form.validate_on_submit():
        meta = CallMetadata(
            agent_id=form.agent_id.data or None,
            started_at=form.started_at.data,
            customer_ref=(form.customer_ref.data or "").strip() or None,
            direction=Direction(form.direction.data),
            queue=(form.queue.data or "").strip() or None,
        )
        results = [
            ingest_recording(
                IncomingFile(f.filename or "upload", f.stream),
                meta,
                current_app.config["STORAGE_DIR"],
            )
            for f in form.files.data
        ]
        db.session.commit()
        send_jobs(r.job for r in results)
        _flash_results(results)
        if any(r.error for r in results) and not any(r.interaction_id for r in results):
            return render_template(
                "calls/upload.html", form=form, accept=ACCEPT, accepted=", ".join(EXTENSIONS)
            ), 422
        return redirect(url_for("calls.index"))
    return render_template(
        "calls/upload.html", form=form, accept=ACCEPT, accepted=", ".join(EXTENSIONS)
    )


def _flash_results(results: list[IngestResult]) -> None:
    new = [r for r in results if r.interaction_id and not r.duplicate]
    if new:
        flash(f"{len(new)} recording(s) uploaded and queued for transcription.", "success")
    for r in results:
        if r.duplicate:
            link = url_for("calls.detail", interaction_id=r.interaction_id)
            flash(
                Markup('{} was uploaded before: <a href="{}">see interaction #{}</a>.').format(
                    r.filename, link, r.interaction_id
                ),
                "info",
            )
        elif r.error:
            flash(f"{r.filename}: {r.error}", "error")


@bp.route("/<int:interaction_id>/retry", methods=["POST"])
@requires("can_upload")
def retry(interaction_id: int) -> Response:
    interaction = get_interaction(interaction_id) or abort(404)
    ensure("can_view_interaction", interaction)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        job = retry_interaction(interaction)
    except NotRetryable as exc:
        flash(str(exc), "error")
        return redirect(url_for("calls.detail", interaction_id=interaction_id))
    db.session.commit()
    send_jobs([job])
    flash(f"Interaction #{interaction_id} queued again.", "success")
    return redirect(url_for("calls.detail", interaction_id=interaction_id))
