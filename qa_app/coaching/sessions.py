"""1:1 coaching sessions about specific call moments."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from qa_app.admin.services import record_audit
from qa_app.agents.models import Agent
from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction
from qa_app.coaching.common import (
    SCORED,
    NotAllowed,
)
from qa_app.coaching.models import (
    CoachingMoment,
    CoachingSession,
)
from qa_app.extensions import db
from qa_app.reviews.models import (
    Evaluation,
)
from qa_app.reviews.notifications import notify
from qa_app.timeutil import utcnow


@dataclass(frozen=True)
class NewSession:
    agent_id: int
    scheduled_at: datetime
    notes: str
    action_items: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NewMoment:
    interaction_id: int
    at_s: float
    note: str


def sessions_for(user: User) -> list[CoachingSession]:
    query = select(CoachingSession).options(
        joinedload(CoachingSession.agent), selectinload(CoachingSession.moments)
    )
    if user.role is Role.AGENT:
        query = query.where(CoachingSession.agent_id == (user.agent_id or -1))
    return list(db.session.scalars(query.order_by(CoachingSession.scheduled_at.desc()).limit(100)))


def get_session(session_id: int) -> CoachingSession | None:
    return db.session.get(CoachingSession, session_id)


def plan_session(data: NewSession, coach: User) -> CoachingSession:
    session = CoachingSession(
        agent_id=data.agent_id,
        coach_id=coach.id,
        scheduled_at=data.scheduled_at,
        notes=data.notes.strip(),
        action_items=[item.strip() for item in data.action_items if item.strip()],
    )
    db.session.add(session)
    db.session.flush()
    agent = db.session.get(Agent, data.agent_id)
    if agent is not None and agent.user is not None:
        notify(
            agent.user,
            "coaching.session",
            f"{coach.name} planned a 1:1 with you on {data.scheduled_at:%Y-%m-%d %H:%M}.",
            f"/coaching/sessions/{session.id}",
        )
    record_audit(coach, "coaching_session.plan", session, after={"agent_id": data.agent_id})
    return session


def update_session_notes(session: CoachingSession, notes: str, action_items: list[str]) -> None:
    session.notes = notes.strip()
    session.action_items = [item.strip() for item in action_items if item.strip()]
    db.session.flush()


def moment_choices(agent_id: int) -> list[Interaction]:
    """The agent's recent scored interactions, to attach as moments."""
    return list(
        db.session.scalars(
            select(Interaction)
            .where(Interaction.agent_id == agent_id)
            .order_by(Interaction.started_at.desc())
            .limit(30)
        )
    )


def add_moment(session: CoachingSession, data: NewMoment) -> CoachingMoment:
    """Attach a moment of one of the session's agent's calls (never someone else's)."""
    interaction = db.session.get(Interaction, data.interaction_id)
    if interaction is None or interaction.agent_id != session.agent_id:
        raise NotAllowed("Pick a call of this agent.")
    evaluation = db.session.scalar(
        select(Evaluation)
        .where(Evaluation.interaction_id == interaction.id, Evaluation.status.in_(SCORED))
        .order_by(Evaluation.submitted_at.desc())
    )
    moment = CoachingMoment(
        interaction_id=interaction.id,
        evaluation_id=evaluation.id if evaluation else None,
        at_s=max(0.0, data.at_s),
        note=data.note.strip(),
    )
    session.moments.append(moment)
    db.session.flush()
    return moment


def acknowledge_session(session: CoachingSession, user: User) -> None:
    if session.acknowledged_at is not None:
        raise NotAllowed("Already acknowledged.")
    session.acknowledged_at = utcnow()
    record_audit(user, "coaching_session.acknowledge", session)
    db.session.flush()


def interactions_by_id(ids: Collection[int]) -> dict[int, Interaction]:
    if not ids:
        return {}
    return {
        i.id: i
        for i in db.session.scalars(select(Interaction).where(Interaction.id.in_(list(ids))))
    }


def get_agent(agent_id: int) -> Agent | None:
    return db.session.get(Agent, agent_id)
