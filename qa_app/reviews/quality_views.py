"""The review team's quality controls: sampling rules and queues, coverage, blind
calibration sessions and the AI-vs-human agreement report."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from qa_app.extensions import db
from qa_app.permissions import ensure, requires
from qa_app.reviews import bp
from qa_app.reviews.agreement import agreement_report
from qa_app.reviews.calibration import (
    create_session,
    load_session,
    own_evaluation,
    results,
    reveal,
    save_blind_scorecard,
    session_rubric,
    sessions_for,
    status_of,
)
from qa_app.reviews.calibration import reviewer_choices as calibration_reviewers
from qa_app.reviews.forms import (
    CalibrationForm,
    ConfirmForm,
    RuleForm,
    scorecard_data,
    scorecard_form,
    to_scorecard_input,
)
from qa_app.reviews.sampling import (
    KINDS,
    coverage,
    create_rule,
    draw,
    get_rule,
    list_rules,
    my_queue,
    reviewer_choices,
    team_choices,
)
from qa_app.reviews.services import (
    ReviewError,
    load_interaction,
    scorecard_rows,
)
from qa_app.reviews.views import autosave_response, commit_or_flash
from qa_app.tagging.filters import keep_tagged


@bp.route("/queue")
@requires("can_review")
def queue() -> str:
    tag = (request.args.get("tag") or "").strip()[:80] or None
    entries = keep_tagged(my_queue(current_user), tag, lambda e: e.interaction_id)
    return render_template("reviews/queue.html", entries=entries, kinds=KINDS, tag=tag)


@bp.route("/sampling", methods=["GET", "POST"])
@requires("can_review")
def sampling() -> Any:
    form = RuleForm()
    form.set_choices(team_choices(), reviewer_choices())
    if form.validate_on_submit():
        create_rule(form.to_input(), current_user)
        db.session.commit()
        flash("Sampling rule added. Draw it now or let the nightly job do it.", "success")
        return redirect(url_for("reviews.sampling"))
    return render_template(
        "reviews/sampling.html",
        form=form,
        rules=list_rules(),
        kinds=KINDS,
        confirm_form=ConfirmForm(),
    )


@bp.route("/sampling/<int:rule_id>/draw", methods=["POST"])
@requires("can_review")
def draw_rule(rule_id: int) -> Response:
    rule = get_rule(rule_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        result = draw(rule, current_user)
        db.session.commit()
        flash(
            f"Drew {len(result.picked)} of {result.candidates} candidates into "
            f"{rule.queue.name} (seed {result.seed}).",
            "success",
        )
    return redirect(url_for("reviews.sampling"))


@bp.route("/coverage")
@requires("can_view_review_reports")
def coverage_view() -> str:
    days = request.args.get("days", 30, type=int)
    days = days if days in (7, 30, 90) else 30
    return render_template("reviews/coverage.html", rows=coverage(days), days=days)


@bp.route("/calibration", methods=["GET", "POST"])
@requires("can_calibrate")
def calibration_list() -> Any:
    form = CalibrationForm()
    form.participants.choices = [
        SelectChoice(i, n) for i, n in calibration_reviewers() if i != current_user.id
    ]
    if form.validate_on_submit():
        try:
            created = create_session(form.to_input(), current_user)
        except ReviewError as exc:
            db.session.rollback()
            form.interaction_id.errors = [str(exc)]
        else:
            db.session.commit()
            flash("Calibration session created; the invited reviewers were notified.", "success")
            return redirect(url_for("reviews.calibration_session", session_id=created.id))
    return render_template(
        "reviews/calibration_list.html", sessions=sessions_for(current_user), form=form
    )


@bp.route("/calibration/<int:session_id>", methods=["GET", "POST"])
@requires("can_calibrate")
def calibration_session(session_id: int) -> Any:
    session = load_session(session_id) or abort(404)
    ensure("can_calibrate", session)
    rubric = session_rubric(session) or abort(404)
    form = scorecard_form(rubric.criteria)
    if session.revealed_at is None and form.validate_on_submit():
        try:
            save_blind_scorecard(
                session,
                current_user,
                to_scorecard_input(form, rubric.criteria),
                submit=request.form.get("action") == "submit",
            )
        except ReviewError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Your scores are saved (only you can see them until the reveal).", "success")
            return redirect(url_for("reviews.calibration_session", session_id=session_id))
    interaction = load_interaction(session.interaction_id)
    evaluation = own_evaluation(session, current_user)
    rows = scorecard_rows(interaction, rubric, evaluation)
    if not form.is_submitted():
        form = scorecard_form(
            rubric.criteria, data=scorecard_data(rubric.criteria, rows, evaluation)
        )
    return render_template(
        "reviews/calibration_session.html",
        session=session,
        interaction=interaction,
        unredacted=False,
        rows=rows,
        form=form,
        evaluation=evaluation,
        progress=status_of(session),
        results=results(session) if session.revealed_at else None,
        confirm_form=ConfirmForm(),
        is_lead=current_user.id == session.lead_id,
    )


@bp.route("/calibration/<int:session_id>/autosave", methods=["POST"])
@requires("can_calibrate")
def calibration_autosave(session_id: int) -> Any:
    """Blind scores autosave like a review draft (the same review.js contract)."""
    session = load_session(session_id) or abort(404)
    ensure("can_calibrate", session)
    rubric = session_rubric(session) or abort(404)
    form = scorecard_form(rubric.criteria)
    return autosave_response(
        form,
        lambda: save_blind_scorecard(
            session, current_user, to_scorecard_input(form, rubric.criteria), submit=False
        ),
    )


@bp.route("/calibration/<int:session_id>/reveal", methods=["POST"])
@requires("can_calibrate")
def calibration_reveal(session_id: int) -> Response:
    session = load_session(session_id) or abort(404)
    ensure("can_calibrate", session)
    if ConfirmForm().validate_on_submit():
        commit_or_flash(lambda: reveal(session, current_user), "Scores revealed.")
    return redirect(url_for("reviews.calibration_session", session_id=session_id))


@bp.route("/agreement")
@requires("can_view_review_reports")
def agreement() -> str:
    return render_template("reviews/agreement.html", report=agreement_report())
