from __future__ import annotations

import mimetypes
from collections.abc import Callable
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from qa_app.calls.models import Interaction
from qa_app.extensions import db
from qa_app.permissions import allowed, ensure, public, requires
from qa_app.reviews import bp
from qa_app.reviews.disputes import (
    acknowledge,
    dispute_deadline,
    load_open_dispute,
    open_disputes,
    raise_dispute,
    resolve_dispute,
)
from qa_app.reviews.forms import (
    ConfirmForm,
    DisputeForm,
    ResolveForm,
    scorecard_data,
    scorecard_form,
    to_scorecard_input,
)
from qa_app.reviews.models import Evaluation, EvaluationStatus
from qa_app.reviews.notifications import mark_all_read, notifications_for, unread_count
from qa_app.reviews.search import (
    InteractionFilters,
    filter_choices,
    find_interactions,
    reviewed_ids,
    snippets,
)
from qa_app.reviews.services import (
    DEFAULT_MAX_DISPUTES,
    Conflict,
    IncompleteScorecard,
    ReviewError,
    active_rubric,
    current_evaluation,
    evaluations_for_agent,
    evaluations_of,
    load_evaluation,
    load_interaction,
    record_unredacted_view,
    rubric_for,
    save_scorecard,
    scorecard_rows,
)
from qa_app.reviews.trends import agent_trends
from qa_app.storage import path_for
from qa_app.tagging.comments import comment_tags_from, store_comment_tags
from qa_app.timeutil import utcnow


@bp.app_context_processor
def _inbox() -> dict[str, Any]:
    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            return unread_count(current_user)
        except SQLAlchemyError:  # e.g. while rendering the 500 page of a failed transaction
            return 0

    return {"unread_notifications": count}


@bp.route("/")
@requires("can_review")
def index() -> str:
    return render_template(
        "reviews/index.html",
        evaluations=evaluations_of(current_user),
        rubric=active_rubric(),
        disputes=open_disputes(),
    )


@bp.route("/interactions")
@requires("can_review")
def interactions() -> str:
    filters = InteractionFilters.from_args(request.args)
    page = find_interactions(current_user, filters, request.args.get("page", 1, type=int))
    return render_template(
        "reviews/interactions.html",
        page=page,
        filters=filters,
        choices=filter_choices(),
        reviewed=reviewed_ids([i.id for i in page.items]),
        snippets=snippets([i.id for i in page.items], filters.q),
    )


def _show_unredacted(interaction: Interaction) -> bool:
    """``?unredacted=1`` for roles allowed to read raw text; each such view is audited."""
    if request.args.get("unredacted") != "1" or not allowed("can_view_unredacted", current_user):
        return False
    record_unredacted_view(current_user, interaction)
    db.session.commit()
    return True


def _review_page(
    interaction: Interaction, form: Any = None, status: int = 200, *, loaded: Any = False
) -> Any:
    """``loaded``: the evaluation already read in this request (after a rollback, pass none)."""
    evaluation = current_evaluation(interaction) if loaded is False else loaded
    rubric = rubric_for(interaction, evaluation) or abort(404)
    rows = scorecard_rows(interaction, rubric, evaluation)
    if form is None:
        form = scorecard_form(
            rubric.criteria, data=scorecard_data(rubric.criteria, rows, evaluation)
        )
    html = render_template(
        "reviews/review.html",
        interaction=interaction,
        unredacted=request.method == "GET" and _show_unredacted(interaction),
        evaluation=evaluation,
        rubric=rubric,
        rows=rows,
        form=form,
    )
    return html, status


