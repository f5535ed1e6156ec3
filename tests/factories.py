"""Small factories for database-backed tests; each returns a flushed model instance."""

from __future__ import annotations

import itertools
from datetime import datetime
from functools import cache

from qa_app.agents.models import Agent, Team
from qa_app.auth.models import Role, User
from qa_app.auth.passwords import hash_password
from qa_app.calls.models import Channel, Interaction, Segment, Speaker, Status, Transcript
from qa_app.extensions import db
from qa_app.timeutil import utcnow

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # hashed once: argon2 is deliberately slow


def make_team(name: str | None = None) -> Team:
    team = Team(name=name or f"Team {next(_seq)}")
    db.session.add(team)
    db.session.flush()
    return team


def make_agent(team: Team | None = None, name: str | None = None) -> Agent:
    agent = Agent(name=name or f"Agent {next(_seq)}", team=team)
    db.session.add(agent)
    db.session.flush()
    return agent


def make_user(
    role: Role = Role.REVIEWER,
    agent: Agent | None = None,
    email: str | None = None,
    is_demo: bool = False,
) -> User:
    if role is Role.AGENT and agent is None:
        agent = make_agent()
    user = User(
        email=email or f"{role.value}{next(_seq)}@example.org",
        name=f"{role.value.capitalize()} {next(_seq)}",
        password_hash=_password_hash(),
        role=role,
        agent_id=agent.id if agent else None,
        is_demo=is_demo,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_interaction(
    agent: Agent | None = None,
    *,
    started_at: datetime | None = None,
    status: Status = Status.READY,
    turns: tuple[tuple[str, str], ...] = (
        ("agent", "Hello, how can I help?"),
        ("customer", "My bill is wrong."),
    ),
) -> Interaction:
    interaction = Interaction(
        channel=Channel.VOICE, agent=agent, status=status, started_at=started_at or utcnow()
    )
    transcript = Transcript(engine="test", model="none", language="en", speaker_mode="channels")
    for position, (speaker, text) in enumerate(turns):
        transcript.segments.append(
            Segment(
                position=position,
                speaker=Speaker(speaker),
                start_s=position * 3.0,
                end_s=position * 3.0 + 2.5,
                text=text,
                redacted_text=text,
                words=[],
            )
        )
    interaction.transcript = transcript
    db.session.add(interaction)
    db.session.flush()
    return interaction
