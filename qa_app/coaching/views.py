from __future__ import annotations

from datetime import date, datetime, time
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

import training
from qa_app.coaching import bp, report
from qa_app.coaching import services as svc
from qa_app.coaching.content import library_module, quiz_yaml, render_markdown
from qa_app.coaching.forms import (
    AssignForm,
    BulkAssignForm,
    EmptyForm,
    ImportForm,
    ModuleForm,
    MomentForm,
    PolicyForm,
    SessionForm,
    SessionNotesForm,
    quiz_answers,
    quiz_form,
)
from qa_app.coaching.models import AssignmentStatus, CoachingModule
from qa_app.extensions import db
from qa_app.permissions import ensure, requires
from qa_app.timeutil import utcnow


def _due(day: date | None) -> datetime | None:
    return datetime.combine(day, time(23, 59)) if day else None


def _lines(text: str | None) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


@bp.route("/")
@requires("can_use_coaching")
def index() -> str:
    svc.refresh_overdue()  # a lazy sweep, so nobody waits for the scheduled one
    svc.send_due_reminders()
    db.session.commit()
    status = request.args.get("status") or None
    team_id = request.args.get("team", type=int)
    if status not in {s.value for s in AssignmentStatus}:
        status = None
    return render_template(
        "coaching/index.html",
        assignments=svc.assignments_for(current_user, status, team_id),
        reminders=svc.reminders_for(current_user),
        sessions=svc.sessions_for(current_user),
        statuses=list(AssignmentStatus),
        status=status,
        teams=svc.list_teams(),
        team_id=team_id,
        now=utcnow(),
    )


# --- catalog -----------------------------------------------------------------------------------


@bp.route("/modules")
@requires("can_coach")
def modules() -> str:
    return render_template(
        "coaching/modules.html",
        modules=svc.all_modules(),
        import_form=ImportForm(),
        action_form=EmptyForm(),
    )


@bp.route("/modules/<int:module_id>")
@requires("can_coach")
def module(module_id: int) -> str:
    item = svc.get_module(module_id) or abort(404)
    return render_template(
        "coaching/module.html",
        module=item,
        spec=library_module(item),
        html=render_markdown(item.content_md),
    )


def _module_form(form: ModuleForm) -> svc.ModuleData:
    return svc.ModuleData(
        slug=(form.slug.data or "").strip(),
        title=form.title.data or "",
        summary=form.summary.data or "",
        criteria=list(form.criteria.data or []),
        minutes=form.minutes.data or 0,
        content=form.content.data or "",
        quiz_yaml=form.quiz_yaml.data or "",
    )


def _edit_module(form: ModuleForm, item: CoachingModule | None) -> str | Response:
    form.criteria.choices = [SelectChoice(k, k.replace("_", " ")) for k in svc.known_criteria()]
    if form.validate_on_submit():
        try:
            saved = svc.save_module(_module_form(form), current_user, item)
        except svc.ModuleInvalid as exc:
            for name, problems in exc.fields.items():
                getattr(form, name).errors = list(getattr(form, name).errors) + problems
        else:
            db.session.commit()
            flash(f"Module “{saved.title}” saved.", "success")
            return redirect(url_for("coaching.module", module_id=saved.id))
    template = render_template("coaching/module_form.html", form=form, module=item)
    return (template, 400) if form.errors else template  # type: ignore[return-value]


@bp.route("/modules/new", methods=["GET", "POST"])
@requires("can_manage_training")
def new_module() -> str | Response:
    form = ModuleForm()
    if not form.is_submitted():
        form.quiz_yaml.data = quiz_yaml({"pass_mark": 0.75, "questions": []})
    return _edit_module(form, None)


@bp.route("/modules/<int:module_id>/edit", methods=["GET", "POST"])
@requires("can_manage_training")
def edit_module(module_id: int) -> str | Response:
    item = svc.get_module(module_id) or abort(404)
    form = ModuleForm(
        data=None
        if request.method == "POST"
        else {
            "slug": item.slug,
            "title": item.title,
            "summary": item.summary,
            "criteria": list(item.criteria),
            "minutes": item.minutes,
            "content": item.content_md,
            "quiz_yaml": quiz_yaml(item.quiz),
        }
    )
    return _edit_module(form, item)


@bp.route("/modules/<int:module_id>/active", methods=["POST"])
@requires("can_manage_training")
def toggle_module(module_id: int) -> Response:
    item = svc.get_module(module_id) or abort(404)
    if EmptyForm().validate_on_submit():
        svc.set_module_active(item, not item.is_active, current_user)
        db.session.commit()
        flash(
            f"“{item.title}” is {'back in' if item.is_active else 'retired from'} the catalog.",
            "success",
        )
    return redirect(url_for("coaching.modules"))


@bp.route("/modules/export")
@requires("can_manage_training")
def export_modules() -> Response:
    return send_file(
        BytesIO(svc.export_catalog()),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"callqa-catalog-{utcnow():%Y%m%d}.zip",
    )


