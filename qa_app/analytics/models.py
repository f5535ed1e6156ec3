from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
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
