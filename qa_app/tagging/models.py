"""The client's taxonomy (versioned), tags on interactions, segments and comments, and the
segment vectors stored once at ingest so back-tests and clustering never re-encode history."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.columns import enum_column
from qa_app.extensions import db
from qa_app.timeutil import utcnow


class TaxonomyStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # the one version tagging uses now
    SUPERSEDED = "superseded"  # published once, replaced by a later version


class Taxonomy(db.Model):
    """One version of the client's taxonomy; editing always happens on a draft copy."""

    __tablename__ = "taxonomies"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[str] = mapped_column(String(32))
    status: Mapped[TaxonomyStatus] = mapped_column(
        enum_column(TaxonomyStatus), default=TaxonomyStatus.DRAFT
    )
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("taxonomies.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    tags: Mapped[list[Tag]] = relationship(
        back_populates="taxonomy", cascade="all, delete-orphan", order_by="Tag.id"
    )
    based_on: Mapped[Taxonomy | None] = relationship(remote_side=[id])


class Tag(db.Model):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("taxonomy_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    taxonomy_id: Mapped[int] = mapped_column(ForeignKey("taxonomies.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    # rejected matches a reviewer turned into counter-examples
    negative_examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    rule: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    threshold: Mapped[float | None] = mapped_column(Float)
    # a retired tag stays in its version for history but tags nothing new
    is_retired: Mapped[bool] = mapped_column(default=False)
    merged_into: Mapped[str | None] = mapped_column(String(80))

    taxonomy: Mapped[Taxonomy] = relationship(back_populates="tags")
    parent: Mapped[Tag | None] = relationship(remote_side=[id])


class AssignmentState(enum.StrEnum):
    SUGGESTED = "suggested"  # put there by the tagger, nobody has looked
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


REVIEWER_SOURCE = "reviewer"  # TagAssignment.source of a tag a reviewer put there


class TagAssignment(db.Model):
    """A tag on exactly one target: an interaction, a segment, or a reviewer comment."""

    __tablename__ = "tag_assignments"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN interaction_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN segment_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN evaluation_item_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
        Index("ix_tag_assignments_interaction_tag", "interaction_id", "tag_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), index=True)
    # the taxonomy version that produced it (tags belong to one version)
    taxonomy_id: Mapped[int | None] = mapped_column(ForeignKey("taxonomies.id"), index=True)
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"), index=True)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id"), index=True)
    evaluation_item_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_items.id"))
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(16), default="auto")  # auto | reviewer
    state: Mapped[AssignmentState] = mapped_column(
        enum_column(AssignmentState), default=AssignmentState.SUGGESTED
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tag: Mapped[Tag] = relationship()

    @classmethod
    def added_by_reviewer(cls, tag: Tag, actor_id: int, **target: int) -> TagAssignment:
        """A tag a reviewer put on ``target`` (``interaction_id=`` or ``evaluation_item_id=``):
        confirmed by that act, with no tagger evidence."""
        return cls(
            tag=tag,
            taxonomy_id=tag.taxonomy_id,
            confidence=1.0,
            evidence=[],
            source=REVIEWER_SOURCE,
            state=AssignmentState.CONFIRMED,
            decided_by_id=actor_id,
            decided_at=utcnow(),
            **target,
        )


class SegmentEmbeddings(db.Model):
    """The vectors of one interaction's segments, packed: one row per interaction and model.

    ``vectors`` is a float16 (len(positions), dims) array, row-major; ``positions`` are the
    segment positions (0 for a one-piece text) in row order. One row per interaction keeps a
    back-test over 100k interactions to a single scan.
    """

    __tablename__ = "segment_embeddings"
    __table_args__ = (UniqueConstraint("interaction_id", "model"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id"), index=True)
    model: Mapped[str] = mapped_column(String(120))
    dims: Mapped[int]
    positions: Mapped[list[int]] = mapped_column(JSON, default=list)
    vectors: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RunKind(enum.StrEnum):
    BACKTEST = "backtest"
    RETAG = "retag"  # re-tag history after publishing


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class TaggingRun(db.Model):
    """A background back-test or re-tag of history, with progress the page polls."""

    __tablename__ = "tagging_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    taxonomy_id: Mapped[int] = mapped_column(ForeignKey("taxonomies.id"), index=True)
    kind: Mapped[RunKind] = mapped_column(enum_column(RunKind))
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus), default=RunStatus.QUEUED)
    step: Mapped[str] = mapped_column(String(40), default="")
    completed: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[str | None] = mapped_column(String(36))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    taxonomy: Mapped[Taxonomy] = relationship()
