"""Finding interactions, always through what the user may see."""

from __future__ import annotations

from sqlalchemy import Select, false, select
from sqlalchemy.orm import joinedload, selectinload

from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction, Status, Transcript
from qa_app.extensions import db


def visible_interactions(user: User) -> Select[tuple[Interaction]]:
    """The base query of every interaction list: agents are limited to their own calls."""
    query = select(Interaction).options(joinedload(Interaction.agent))
    if user.role is Role.AGENT:
        if user.agent_id is None:
            return query.where(false())
        query = query.where(Interaction.agent_id == user.agent_id)
    return query


def list_interactions(user: User, status: str | None = None) -> Select[tuple[Interaction]]:
    query = visible_interactions(user)
    if status in {s.value for s in Status}:
        query = query.where(Interaction.status == Status(status))
    return query.order_by(Interaction.started_at.desc(), Interaction.id.desc())


def recent_interactions(user: User, limit: int = 100) -> list[Interaction]:
    return list(db.session.scalars(list_interactions(user).limit(limit)))


def get_interaction(interaction_id: int) -> Interaction | None:
    return db.session.scalar(
        select(Interaction)
        .where(Interaction.id == interaction_id)
        .options(
            joinedload(Interaction.agent),
            joinedload(Interaction.transcript).selectinload(Transcript.segments),
            selectinload(Interaction.suggestions),
        )
    )


def recent_interactions_of_agent(agent_id: int, limit: int = 10) -> list[Interaction]:
    return list(
        db.session.scalars(
            select(Interaction)
            .where(Interaction.agent_id == agent_id)
            .options(joinedload(Interaction.agent))
            .order_by(Interaction.started_at.desc())
            .limit(limit)
        )
    )
