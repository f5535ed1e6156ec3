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
from qa_app.tagging.models import (
    AssignmentState,
    SegmentEmbeddings,
    Tag,
    TagAssignment,
    Taxonomy,
    TaxonomyStatus,
)
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


def make_taxonomy(
    tags: tuple[tuple[str, str], ...] = (("billing", "complaint"), ("refund", "enquiry")),
    *,
    status: str = "published",
    version: str | None = None,
) -> Taxonomy:
    """A stored taxonomy version with one example-bearing tag per (key, kind)."""
    taxonomy = Taxonomy(
        name="Test taxonomy",
        version=version or str(next(_seq)),
        status=TaxonomyStatus(status),
        kinds=sorted({kind for _, kind in tags}),
        published_at=utcnow() if status == "published" else None,
    )
    for key, kind in tags:
        taxonomy.tags.append(
            Tag(
                key=key,
                name=key.replace("_", " ").capitalize(),
                kind=kind,
                examples=[f"something about {key}"],
                negative_examples=[],
            )
        )
    db.session.add(taxonomy)
    db.session.flush()
    return taxonomy


def make_tag_assignment(
    interaction: Interaction,
    tag: Tag,
    *,
    confidence: float = 0.8,
    segment: int | None = 1,
    state: str = "suggested",
) -> TagAssignment:
    """A tagger's match on an interaction, its evidence pointing at one segment position."""
    quote = ""
    if segment is not None and interaction.transcript:
        quote = interaction.transcript.segments[segment].redacted_text
    assignment = TagAssignment(
        tag=tag,
        taxonomy_id=tag.taxonomy_id,
        interaction_id=interaction.id,
        confidence=confidence,
        evidence=[{"segment": segment, "quote": quote, "why": "phrase 'test'"}],
        state=AssignmentState(state),
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def make_segment_embeddings(
    interaction: Interaction, positions: list[int] | None = None
) -> SegmentEmbeddings:
    """Real encoder vectors of the interaction's segments (all, or those at ``positions``),
    stored packed as ingest stores them."""
    from qa_app.tagging.library import pack_vectors
    from scoring import encoder

    assert interaction.transcript is not None
    segments = [
        s
        for s in interaction.transcript.segments
        if positions is None or s.position in positions
    ]
    row = SegmentEmbeddings(
        interaction_id=interaction.id,
        model=encoder.model_name(),
        dims=encoder.DIMENSIONS,
        positions=[s.position for s in segments],
        vectors=pack_vectors(encoder.encode([s.text for s in segments])),
    )
    db.session.add(row)
    db.session.flush()
    return row