@bp.route("/interactions/<int:interaction_id>", methods=["GET", "POST"])
@requires("can_review")
def review(interaction_id: int) -> Any:
    interaction = load_interaction(interaction_id) or abort(404)
    ensure("can_view_interaction", interaction)
    evaluation = current_evaluation(interaction)
    if evaluation is not None and evaluation.status is not EvaluationStatus.DRAFT:
        return redirect(url_for("reviews.evaluation", evaluation_id=evaluation.id))
    rubric = rubric_for(interaction, evaluation) or abort(404)
    form = scorecard_form(rubric.criteria)
    if not form.validate_on_submit():
        return _review_page(interaction, form if form.is_submitted() else None, loaded=evaluation)
    submit = request.form.get("action") == "submit"
    try:
        saved = save_scorecard(
            interaction,
            rubric,
            current_user,
            to_scorecard_input(form, rubric.criteria),
            submit=submit,
        )
    except Conflict as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _review_page(interaction, form, 409)
    except IncompleteScorecard as exc:
        db.session.rollback()
        for criterion in exc.missing:
            form[f"score_{criterion.id}"].errors = ["Score it, or mark it N/A."]
        flash(str(exc), "error")
        return _review_page(interaction, form, 422)
    except ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _review_page(interaction, form, 422)
    store_comment_tags(saved, comment_tags_from(request.form), current_user)
    db.session.commit()
    if submit:
        flash("Evaluation submitted; the agent has been notified.", "success")
        return redirect(url_for("reviews.evaluation", evaluation_id=saved.id))
    flash("Draft saved.", "success")
    return redirect(url_for("reviews.review", interaction_id=interaction.id))


@bp.route("/interactions/<int:interaction_id>/autosave", methods=["POST"])
@requires("can_review")
def autosave(interaction_id: int) -> Any:
    interaction = load_interaction(interaction_id) or abort(404)
    ensure("can_view_interaction", interaction)
    evaluation = current_evaluation(interaction)
    rubric = rubric_for(interaction, evaluation) or abort(404)
    form = scorecard_form(rubric.criteria)
    if not form.validate_on_submit():
        return jsonify(ok=False, error="Some fields are not valid.", fields=form.errors), 422
    try:
        saved = save_scorecard(
            interaction, rubric, current_user, to_scorecard_input(form, rubric.criteria)
        )
    except Conflict as exc:
        db.session.rollback()
        return jsonify(ok=False, conflict=True, error=str(exc)), 409
    except ReviewError as exc:
        db.session.rollback()
        return jsonify(ok=False, error=str(exc)), 422
    store_comment_tags(saved, comment_tags_from(request.form), current_user)
    db.session.commit()
    return jsonify(
        ok=True,
        version=saved.version,
        saved_at=f"{saved.updated_at:%H:%M:%S}",
        total=None if saved.total is None else round(saved.total),
    )


def autosave_response(form: Any, save: Callable[[], Evaluation]) -> tuple[Response, int]:
    """The JSON contract of review.js's autosave (used by calibration scorecards): the new
    version, or why nothing was saved."""
    if not form.validate_on_submit():
        return jsonify(ok=False, error="Some fields are not valid.", fields=form.errors), 422
    try:
        saved = save()
    except Conflict as exc:
        db.session.rollback()
        return jsonify(ok=False, conflict=True, error=str(exc)), 409
    except ReviewError as exc:
        db.session.rollback()
        return jsonify(ok=False, error=str(exc)), 422
    db.session.commit()
    body = jsonify(
        ok=True,
        version=saved.version,
        saved_at=f"{saved.updated_at:%H:%M:%S}",
        total=None if saved.total is None else round(saved.total),
    )
    return body, 200


@bp.route("/interactions/<int:interaction_id>/audio")
@requires("can_hear_interaction")
def audio(interaction_id: int) -> Response:
    """The recording, with HTTP range support so the player can seek."""
    interaction = load_interaction(interaction_id) or abort(404)
    ensure("can_hear_interaction", interaction)
    recording = interaction.recording or abort(404)
    path = path_for(current_app.config["STORAGE_DIR"], recording.storage_key)
    if not path.is_file():
        abort(404)
    mimetype = mimetypes.guess_type(f"x.{recording.format}")[0] or "application/octet-stream"
    response = send_file(path, mimetype=mimetype, conditional=True, etag=recording.sha256)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _evaluation_or_404(evaluation_id: int, policy: str = "can_view_evaluation") -> Any:
    evaluation = load_evaluation(evaluation_id) or abort(404)
    ensure("can_view_evaluation", evaluation)
    ensure(policy, evaluation)
    return evaluation


