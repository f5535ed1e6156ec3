"""In-app notifications: new evaluations, dispute outcomes, invitations, reminders."""

from __future__ import annotations

from sqlalchemy import func, select, update

from qa_app.auth.models import User
from qa_app.calls.models import Interaction
from qa_app.extensions import db
from qa_app.reviews.models import (
    Evaluation,
    Notification,
)
from qa_app.timeutil import utcnow


def notify(user: User | None, kind: str, message: str, link: str = "") -> None:
    if user is None:
        return
    db.session.add(Notification(user_id=user.id, kind=kind, message=message[:300], link=link))


def notify_agent(interaction: Interaction, kind: str, message: str, evaluation: Evaluation) -> None:
    if interaction.agent is None or interaction.agent.user is None:
        return
    notify(interaction.agent.user, kind, message, f"/reviews/evaluations/{evaluation.id}")


def notifications_for(user: User, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_all_read(user: User) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