@bp.route("/modules/import", methods=["POST"])
@requires("can_manage_training")
def import_modules() -> Response:
    form = ImportForm()
    if form.validate_on_submit():
        uploads = [(f.filename or "", f.read()) for f in form.files.data or [] if f and f.filename]
        try:
            result = svc.import_catalog(svc.parse_upload(uploads), current_user)
        except training.CatalogError as exc:
            flash("Nothing imported. " + "; ".join(exc.problems[:8]), "error")
        else:
            db.session.commit()
            flash(_imported(result), "success")
    return redirect(url_for("coaching.modules"))


@bp.route("/modules/import-shipped", methods=["POST"])
@requires("can_manage_training")
def import_shipped() -> Response:
    if EmptyForm().validate_on_submit():
        result = svc.import_shipped_catalog(current_user)
        db.session.commit()
        flash(_imported(result), "success")
    return redirect(url_for("coaching.modules"))


def _imported(result: svc.ImportReport) -> str:
    return (
        f"Catalog imported: {result.created} new, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )


# --- recommendations and assigning -------------------------------------------------------------


@bp.route("/recommendations", methods=["GET", "POST"])
@requires("can_manage_training")
def recommendations() -> str | Response:
    team_id = request.args.get("team", type=int)
    found = svc.recommendations(team_id)
    form = BulkAssignForm()
    form.picks.choices = [SelectChoice(s.key, s.key) for s in found]
    if form.validate_on_submit():
        created = svc.assign_recommended(
            form.picks.data or [], _due(form.due_on.data), current_user
        )
        db.session.commit()
        flash(f"{len(created)} module(s) assigned.", "success")
        return redirect(url_for("coaching.index"))
    return render_template(
        "coaching/recommendations.html",
        found=found,
        form=form,
        teams=svc.list_teams(),
        team_id=team_id,
        policy=svc.current_policy(),
    )


@bp.route("/assign", methods=["GET", "POST"])
@requires("can_manage_training")
def assign() -> str | Response:
    form = AssignForm(module_id=request.args.get("module", type=int))
    form.agent_ids.choices = [
        SelectChoice(a.id, f"{a.name} ({a.team.name})" if a.team else a.name)
        for a in svc.agents_in()
    ]
    form.module_id.choices = [SelectChoice(m.id, m.title) for m in svc.active_modules()]
    if form.validate_on_submit():
        due = _due(form.due_on.data)
        created = svc.assign(
            [
                svc.NewAssignment(agent_id, form.module_id.data, due)
                for agent_id in form.agent_ids.data
            ],
            current_user,
        )
        db.session.commit()
        flash(f"{len(created)} module(s) assigned (open duplicates are skipped).", "success")
        return redirect(url_for("coaching.index"))
    return render_template("coaching/assign.html", form=form)


@bp.route("/policy", methods=["GET", "POST"])
@requires("can_manage_training")
def policy() -> str | Response:
    current = svc.current_policy()
    form = PolicyForm(obj=current)
    if form.validate_on_submit():
        data = svc.PolicyData(
            is_auto_assign=bool(form.is_auto_assign.data),
            threshold=form.threshold.data,
            last_n=form.last_n.data,
            min_evaluations=form.min_evaluations.data,
            ai_weight=form.ai_weight.data or 0.0,
            due_days=form.due_days.data,
        )
        try:
            svc.save_policy(data, current_user)
        except ValueError as exc:
            form.min_evaluations.errors = [str(exc)]
        else:
            db.session.commit()
            flash("Coaching policy saved.", "success")
            return redirect(url_for("coaching.policy"))
    return render_template("coaching/policy.html", form=form, run_form=EmptyForm())


@bp.route("/policy/run", methods=["POST"])
@requires("can_manage_training")
def run_policy() -> Response:
    if EmptyForm().validate_on_submit():
        if not svc.current_policy().is_auto_assign:
            flash("Auto-assign is off; turn it on first.", "warning")
        else:
            created = svc.run_auto_assign()
            db.session.commit()
            flash(f"Auto-assign created {len(created)} assignment(s).", "success")
    return redirect(url_for("coaching.policy"))


# --- an assignment: read, quiz ------------------------------------------------------------------


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@requires("can_view_assignment")
def assignment(assignment_id: int) -> str | Response:
    item = svc.get_assignment(assignment_id) or abort(404)
    ensure("can_view_assignment", item)
    spec = library_module(item.module)
    form = quiz_form(spec)()
    result = None
    if request.method == "POST":
        ensure("can_take_assignment", item)
        if form.validate_on_submit():
            try:
                _, result = svc.submit_quiz(item, quiz_answers(form, spec), current_user)
            except (svc.NotAllowed, ValueError) as exc:
                flash(str(exc), "error")
                return redirect(url_for("coaching.assignment", assignment_id=item.id))
            db.session.commit()
            if result.passed:
                flash(
                    f"Passed: {result.correct} of {result.total} right. Module completed.",
                    "success",
                )
                return redirect(url_for("coaching.assignment", assignment_id=item.id))
            flash(
                f"{result.correct} of {result.total} right; you need "
                f"{spec.quiz.pass_mark:.0%} to pass. Reread the marked parts and try again.",
                "warning",
            )
    else:
        svc.start_assignment(item, current_user)
        db.session.commit()
    return render_template(
        "coaching/assignment.html",
        assignment=item,
        spec=spec,
        html=render_markdown(item.module.content_md),
        form=form,
        result=result,
        triggers=svc.interactions_by_id(item.trigger_interaction_ids or []),
    )


# --- 1:1 sessions -------------------------------------------------------------------------------


@bp.route("/sessions/new", methods=["GET", "POST"])
@requires("can_coach")
def new_session() -> str | Response:
    form = SessionForm(agent_id=request.args.get("agent", type=int))
    form.agent_id.choices = [SelectChoice(a.id, a.name) for a in svc.agents_in()]
    if form.validate_on_submit():
        session = svc.plan_session(
            svc.NewSession(
                agent_id=form.agent_id.data,
                scheduled_at=form.scheduled_at.data,
                notes=form.notes.data or "",
                action_items=_lines(form.action_items.data),
            ),
            current_user,
        )
        db.session.commit()
        flash("1:1 planned. Attach the call moments to talk about.", "success")
        return redirect(url_for("coaching.session", session_id=session.id))
    return render_template("coaching/session_form.html", form=form)


@bp.route("/sessions/<int:session_id>")
@requires("can_view_coaching_session")
def session(session_id: int) -> str:
    item = svc.get_session(session_id) or abort(404)
    ensure("can_view_coaching_session", item)
    moment_form = MomentForm()
    moment_form.interaction_id.choices = [
        SelectChoice(
            i.id, f"#{i.id} · {i.started_at:%Y-%m-%d %H:%M} · {i.queue or i.channel.value}"
        )
        for i in svc.moment_choices(item.agent_id)
    ]
    notes_form = SessionNotesForm(notes=item.notes, action_items="\n".join(item.action_items))
    return render_template(
        "coaching/session.html",
        session=item,
        moment_form=moment_form,
        notes_form=notes_form,
        ack_form=EmptyForm(),
        calls=svc.interactions_by_id([m.interaction_id for m in item.moments]),
    )


@bp.route("/sessions/<int:session_id>/moments", methods=["POST"])
@requires("can_coach")
def add_moment(session_id: int) -> Response:
    item = svc.get_session(session_id) or abort(404)
    form = MomentForm()
    form.interaction_id.choices = [
        SelectChoice(i.id, str(i.id)) for i in svc.moment_choices(item.agent_id)
    ]
    if form.validate_on_submit():
        svc.add_moment(
            item,
            svc.NewMoment(form.interaction_id.data, form.at_s.data or 0.0, form.note.data or ""),
        )
        db.session.commit()
        flash("Moment attached.", "success")
    else:
        flash("Pick one of the agent's calls and say what to look at.", "error")
    return redirect(url_for("coaching.session", session_id=item.id))


@bp.route("/sessions/<int:session_id>/notes", methods=["POST"])
@requires("can_coach")
def session_notes(session_id: int) -> Response:
    item = svc.get_session(session_id) or abort(404)
    form = SessionNotesForm()
    if form.validate_on_submit():
        svc.update_session_notes(item, form.notes.data or "", _lines(form.action_items.data))
        db.session.commit()
        flash("Notes saved.", "success")
    return redirect(url_for("coaching.session", session_id=item.id))


@bp.route("/sessions/<int:session_id>/acknowledge", methods=["POST"])
@requires("can_acknowledge_session")
def acknowledge_session(session_id: int) -> Response:
    item = svc.get_session(session_id) or abort(404)
    ensure("can_acknowledge_session", item)
    if EmptyForm().validate_on_submit():
        try:
            svc.acknowledge_session(item, current_user)
        except svc.NotAllowed as exc:
            flash(str(exc), "info")
        else:
            db.session.commit()
            flash("Thanks: your coach sees that you have read the notes.", "success")
    return redirect(url_for("coaching.session", session_id=item.id))


# --- effectiveness ------------------------------------------------------------------------------


@bp.route("/report")
@requires("can_coach")
def effectiveness() -> str:
    team_id = request.args.get("team", type=int)
    rows = report.effectiveness(team_id)
    return render_template(
        "coaching/report.html",
        rows=rows,
        forest=report.forest(rows),
        span=report.forest_span(rows),
        teams=svc.list_teams(),
        team_id=team_id,
        agents=svc.agents_in(team_id),
        window=svc.WINDOW_N,
        min_n=svc.REPORT_MIN_EVALUATIONS,
    )


@bp.route("/agents/<int:agent_id>")
@requires("can_view_agent")
def agent_loop(agent_id: int) -> str:
    agent = svc.get_agent(agent_id) or abort(404)
    ensure("can_view_agent", agent)
    return render_template(
        "coaching/agent_loop.html",
        agent=agent,
        timeline=report.agent_loop(agent),
        suggested=svc.recommendations(agent_id=agent.id),
        window=svc.WINDOW_N,
        threshold_y=report.y_of(svc.current_policy().threshold),
    )
