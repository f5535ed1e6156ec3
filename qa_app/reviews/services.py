from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qa_app.auth.models import User
from qa_app.calls.models import Interaction
from qa_app.extensions import db
from qa_app.reviews.models import Evaluation, EvaluationStatus, Rubric


def evaluations_of(reviewer: User, status: EvaluationStatus | None = None) -> list[Evaluation]:
    query = (
        select(Evaluation)
        .where(Evaluation.reviewer_id == reviewer.id)
        .options(joinedload(Evaluation.interaction).joinedload(Interaction.agent))
        .order_by(Evaluation.updated_at.desc())
    )
    if status is not None:
        query = query.where(Evaluation.status == status)
    return list(db.session.scalars(query.limit(50)))


def active_rubric() -> Rubric | None:
    return db.session.scalar(
        select(Rubric).where(Rubric.is_active.is_(True)).order_by(Rubric.id.desc())
    )
