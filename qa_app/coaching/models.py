from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Column, Float, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.columns import enum_column
from qa_app.extensions import db
from qa_app.timeutil import utcnow

if TYPE_CHECKING:
    from qa_app.agents.models import Agent
    from qa_app.reviews.models import Evaluation


class AssignmentStatus(enum.StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    OVERDUE = "overdue"


class CoachingModule(db.Model):
    __tablename__ = "coaching_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[list[str]] = mapped_column(JSON, default=list)
    minutes: Mapped[int] = mapped_column(default=10)
    content_md: Mapped[str] = mapped_column(Text, default="")
    quiz: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


assignment_evaluations = Table(
    "assignment_evaluations",
    db.Model.metadata,
    Column("assignment_id", ForeignKey("assignments.id"), primary_key=True),
    Column("evaluation_id", ForeignKey("evaluations.id"), primary_key=True),
)


class Assignment(db.Model):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("coaching_modules.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[AssignmentStatus] = mapped_column(
        enum_column(AssignmentStatus), default=AssignmentStatus.ASSIGNED
    )
    source: Mapped[str] = mapped_column(String(16), default="manual")
    reason: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]  # when the in-app "due soon" reminder went out
    # interactions whose scores made the recommendation (demo data and AI-only history have
    # no evaluation to link, but always an interaction)
    trigger_interaction_ids: Mapped[list[int] | None] = mapped_column(JSON)

    agent: Mapped[Agent] = relationship()
    module: Mapped[CoachingModule] = relationship()
    evaluations: Mapped[list[Evaluation]] = relationship(secondary=assignment_evaluations)
    attempts: Mapped[list[QuizAttempt]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan"
    )


class CoachingPolicy(db.Model):
    """How recommendations are computed and whether they are assigned without a trainer.

    One row (the latest counts); absent means the library's defaults and no auto-assign.
    """

    __tablename__ = "coaching_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    is_auto_assign: Mapped[bool] = mapped_column(default=False)
    threshold: Mapped[float] = mapped_column(Float, default=0.6)
    last_n: Mapped[int] = mapped_column(default=6)
    min_evaluations: Mapped[int] = mapped_column(default=3)
    ai_weight: Mapped[float] = mapped_column(Float, default=0.5)
    due_days: Mapped[int] = mapped_column(default=14)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="attempts")


class CoachingSession(db.Model):
    """A planned 1:1 between a coach and an agent about specific call moments."""

    __tablename__ = "coaching_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scheduled_at: Mapped[datetime]
    notes: Mapped[str] = mapped_column(Text, default="")
    action_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    acknowledged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agent: Mapped[Agent] = relationship()
    moments: Mapped[list[CoachingMoment]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )


class CoachingMoment(db.Model):
    __tablename__ = "coaching_moments"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("coaching_sessions.id"), index=True)
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id"))
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id"))
    at_s: Mapped[float] = mapped_column(Float, default=0.0)
    note: Mapped[str] = mapped_column(Text, default="")

    session: Mapped[CoachingSession] = relationship(back_populates="moments")
