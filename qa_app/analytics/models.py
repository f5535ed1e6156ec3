from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
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
    PUBLISHED = "published"


class Taxonomy(db.Model):
    __tablename__ = "taxonomies"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[str] = mapped_column(String(32))
    status: Mapped[TaxonomyStatus] = mapped_column(
        enum_column(TaxonomyStatus), default=TaxonomyStatus.DRAFT
    )
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tags: Mapped[list[Tag]] = relationship(back_populates="taxonomy", cascade="all, delete-orphan")


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
    rule: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    threshold: Mapped[float | None] = mapped_column(Float)

    taxonomy: Mapped[Taxonomy] = relationship(back_populates="tags")
    parent: Mapped[Tag | None] = relationship(remote_side=[id])


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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), index=True)
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"), index=True)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id"), index=True)
    evaluation_item_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_items.id"))
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(16), default="auto")
    state: Mapped[str] = mapped_column(String(16), default="suggested")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tag: Mapped[Tag] = relationship()


class SegmentEmbedding(db.Model):
    __tablename__ = "segment_embeddings"
    __table_args__ = (UniqueConstraint("segment_id", "model"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"), index=True)
    model: Mapped[str] = mapped_column(String(120))
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class Event(db.Model):
    """A campaign, award or outage whose effect on contacts and mood is measured."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
