from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from qa_app.admin import bp
from qa_app.admin.forms import AgentForm, ConfirmForm, RubricUploadForm, TeamForm, UserForm
from qa_app.admin.rubrics import (
    RubricRejected,
    RubricUpload,
    activate_rubric,
    get_rubric,
    list_rubrics,
    rubric_document,
    upload_rubric,
)
from qa_app.admin.services import (
    DuplicateName,
    NewAgent,
    NewTeam,
    create_agent,
    create_team,
    list_teams,
    list_users,
    record_audit,
    unlinked_agents,
)
from qa_app.auth.models import Role
from qa_app.auth.services import DuplicateEmail, NewUser, create_user
from qa_app.extensions import db
from qa_app.permissions import requires


@bp.route("/users")
@requires("can_manage_users")
def users() -> str:
    return render_template("admin/users.html", users=list_users())


@bp.route("/users/new", methods=["GET", "POST"])
@requires("can_manage_users")
def new_user() -> str | Response:
    form = UserForm()
    form.agent_id.choices = [SelectChoice("0", "None")] + [
        SelectChoice(str(a.id), a.name) for a in unlinked_agents()
    ]
    if form.validate_on_submit():
        data = NewUser(
            email=form.email.data or "",
            name=form.name.data or "",
            password=form.password.data or "",
            role=Role(form.role.data),
            agent_id=form.agent_id.data or None,
        )
        try:
            user = create_user(data)
        except DuplicateEmail as exc:
            form.email.errors = [str(exc)]
        else:
            record_audit(
                current_user,
                "user.create",
                user,
                after={"email": user.email, "role": user.role.value},
            )
            db.session.commit()
            flash(f"User {user.email} created.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form), 400 if form.errors else 200


@bp.route("/teams/new", methods=["GET", "POST"])
@requires("can_admin")
def new_team() -> str | Response:
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = create_team(
                NewTeam(form.name.data or "", form.description.data or ""), current_user
            )
        except DuplicateName as exc:
            form.name.errors = [str(exc)]
        else:
            db.session.commit()
            flash(f"Team {team.name} created.", "success")
            return redirect(url_for("agents.index"))
    return render_template("admin/team_form.html", form=form), 400 if form.errors else 200


@bp.route("/agents/new", methods=["GET", "POST"])
@requires("can_admin")
def new_agent() -> str | Response:
    form = AgentForm()
    form.team_id.choices = [SelectChoice("0", "No team")] + [
        SelectChoice(str(t.id), t.name) for t in list_teams()
    ]
    if form.validate_on_submit():
        data = NewAgent(form.name.data or "", form.team_id.data or None, form.employee_ref.data)
        try:
            agent = create_agent(data, current_user)
        except DuplicateName as exc:
            form.employee_ref.errors = [str(exc)]
        else:
            db.session.commit()
            flash(
                f"Agent {agent.name} created. Create a user for them to let them sign in.",
                "success",
            )
            return redirect(url_for("agents.index"))
    return render_template("admin/agent_form.html", form=form), 400 if form.errors else 200


MAX_RUBRIC_BYTES = 256 * 1024


@bp.route("/rubrics", methods=["GET", "POST"])
@requires("can_admin")
def rubrics() -> str | Response:
    form = RubricUploadForm()
    if form.validate_on_submit():
        raw = form.file.data.read(MAX_RUBRIC_BYTES + 1)
        try:
            if len(raw) > MAX_RUBRIC_BYTES:
                raise RubricRejected("The file is larger than 256 KB; a rubric is a short text.")
            text = raw.decode("utf-8")
            upload = RubricUpload(
                form.file.data.filename or "rubric.yaml", text, bool(form.activate.data)
            )
            rubric = upload_rubric(upload, current_user)
        except UnicodeDecodeError:
            form.file.errors = ["The file is not UTF-8 text."]
        except RubricRejected as exc:
            form.file.errors = [str(exc)]
        else:
            db.session.commit()
            state = " and made active" if rubric.is_active else ""
            flash(f"Rubric {rubric.name} v{rubric.version} saved{state}.", "success")
            return redirect(url_for("admin.rubrics"))
    status = 400 if form.errors else 200
    return render_template(
        "admin/rubrics.html", form=form, rubrics=list_rubrics(), confirm=ConfirmForm()
    ), status


@bp.route("/rubrics/<int:rubric_id>/activate", methods=["POST"])
@requires("can_admin")
def activate(rubric_id: int) -> Response:
    rubric = get_rubric(rubric_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        activate_rubric(rubric, current_user)
        db.session.commit()
        flash(
            f"{rubric.name} v{rubric.version} is now the active rubric. New interactions are "
            "scored with it; existing evaluations keep their version.",
            "success",
        )
    return redirect(url_for("admin.rubrics"))


@bp.route("/rubrics/<int:rubric_id>/download")
@requires("can_admin")
def download_rubric(rubric_id: int) -> Response:
    rubric = get_rubric(rubric_id) or abort(404)
    filename = f"{rubric.name}-{rubric.version}.yaml"
    return Response(
        rubric_document(rubric),
        mimetype="application/x-yaml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