@bp.route("/evaluations/<int:evaluation_id>")
@requires("can_view_evaluation")
def evaluation(evaluation_id: int) -> str:
    evaluation = _evaluation_or_404(evaluation_id)
    interaction = load_interaction(evaluation.interaction_id)
    dispute_form = DisputeForm()
    dispute_form.set_choices(evaluation)
    deadline = dispute_deadline(evaluation, current_app.config["DISPUTE_WINDOW_DAYS"])
    return render_template(
        "reviews/evaluation.html",
        evaluation=evaluation,
        interaction=interaction,
        unredacted=_show_unredacted(interaction),
        rows=scorecard_rows(interaction, evaluation.rubric, evaluation),
        dispute_form=dispute_form,
        resolve_form=ResolveForm(),
        confirm_form=ConfirmForm(),
        deadline=deadline,
        window_open=deadline is not None and utcnow() <= deadline,
        max_disputes=_max_disputes(),
        is_owner=allowed("can_answer_evaluation", current_user, evaluation),
        can_resolve=allowed("can_resolve_disputes", current_user),
    )


def commit_or_flash(action: Callable[[], object], success: str) -> bool:
    """Run a service action at the request boundary: commit and flash ``success``, or roll
    back and flash the domain error the user can act on."""
    try:
        action()
    except ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True


def _max_disputes() -> int:
    return int(current_app.config.get("MAX_DISPUTES_PER_EVALUATION", DEFAULT_MAX_DISPUTES))


@bp.route("/evaluations/<int:evaluation_id>/acknowledge", methods=["POST"])
@requires("can_answer_evaluation")
def acknowledge_evaluation(evaluation_id: int) -> Response:
    evaluation = _evaluation_or_404(evaluation_id, "can_answer_evaluation")
    if ConfirmForm().validate_on_submit():
        commit_or_flash(
            lambda: acknowledge(evaluation, current_user), "Thanks, the evaluation is acknowledged."
        )
    return redirect(url_for("reviews.evaluation", evaluation_id=evaluation_id))


@bp.route("/evaluations/<int:evaluation_id>/dispute", methods=["POST"])
@requires("can_answer_evaluation")
def dispute(evaluation_id: int) -> Response:
    evaluation = _evaluation_or_404(evaluation_id, "can_answer_evaluation")
    form = DisputeForm()
    form.set_choices(evaluation)
    if not form.validate_on_submit():
        flash("Choose a criterion and explain the dispute (10 characters at least).", "error")
        return redirect(url_for("reviews.evaluation", evaluation_id=evaluation_id))
    commit_or_flash(
        lambda: raise_dispute(
            evaluation,
            current_user,
            form.to_input(),
            window_days=current_app.config["DISPUTE_WINDOW_DAYS"],
            max_disputes=_max_disputes(),
        ),
        "Dispute sent; the reviewer will answer it.",
    )
    return redirect(url_for("reviews.evaluation", evaluation_id=evaluation_id))


@bp.route("/disputes/<int:dispute_id>/resolve", methods=["POST"])
@requires("can_resolve_disputes")
def resolve(dispute_id: int) -> Response:
    found = load_open_dispute(dispute_id) or abort(404)
    form = ResolveForm()
    if not form.validate_on_submit():
        flash("Choose accept (with a new score) or decline (with a reason).", "error")
    else:
        commit_or_flash(
            lambda: resolve_dispute(found, current_user, form.to_input()),
            "Dispute decided; the agent has been notified.",
        )
    return redirect(url_for("reviews.evaluation", evaluation_id=found.evaluation_id))


@bp.route("/mine")
@requires("is_agent")
def mine() -> str:
    return render_template(
        "reviews/mine.html",
        evaluations=evaluations_for_agent(current_user),
        trends=agent_trends(current_user),
    )


@bp.route("/notifications")
@requires("gets_notifications")
def notifications() -> str:
    return render_template(
        "reviews/notifications.html",
        notifications=notifications_for(current_user),
        form=ConfirmForm(),
    )


@bp.route("/notifications/read", methods=["POST"])
@requires("gets_notifications")
def notifications_read() -> Response:
    if ConfirmForm().validate_on_submit():
        mark_all_read(current_user)
        db.session.commit()
    return redirect(url_for("reviews.notifications"))


@bp.route("/session")
@public
def session_state() -> Response:
    """Lets the review page notice a signed-out session before it posts (and loses) input."""
    return jsonify(signed_in=bool(current_user.is_authenticated))
