"""What each role sees first: small counts and the next things to do."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from qa_app.admin.services import recent_audit_events
from qa_app.agents.models import Agent, Team
from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction, Status
from qa_app.calls.services import recent_interactions
from qa_app.coaching.models import Assignment, AssignmentStatus
from qa_app.extensions import db
from qa_app.reviews.models import Dispute, DisputeStatus, Evaluation, EvaluationStatus


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


def dashboard_for(user: User) -> tuple[str, dict[str, Any]]:
    if user.role is Role.ADMIN:
        return "home/admin.html", admin_dashboard()
    if user.role is Role.REVIEWER:
        return "home/reviewer.html", reviewer_dashboard(user)
    if user.role is Role.TRAINER:
        return "home/trainer.html", trainer_dashboard()
    return "home/agent.html", agent_dashboard(user)
