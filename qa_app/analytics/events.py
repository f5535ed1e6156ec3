"""Campaigns, awards and outages recorded by analysts, and their place on time charts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from qa_app.analytics.models import Event
from qa_app.extensions import db


def events_between(start: datetime, end: datetime) -> list[Event]:
    """Events that overlap [start, end) (naive UTC), earliest first, for chart markers."""
    overlapping = select(Event).where(
        Event.starts_at < end,
        or_(Event.ends_at.is_(None), Event.ends_at >= start),
    )
    return list(db.session.scalars(overlapping.order_by(Event.starts_at)))
