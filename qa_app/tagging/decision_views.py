"""Reviewers' tag decisions: confirm/reject/undo/add on the review page, a tag's decisions
page with measured precision, negative examples, comment suggestions and the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from flask import Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from qa_app.calls.models import Interaction
from qa_app.calls.services import get_interaction
from qa_app.extensions import db
from qa_app.permissions import allowed, ensure, requires
from qa_app.tagging import bp
from qa_app.tagging.comments import comment_tags_of, published_tag_names
from qa_app.tagging.decision_forms import AddTagForm, DecisionForm, NegativeForm
from qa_app.tagging.decisions import (
    DecisionError,
    InteractionTags,
    add_negative_example,
    add_reviewer_tag,
    decide_tag,
    decided_matches,
    export_rows,
    get_assignment,
    get_interaction_of,
    interaction_tags,
    redact_text,
    suggest_tags,
    tag_summary,
    undo_decision,
)
from qa_app.tagging.filters import tag_choices, tags_by_interaction
from qa_app.tagging.models import AssignmentState
from qa_app.timeutil import utcnow

VERDICTS = {"confirm": AssignmentState.CONFIRMED, "reject": AssignmentState.REJECTED}


@bp.app_template_global()
def tags_of_interaction(interaction: Interaction) -> InteractionTags | None:
    """The review and interaction pages' tag panel (``tagging/_interaction_tags.html``)."""
    if not allowed("can_view_interaction", current_user, interaction):
        return None
    return interaction_tags(interaction)


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _back(form: Any, interaction_id: int) -> Response:
    target = form.next.data or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("calls.detail", interaction_id=interaction_id)
    return redirect(target)


def _answer(ok: bool, message: str, form: Any, interaction_id: int, **data: Any) -> Any:
    if _wants_json():
        return jsonify(ok=ok, message=message, **data), (200 if ok else 422)
    flash(message, "success" if ok else "error")
    return _back(form, interaction_id)


@bp.route("/assignments/<int:assignment_id>/decide", methods=["POST"])
@requires("can_decide_tags")
def decide(assignment_id: int) -> Any:
    assignment = get_assignment(assignment_id) or abort(404)
    interaction = get_interaction_of(assignment) or abort(404)
    ensure("can_view_interaction", interaction)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _answer(False, "Choose confirm, reject or undo.", form, interaction.id)
    key, choice = assignment.tag.key, form.decision.data
    try:
        if choice == "undo":
            kept = undo_decision(assignment, current_user)
        else:
            kept = decide_tag(assignment, VERDICTS[choice], current_user)
    except DecisionError as exc:
        db.session.rollback()
        return _answer(False, str(exc), form, interaction.id)
    db.session.commit()
    state = kept.state.value if kept else "removed"
    return _answer(True, f"Tag {key}: {state}.", form, interaction.id, state=state)


@bp.route("/interactions/<int:interaction_id>/tags", methods=["POST"])
@requires("can_decide_tags")
def add_tag(interaction_id: int) -> Any:
    interaction = interaction_tags_target(interaction_id)
    form = AddTagForm()
    if not form.validate_on_submit():
        return _answer(False, "Choose a tag to add.", form, interaction.id)
    try:
        added = add_reviewer_tag(interaction, form.tag.data.strip(), current_user)
    except DecisionError as exc:
        db.session.rollback()
        return _answer(False, str(exc), form, interaction.id)
    db.session.commit()
    return _answer(True, f"Tag {added.tag.key} added.", form, interaction.id, id=added.id)


def interaction_tags_target(interaction_id: int) -> Interaction:
    interaction = get_interaction(interaction_id) or abort(404)
    ensure("can_view_interaction", interaction)
    return interaction


@bp.route("/interactions/<int:interaction_id>/tags/panel")
@requires("can_view_interaction")
def panel(interaction_id: int) -> str:
    """The tag panel alone, re-fetched by tags.js after a decision (the page keeps its input)."""
    interaction = interaction_tags_target(interaction_id)
    back = request.args.get("back") or ""
    return render_template(
        "tagging/_tag_panel.html",
        interaction=interaction,
        tag_panel=interaction_tags(interaction),
        panel_back=back if back.startswith("/") and not back.startswith("//") else None,
    )


@bp.route("/tags/<key>/decisions")
@requires("can_view_tag_quality")
def tag_decisions(key: str) -> str:
    tag, precision = tag_summary(key)
    if tag is None:
        abort(404)
    return render_template(
        "tagging/decisions.html",
        tag=tag,
        precision=precision,
        matches=decided_matches(key),
        form=NegativeForm(),
    )


@bp.route("/assignments/<int:assignment_id>/negative", methods=["POST"])
@requires("can_manage_taxonomy")
def make_negative(assignment_id: int) -> Response:
    assignment = get_assignment(assignment_id) or abort(404)
    key = assignment.tag.key
    if not NegativeForm().validate_on_submit():
        abort(400)
    try:
        tag = add_negative_example(assignment, current_user)
    except DecisionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("tagging.tag_decisions", key=key))
    version = tag.taxonomy.version
    db.session.commit()
    flash(f"Added as a negative example of {key} in draft {version}.", "success")
    return redirect(url_for("tagging.tag_decisions", key=key))


@bp.route("/suggest.json")
@requires("can_review")
def suggest() -> Response:
    """Tags a reviewer's comment reads like; the review page asks while the comment changes."""
    text = (request.args.get("text") or "")[:2000]
    return jsonify(suggestions=suggest_tags(text))


@bp.route("/export.csv")
@requires("can_export_tags")
def export_csv() -> Response:
    key = (request.args.get("tag") or "").strip()[:80] or None

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in export_rows(current_user, key):
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    name = f"tags-{key or 'all'}-{utcnow():%Y%m%d}.csv"
    return Response(
        list(lines()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.app_template_global()
def comment_tag_data(evaluation: Any = None) -> dict[str, Any]:
    """What the review page's comment tag picker starts from: tag names and current picks."""
    return {"names": dict(published_tag_names()), "chosen": comment_tags_of(evaluation)}


@bp.app_template_global()
def comment_tag_names(evaluation: Any) -> dict[int, list[str]]:
    """Tag names on each criterion's comment of a shown evaluation (read once per request)."""
    cache = g.setdefault("comment_tag_names", {})
    if evaluation.id not in cache:
        names = dict(published_tag_names())
        cache[evaluation.id] = {
            cid: [names.get(k, k) for k in keys]
            for cid, keys in comment_tags_of(evaluation).items()
        }
    return cache[evaluation.id]


@bp.app_template_filter("redacted")
def redacted(text: str | None) -> str:
    """Raw text of a chat, e-mail or post with personal data replaced, for display."""
    return redact_text(text or "")


@bp.app_template_global()
def row_tags(interactions: list[Interaction]) -> dict[int, list[str]]:
    """Top tag names per listed interaction, for the Tags column of interaction tables."""
    return tags_by_interaction([i.id for i in interactions])


@bp.app_template_global()
def tag_filter_choices() -> list[tuple[str, str]]:
    """(key, name) for the tag filter menus of the calls, queue and agent pages."""
    return tag_choices()
