"""What each role sees first: small counts and the next things to do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from qa_app.admin.services import recent_audit_events
from qa_app.agents.models import Agent, Team
from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction, Status
from qa_app.calls.services import recent_interactions, visible_interactions
from qa_app.coaching.models import Assignment, AssignmentStatus
from qa_app.extensions import db
from qa_app.reviews.models import Dispute, DisputeStatus, Evaluation, EvaluationStatus
from qa_app.tagging.library import published_taxonomy
from qa_app.tagging.models import AssignmentState, Tag, TagAssignment, Taxonomy, TaxonomyStatus
from qa_app.timeutil import utcnow

ANALYST_DAYS = 30
TOP_TAGS = 5


def _count(query: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _unreviewed() -> Any:
    reviewed = select(Evaluation.interaction_id).where(Evaluation.status != EvaluationStatus.DRAFT)
    return select(Interaction).where(
        Interaction.status == Status.READY, Interaction.id.not_in(reviewed)
    )


def admin_dashboard() -> dict[str, Any]:
    by_status = dict(
        db.session.execute(
            select(Interaction.status, func.count()).group_by(Interaction.status)
        ).all()
    )
    return {
        "stats": [
            ("Users", _count(select(User))),
            ("Teams", _count(select(Team))),
            ("Agents", _count(select(Agent))),
            ("Interactions", _count(select(Interaction))),
        ],
        "by_status": [(s.value, by_status.get(s, 0)) for s in Status],
        "audit": recent_audit_events(),
    }


def reviewer_dashboard(user: User) -> dict[str, Any]:
    return {
        "stats": [
            ("Waiting for review", _count(_unreviewed())),
            (
                "My drafts",
                _count(
                    select(Evaluation).where(
                        Evaluation.reviewer_id == user.id,
                        Evaluation.status == EvaluationStatus.DRAFT,
                    )
                ),
            ),
            (
                "Submitted by me",
                _count(
                    select(Evaluation).where(
                        Evaluation.reviewer_id == user.id,
                        Evaluation.status != EvaluationStatus.DRAFT,
                    )
                ),
            ),
            ("Open disputes", _count(select(Dispute).where(Dispute.status == DisputeStatus.OPEN))),
        ],
        "next": list(
            db.session.scalars(_unreviewed().order_by(Interaction.started_at.desc()).limit(8))
        ),
    }


def trainer_dashboard() -> dict[str, Any]:
    open_states = (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS)
    return {
        "stats": [
            ("Agents", _count(select(Agent).where(Agent.is_active.is_(True)))),
            (
                "Open assignments",
                _count(select(Assignment).where(Assignment.status.in_(open_states))),
            ),
            (
                "Overdue",
                _count(select(Assignment).where(Assignment.status == AssignmentStatus.OVERDUE)),
            ),
            (
                "Completed",
                _count(select(Assignment).where(Assignment.status == AssignmentStatus.COMPLETED)),
            ),
        ],
        "teams": list(
            db.session.execute(
                select(Team.name, func.count(Agent.id))
                .outerjoin(Agent)
                .group_by(Team.id, Team.name)
                .order_by(Team.name)
            ).all()
        ),
    }


def agent_dashboard(user: User) -> dict[str, Any]:
    agent_id = user.agent_id or -1
    evaluations = (
        select(Evaluation)
        .join(Interaction)
        .where(Interaction.agent_id == agent_id, Evaluation.status != EvaluationStatus.DRAFT)
    )
    return {
        "stats": [
            (
                "My interactions",
                _count(select(Interaction).where(Interaction.agent_id == agent_id)),
            ),
            ("Evaluations", _count(evaluations)),
            (
                "To acknowledge",
                _count(evaluations.where(Evaluation.status == EvaluationStatus.SUBMITTED)),
            ),
            (
                "Open assignments",
                _count(
                    select(Assignment).where(
                        Assignment.agent_id == agent_id,
                        Assignment.status != AssignmentStatus.COMPLETED,
                    )
                ),
            ),
        ],
        "recent": recent_interactions(user, limit=8),
    }


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def _top_tags(taxonomy: Taxonomy, ids: Any, total: int) -> list[dict[str, Any]]:
    """Per kind, its most frequent top-level tags over ``ids`` (rejected ones left out)."""
    rows = db.session.execute(
        select(Tag.kind, Tag.key, Tag.name, func.count(func.distinct(TagAssignment.interaction_id)))
        .join(TagAssignment, TagAssignment.tag_id == Tag.id)
        .where(
            Tag.taxonomy_id == taxonomy.id,
            Tag.parent_id.is_(None),
            TagAssignment.interaction_id.in_(ids),
            TagAssignment.state != AssignmentState.REJECTED,
        )
        .group_by(Tag.kind, Tag.key, Tag.name)
        .order_by(func.count(func.distinct(TagAssignment.interaction_id)).desc(), Tag.key)
    ).all()
    kinds: list[dict[str, Any]] = [{"kind": k, "tags": []} for k in taxonomy.kinds]
    by_kind = {k["kind"]: k["tags"] for k in kinds}
    for kind, key, name, count in rows:
        tags = by_kind.setdefault(kind, [])
        if len(tags) < TOP_TAGS:
            share = count / total if total else 0.0
            tags.append({"key": key, "name": name, "count": count, "share": share})
    return kinds


def analyst_dashboard(user: User) -> dict[str, Any]:
    """The client's analyst: is the taxonomy covering what comes in, and what comes in.

    Counts only: an analyst never sees evaluations, scores or coaching here.
    """
    since = utcnow() - timedelta(days=ANALYST_DAYS)
    recent = (
        visible_interactions(user)
        .where(Interaction.started_at >= since)
        .with_only_columns(Interaction.id)
    )
    total = _count(recent)
    analysed = recent.where(Interaction.mood_label.is_not(None))
    taxonomy = published_taxonomy()
    tagged = untagged = pending = 0
    if taxonomy is not None:
        current = recent.where(Interaction.tagged_taxonomy_id == taxonomy.id)
        tagged = _count(current)
        untagged = _count(current.where(Interaction.top_tag_confidence <= 0))
        pending = _count(
            analysed.where(Interaction.tagged_taxonomy_id.is_distinct_from(taxonomy.id))
        )
    negative = _count(analysed.where(Interaction.mood_label == "negative"))
    draft = db.session.scalar(
        select(Taxonomy).where(Taxonomy.status == TaxonomyStatus.DRAFT).limit(1)
    )
    return {
        "days": ANALYST_DAYS,
        "stats": [
            (f"Interactions, last {ANALYST_DAYS} days", total),
            ("Tagged", _percent(tagged - untagged, tagged)),
            ("Matched no tag", untagged),
            ("Negative mood", _percent(negative, _count(analysed))),
        ],
        "taxonomy": taxonomy,
        "tag_count": 0 if taxonomy is None else sum(not t.is_retired for t in taxonomy.tags),
        "draft": draft,
        "kinds": [] if taxonomy is None else _top_tags(taxonomy, recent, tagged),
        "untagged": untagged,
        "pending": pending,
    }


def dashboard_for(user: User) -> tuple[str, dict[str, Any]]:
    if user.role is Role.ADMIN:
        return "home/admin.html", admin_dashboard()
    if user.role is Role.REVIEWER:
        return "home/reviewer.html", reviewer_dashboard(user)
    if user.role is Role.TRAINER:
        return "home/trainer.html", trainer_dashboard()
    if user.role is Role.ANALYST:
        return "home/analyst.html", analyst_dashboard(user)
    return "home/agent.html", agent_dashboard(user)
