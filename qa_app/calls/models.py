from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.columns import enum_column
from qa_app.extensions import db
from qa_app.timeutil import utcnow

if TYPE_CHECKING:
    from qa_app.agents.models import Agent
    from qa_app.reviews.models import Evaluation, ScoreSuggestion


class Channel(enum.StrEnum):
    VOICE = "voice"
    CHAT = "chat"
    EMAIL = "email"
    SOCIAL = "social"


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Status(enum.StrEnum):
    RECEIVED = "received"
    TRANSCRIBING = "transcribing"
    TRANSCRIBED = "transcribed"
    SCORING = "scoring"
    READY = "ready"
    FAILED = "failed"


class Speaker(enum.StrEnum):
    AGENT = "agent"
    CUSTOMER = "customer"
    UNKNOWN = "unknown"


class Recording(db.Model):
    """An uploaded audio file, stored once under its content hash and never modified."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    format: Mapped[str] = mapped_column(String(32))
    channels: Mapped[int | None]
    sample_rate: Mapped[int | None]
    duration_s: Mapped[float | None] = mapped_column(Float)
    bytes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    interactions: Mapped[list[Interaction]] = relationship(back_populates="recording")


class Interaction(db.Model):
    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.VOICE)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    customer_ref: Mapped[str | None] = mapped_column(String(120), index=True)
    queue: Mapped[str | None] = mapped_column(String(120))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction), default=Direction.INBOUND)
    external_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    duration_s: Mapped[float | None] = mapped_column(Float)
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.RECEIVED, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    # the job currently allowed to work on this interaction; a stale or duplicate message
    # carrying another id does nothing (qa_app/tasks.py)
    job_id: Mapped[str | None] = mapped_column(String(36))
    recording_id: Mapped[int | None] = mapped_column(ForeignKey("recordings.id"), index=True)
    body: Mapped[str | None] = mapped_column(Text)  # raw text of chats, e-mails, posts
    # where an imported text came from (e.g. "twitter", "webchat") and its author, hashed
    source: Mapped[str | None] = mapped_column(String(60))
    author_hash: Mapped[str | None] = mapped_column(String(64))
    # customer mood (scoring.interaction_mood): score in -1..1 and labels; detail holds the
    # lowest point, the turns where it changed, agent tone and per-turn moods
    mood_score: Mapped[float | None] = mapped_column(Float)
    mood_label: Mapped[str | None] = mapped_column(String(16), index=True)
    mood_start: Mapped[str | None] = mapped_column(String(16))
    mood_end: Mapped[str | None] = mapped_column(String(16))
    mood_trajectory: Mapped[str | None] = mapped_column(String(16))
    mood_detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # the published taxonomy version it was last tagged with, and its best tag confidence
    # (untagged or low-confidence interactions feed emerging-topic clustering)
    tagged_taxonomy_id: Mapped[int | None] = mapped_column(ForeignKey("taxonomies.id"))
    top_tag_confidence: Mapped[float | None] = mapped_column(Float)
    ai_total: Mapped[float | None] = mapped_column(Float, index=True)
    ai_auto_fail: Mapped[bool] = mapped_column(default=False)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scored_rubric_id: Mapped[int | None] = mapped_column(ForeignKey("rubrics.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    agent: Mapped[Agent | None] = relationship(back_populates="interactions")
    recording: Mapped[Recording | None] = relationship(back_populates="interactions")
    transcript: Mapped[Transcript | None] = relationship(
        back_populates="interaction", cascade="all, delete-orphan"
    )
    suggestions: Mapped[list[ScoreSuggestion]] = relationship(
        back_populates="interaction", cascade="all, delete-orphan"
    )
    evaluations: Mapped[list[Evaluation]] = relationship(back_populates="interaction")


class Transcript(db.Model):
    __tablename__ = "transcripts"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id"), unique=True)
    engine: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(120))
    language: Mapped[str | None] = mapped_column(String(16))
    speaker_mode: Mapped[str] = mapped_column(String(16))
    agent_channel_confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    interaction: Mapped[Interaction] = relationship(back_populates="transcript")
    segments: Mapped[list[Segment]] = relationship(
        back_populates="transcript", cascade="all, delete-orphan", order_by="Segment.position"
    )


class Segment(db.Model):
    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("transcript_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id"), index=True)
    position: Mapped[int]
    speaker: Mapped[Speaker] = mapped_column(enum_column(Speaker))
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    redacted_text: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    words: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    transcript: Mapped[Transcript] = relationship(back_populates="segments")
