from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from qa_app.calls.models import Interaction
from qa_app.extensions import db
from qa_app.timeutil import utcnow


@dataclass(frozen=True)
class DayVolume:
    day: date
    count: int


def daily_volume(days: int = 14) -> list[DayVolume]:
    """Interactions per day for the last ``days`` days, zero-filled so the chart has no gaps."""
    today = utcnow().date()
    start = today - timedelta(days=days - 1)
    day = func.date(Interaction.started_at)
    rows = db.session.execute(
        select(day, func.count()).where(Interaction.started_at >= start).group_by(day)
    ).all()
    counts = {str(d): n for d, n in rows}
    return [
        DayVolume(start + timedelta(days=i), counts.get(str(start + timedelta(days=i)), 0))
        for i in range(days)
    ]
