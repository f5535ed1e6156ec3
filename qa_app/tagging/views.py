"""Taxonomy editor, back-test and publishing pages (admin and analyst).

The published version is read-only; every change goes to the one open draft (created on the
first change), which is back-tested against the published version and then published.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from qa_app.extensions import db
from qa_app.permissions import requires
from qa_app.tagging import bp
from qa_app.tagging.forms import (
    ActionForm,
    ImportForm,
    MergeForm,
    MoveForm,
    TagForm,
    fill_tag_form,
    key_from_name,
    tag_data,
)
from qa_app.tagging.library import published_taxonomy
from qa_app.tagging.models import Taxonomy
from qa_app.tagging.runs import (
    get_run,
    latest_backtest,
    queue_backtest,
    recent_runs,
    runs_by_id,
    send_run,
)
from qa_app.tagging.services import (
    EditError,
    discard_draft,
    export_yaml,
    find_tag,
    get_taxonomy,
    import_yaml,
    list_versions,
    merge_tag,
    move_tag,
    open_draft,
    publish_draft,
    retire_tag,
    save_tag,
    start_draft,
    tag_precision,
    tag_tree,
    tag_volumes,
)

POLICY = "can_manage_taxonomy"


def _tree_page(taxonomy: Taxonomy | None, **extra: object) -> str:
    published = published_taxonomy()
    return render_template(
        "tagging/index.html",
        taxonomy=taxonomy,
        published=published,
        draft=open_draft(),
        tree=tag_tree(taxonomy) if taxonomy else [],
        volumes=tag_volumes(published),
        precision=tag_precision(published),
        versions=list_versions(),
        runs=recent_runs(),
        backtest=latest_backtest(taxonomy) if taxonomy else None,
        action=ActionForm(),
        import_form=extra.pop("import_form", None) or ImportForm(),
        **extra,
    )


@bp.route("/")
@requires(POLICY)
def index() -> str:
    return _tree_page(published_taxonomy() or open_draft())


@bp.route("/versions/<int:taxonomy_id>")
@requires(POLICY)
def version(taxonomy_id: int) -> str:
    return _tree_page(get_taxonomy(taxonomy_id) or abort(404))


@bp.route("/versions/<int:taxonomy_id>/export.yaml")
@requires(POLICY)
def export(taxonomy_id: int) -> Response:
    taxonomy = get_taxonomy(taxonomy_id) or abort(404)
    filename = "taxonomy-" + re.sub(r"[^A-Za-z0-9._-]", "_", taxonomy.version) + ".yaml"
    return Response(
        export_yaml(taxonomy),
        mimetype="application/x-yaml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/import", methods=["POST"])
@requires(POLICY)
def import_file() -> str | Response:
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            draft = import_yaml(upload.filename or "upload.yaml", upload.read(), current_user)
        except EditError as exc:
            form.file.errors = [str(exc)]
        else:
            db.session.commit()
            flash(f"Imported {upload.filename} as draft {draft.version}.", "success")
            return redirect(url_for("tagging.version", taxonomy_id=draft.id))
    return _tree_page(published_taxonomy() or open_draft(), import_form=form), 422


@bp.route("/draft", methods=["POST"])
@requires(POLICY)
def edit() -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        draft = start_draft(current_user)
    except EditError as exc:
        flash(str(exc), "error")
        return redirect(url_for("tagging.index"))
    db.session.commit()
    return redirect(url_for("tagging.version", taxonomy_id=draft.id))


def _tag_choices(taxonomy: Taxonomy | None, form: TagForm | MoveForm, exclude: str = "") -> None:
    tags = [t for t in (taxonomy.tags if taxonomy else []) if not t.is_retired]
    choices = [SelectChoice("", "— top level —")] + [
        SelectChoice(t.key, f"{t.name} ({t.kind})") for t in tags if t.key != exclude
    ]
    if isinstance(form, MoveForm):
        form.new_parent.choices = choices
    else:
        form.parent.choices = choices
        form.kind.choices = [SelectChoice(k, k) for k in (taxonomy.kinds if taxonomy else [])]


def _render_tag_form(
    form: TagForm, taxonomy: Taxonomy | None, tag_key: str | None, status: int
) -> tuple[str, int]:
    tag = find_tag(taxonomy, tag_key) if taxonomy and tag_key else None
    move, merge = MoveForm(), MergeForm()
    if tag is not None:
        _tag_choices(taxonomy, move, exclude=tag.key)
        move.new_parent.data = tag.parent.key if tag.parent else ""
        merge.target.choices = [
            SelectChoice(t.key, t.name) for t in taxonomy.tags if not t.is_retired and t is not tag
        ]
    return render_template(
        "tagging/tag_form.html",
        form=form,
        taxonomy=taxonomy,
        draft=open_draft(),
        tag=tag,
        move=move,
        merge=merge,
        action=ActionForm(),
        precision=tag_precision(published_taxonomy()),
    ), status


@bp.route("/draft/tags/new", methods=["GET", "POST"])
@requires(POLICY)
def new_tag() -> tuple[str, int] | Response:
    """Prefill: ``?name=...&examples=...`` (examples repeated or newline-separated)."""
    taxonomy = open_draft() or published_taxonomy()
    form = TagForm()
    _tag_choices(taxonomy, form)
    if request.method == "GET":
        name = request.args.get("name", "").strip()
        form.name.data = name
        form.key.data = key_from_name(name)
        form.examples.data = "\n".join(
            line.strip()
            for value in request.args.getlist("examples")
            for line in value.splitlines()
            if line.strip()
        )
        form.kind.data = request.args.get("kind") or form.kind.data
    elif taxonomy is None:
        form.form_errors.append("There is no taxonomy yet: import one first.")
    elif form.validate_on_submit():
        return _save(form, new=True)
    return _render_tag_form(form, taxonomy, None, 200 if request.method == "GET" else 422)


@bp.route("/draft/tags/<key>", methods=["GET", "POST"])
@requires(POLICY)
def edit_tag(key: str) -> tuple[str, int] | Response:
    """Edit a tag of the open draft; from the published version, saving opens the draft."""
    taxonomy = open_draft() or published_taxonomy()
    tag = find_tag(taxonomy, key) if taxonomy else None
    if tag is None or tag.is_retired:
        abort(404)
    form = TagForm()
    _tag_choices(taxonomy, form, exclude=key)
    if request.method == "GET":
        fill_tag_form(form, tag)
    else:
        form.key.data = key  # the key is fixed: other versions' history refers to it
        if form.validate_on_submit():
            return _save(form, new=False)
    return _render_tag_form(form, taxonomy, key, 200 if request.method == "GET" else 422)


def _save(form: TagForm, *, new: bool) -> tuple[str, int] | Response:
    try:
        draft = start_draft(current_user)
        tag = save_tag(draft, tag_data(form), current_user, new=new)
    except EditError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        taxonomy = open_draft() or published_taxonomy()
        _tag_choices(taxonomy, form, exclude="" if new else form.key.data)
        return _render_tag_form(form, taxonomy, None if new else form.key.data, 422)
    db.session.commit()
    flash(f"Saved tag {tag.name} in draft {draft.version}.", "success")
    return redirect(url_for("tagging.version", taxonomy_id=draft.id, _anchor=f"tag-{tag.key}"))


def _draft_or_404() -> Taxonomy:
    return open_draft() or abort(404)


@bp.route("/draft/tags/<key>/move", methods=["POST"])
@requires(POLICY)
def move(key: str) -> Response:
    draft = _draft_or_404()
    form = MoveForm()
    _tag_choices(draft, form, exclude=key)
    return _tag_action(
        form,
        lambda: move_tag(draft, key, form.new_parent.data or None, current_user),
        draft,
        key,
        "Moved",
    )


@bp.route("/draft/tags/<key>/merge", methods=["POST"])
@requires(POLICY)
def merge(key: str) -> Response:
    draft = _draft_or_404()
    form = MergeForm()
    form.target.choices = [SelectChoice(t.key, t.key) for t in draft.tags if not t.is_retired]
    return _tag_action(
        form, lambda: merge_tag(draft, key, form.target.data, current_user), draft, key, "Merged"
    )


@bp.route("/draft/tags/<key>/retire", methods=["POST"])
@requires(POLICY)
def retire(key: str) -> Response:
    draft = _draft_or_404()
    return _tag_action(
        ActionForm(), lambda: retire_tag(draft, key, current_user), draft, key, "Retired"
    )


def _tag_action(
    form: FlaskForm, change: Callable[[], object], draft: Taxonomy, key: str, verb: str
) -> Response:
    if not form.validate_on_submit():
        flash("The form expired or was incomplete. Please try again.", "error")
        return redirect(url_for("tagging.edit_tag", key=key))
    try:
        change()
    except EditError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("tagging.edit_tag", key=key))
    db.session.commit()
    flash(f"{verb} tag {key} in draft {draft.version}.", "success")
    return redirect(url_for("tagging.version", taxonomy_id=draft.id))


@bp.route("/draft/backtest", methods=["POST"])
@requires(POLICY)
def backtest() -> Response:
    draft = _draft_or_404()
    if not ActionForm().validate_on_submit():
        abort(400)
    run = queue_backtest(draft, current_user)
    db.session.commit()
    if not send_run(run.id):
        flash("The job queue is unreachable: the back-test waits until a worker runs.", "error")
    return redirect(url_for("tagging.run", run_id=run.id))


@bp.route("/draft/publish", methods=["POST"])
@requires(POLICY)
def publish() -> Response:
    draft = _draft_or_404()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        run = publish_draft(draft, current_user)
    except EditError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("tagging.version", taxonomy_id=draft.id))
    db.session.commit()
    flash(f"Published version {draft.version}; history is being re-tagged.", "success")
    send_run(run.id)
    return redirect(url_for("tagging.index"))


@bp.route("/draft/discard", methods=["POST"])
@requires(POLICY)
def discard() -> Response:
    draft = _draft_or_404()
    if not ActionForm().validate_on_submit():
        abort(400)
    version = draft.version
    discard_draft(draft, current_user)
    db.session.commit()
    flash(f"Discarded draft {version}.", "success")
    return redirect(url_for("tagging.index"))


@bp.route("/runs/<int:run_id>")
@requires(POLICY)
def run(run_id: int) -> str:
    tagging_run = get_run(run_id) or abort(404)
    return render_template(
        "tagging/run.html", run=tagging_run, draft=open_draft(), action=ActionForm()
    )


@bp.route("/runs.json")
@requires(POLICY)
def runs_json() -> Response:
    """Polled while runs are queued or running."""
    ids = [int(i) for i in request.args.get("ids", "").split(",") if i.strip().isdigit()]
    return jsonify(
        {
            str(r.id): {
                "status": r.status.value,
                "step": r.step,
                "completed": r.completed,
                "total": r.total,
                "error": r.error,
            }
            for r in runs_by_id(ids[:50])
        }
    )
