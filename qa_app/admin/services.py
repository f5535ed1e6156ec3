"""Setting up the organisation: users, teams, agents, and the audit trail of those changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g, has_app_context
from sqlalchemy import func, select

from qa_app.admin.models import AuditEvent
from qa_app.agents.models import Agent, Team
from qa_app.auth.models import User
from qa_app.extensions import db


class DuplicateName(ValueError):
    pass


@dataclass(frozen=True)
class NewTeam:
    name: str
    description: str = ""


@dataclass(frozen=True)
class NewAgent:
    name: str
    team_id: int | None
    employee_ref: str | None = None


def record_audit(
    actor: User | None,
    action: str,
    entity: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; the request id ties it to the request's log line."""
    request_id = g.get("request_id") if has_app_context() else None
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        entity_type=type(entity).__name__,
        entity_id=getattr(entity, "id", None),
        before=before,
        after=after,
        request_id=request_id,
    )
    db.session.add(event)
    return event


def create_team(data: NewTeam, actor: User | None = None) -> Team:
    name = data.name.strip()
    if db.session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower())):
        raise DuplicateName(f"A team called {name!r} already exists.")
    team = Team(name=name, description=data.description.strip())
    db.session.add(team)
    db.session.flush()
    record_audit(actor, "team.create", team, after={"name": team.name})
    return team


def create_agent(data: NewAgent, actor: User | None = None) -> Agent:
    ref = (data.employee_ref or "").strip() or None
    if ref and db.session.scalar(select(Agent.id).where(Agent.employee_ref == ref)):
        raise DuplicateName(f"Employee reference {ref!r} is already used by another agent.")
    agent = Agent(name=data.name.strip(), team_id=data.team_id, employee_ref=ref)
    db.session.add(agent)
    db.session.flush()
    record_audit(actor, "agent.create", agent, after={"name": agent.name, "team_id": agent.team_id})
    return agent


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.name)))


def list_teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def unlinked_agents() -> list[Agent]:
    """Agents without a sign-in yet: the choices when creating an agent user."""
    linked = select(User.agent_id).where(User.agent_id.is_not(None))
    return list(
        db.session.scalars(select(Agent).where(Agent.id.not_in(linked)).order_by(Agent.name))
    )


def recent_audit_events(limit: int = 8) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
