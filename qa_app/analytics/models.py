from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qa_app.extensions import db
from qa_app.timeutil import utcnow


class Event(db.Model):
    """A campaign, award or outage whose effect on contacts and mood is measured."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    description: Mapped[str] = mapped_column(Text, default="")
    # what it concerns: {"tags": [tag keys], "queues": [...], "channels": [...]}; empty = all
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HourlyCount(db.Model):
    """Pre-aggregated interactions per UTC hour, channel and queue (``analytics.rollup``).

    ``tag_id`` 0 holds all interactions; another value counts the distinct interactions with
    that tag or one below it (taxonomy ``taxonomy_id``). Zeros and '' stand for "none" so the
    unique key works on both databases. Mood counts ride along for the mood pages.
    """

    __tablename__ = "analytics_hourly"
    __table_args__ = (
        UniqueConstraint("hour", "channel", "queue", "taxonomy_id", "tag_id"),
        Index("ix_analytics_hourly_tag_hour", "tag_id", "hour"),
        Index("ix_analytics_hourly_queue", "queue"),  # the filter's queue list (skip scan)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hour: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(16))
    queue: Mapped[str] = mapped_column(String(120), default="")
    taxonomy_id: Mapped[int] = mapped_column(default=0)
    tag_id: Mapped[int] = mapped_column(default=0)
    interactions: Mapped[int] = mapped_column(default=0)
    negative: Mapped[int] = mapped_column(default=0)
    neutral: Mapped[int] = mapped_column(default=0)
    positive: Mapped[int] = mapped_column(default=0)
    mood_sum: Mapped[float] = mapped_column(Float, default=0.0)
    better: Mapped[int] = mapped_column(default=0)
    worse: Mapped[int] = mapped_column(default=0)
    same: Mapped[int] = mapped_column(default=0)
    # AI totals and submitted-review totals (mean per interaction): count, sum, sum of squares
    ai_n: Mapped[int] = mapped_column(default=0)
    ai_sum: Mapped[float] = mapped_column(Float, default=0.0)
    ai_sq: Mapped[float] = mapped_column(Float, default=0.0)
    review_n: Mapped[int] = mapped_column(default=0)
    review_sum: Mapped[float] = mapped_column(Float, default=0.0)
    review_sq: Mapped[float] = mapped_column(Float, default=0.0)


class RollupState(db.Model):
    """One row: when ``analytics_hourly`` was last brought up to date (the refresh watermark)."""

    __tablename__ = "analytics_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime]


class EmergingSnapshot(db.Model):
    """A stored emerging-topics result (``analytics.emerging.store_snapshot``), computed in the
    background so the page and the home notice never cluster on a request.

    ``filters_key`` names the filters it answers (today only the site-wide default period);
    ``result`` holds the clusters as the page shows them.
    """

    __tablename__ = "emerging_snapshots"
    __table_args__ = (Index("ix_emerging_snapshots_key_computed", "filters_key", "computed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    first: Mapped[date]
    last: Mapped[date]
    tz: Mapped[str] = mapped_column(String(64))
    filters_key: Mapped[str] = mapped_column(String(120))
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
