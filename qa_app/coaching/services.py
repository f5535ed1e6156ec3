from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qa_app.auth.models import Role, User
from qa_app.coaching.models import Assignment, CoachingModule
from qa_app.extensions import db


def assignments_for(user: User) -> list[Assignment]:
    """Agents see their own assignments; coaches see everyone's."""
    query = select(Assignment).options(joinedload(Assignment.module), joinedload(Assignment.agent))
    if user.role is Role.AGENT:
        query = query.where(Assignment.agent_id == (user.agent_id or -1))
    return list(db.session.scalars(query.order_by(Assignment.created_at.desc()).limit(100)))


def active_modules() -> list[CoachingModule]:
    return list(
        db.session.scalars(
            select(CoachingModule)
            .where(CoachingModule.is_active.is_(True))
            .order_by(CoachingModule.title)
        )
    )
