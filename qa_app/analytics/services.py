"""Analytics queries: who may see what is decided by ``calls.services.visible_interactions``,
the numbers by ``analytics.stats``."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from qa_app.agents.models import Agent, Team
from qa_app.analytics import stats
from qa_app.auth.models import User
from qa_app.calls.models import Channel, Interaction
from qa_app.calls.services import visible_interactions
from qa_app.extensions import db
from qa_app.timeutil import utcnow

DEFAULT_DAYS = 28
MAX_DAYS = 366


@dataclass(frozen=True)
class Filters:
    first: date
    last: date
    tz: str
    team_id: int | None = None
    agent_id: int | None = None
    channel: str | None = None
    queue: str | None = None

    @classmethod
    def default(cls, tz: str) -> Filters:
        today = utcnow().date()
        return cls(today - timedelta(days=DEFAULT_DAYS - 1), today, tz)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


@dataclass(frozen=True)
class DayPoint:
    day: date
    count: int
    is_peak: bool


@dataclass(frozen=True)
class Activity:
    filters: Filters
    total: int
    heatmap: list[list[int]]
    heat_max: int
    days: list[DayPoint]
    baseline: stats.Baseline


def _matching(user: User, f: Filters) -> Select[tuple[Interaction]]:
    start, end = stats.local_days_to_utc(f.first, f.last, f.zone)
    query = visible_interactions(user).where(
        Interaction.started_at >= start, Interaction.started_at < end
    )
    if f.agent_id:
        query = query.where(Interaction.agent_id == f.agent_id)
    if f.team_id:
        query = query.where(
            Interaction.agent_id.in_(select(Agent.id).where(Agent.team_id == f.team_id))
        )
    if f.channel:
        query = query.where(Interaction.channel == Channel(f.channel))
    if f.queue:
        query = query.where(Interaction.queue == f.queue)
    return query


def activity(user: User, f: Filters) -> Activity:
    """Volume by local weekday and hour, and per day with peaks against the period baseline."""
    times = list(db.session.scalars(_matching(user, f).with_only_columns(Interaction.started_at)))
    grid = stats.heatmap(times, f.zone)
    daily = stats.daily_counts(times, f.zone, f.first, f.last)
    counts = [n for _, n in daily]
    flags = stats.peaks(counts)
    return Activity(
        filters=f,
        total=len(times),
        heatmap=grid,
        heat_max=max(max(row) for row in grid),
        days=[DayPoint(d, n, p) for (d, n), p in zip(daily, flags, strict=True)],
        baseline=stats.baseline(counts),
    )


def drill_down(
    user: User,
    f: Filters,
    weekday: int | None = None,
    hour: int | None = None,
    day: date | None = None,
    limit: int = 200,
) -> list[Interaction]:
    """The interactions behind one heatmap cell or one day of the chart."""
    if day is not None:
        f = Filters(day, day, f.tz, f.team_id, f.agent_id, f.channel, f.queue)
    rows = db.session.scalars(_matching(user, f).order_by(Interaction.started_at.desc()))
    result = []
    for interaction in rows:
        local = stats.to_local(interaction.started_at, f.zone)
        if weekday is not None and local.weekday() != weekday:
            continue
        if hour is not None and local.hour != hour:
            continue
        result.append(interaction)
        if len(result) >= limit:
            break
    return result


def filter_choices(user: User) -> dict[str, list[tuple[str, str]]]:
    teams = db.session.scalars(select(Team).order_by(Team.name))
    agents = db.session.scalars(select(Agent).order_by(Agent.name))
    if user.agent_id is not None:
        agents = [a for a in agents if a.id == user.agent_id]
    queues = db.session.scalars(
        select(Interaction.queue)
        .where(Interaction.queue.is_not(None))
        .distinct()
        .order_by(Interaction.queue)
    )
    return {
        "team": [(str(t.id), t.name) for t in teams],
        "agent": [(str(a.id), a.name) for a in agents],
        "queue": [(q, q) for q in queues],
        "channel": [(c.value, c.value.capitalize()) for c in Channel],
    }


def export_rows(result: Activity) -> list[list[object]]:
    """One table for spreadsheets: the heatmap, then the daily series."""
    rows: list[list[object]] = [["weekday", *[f"{h:02d}:00" for h in range(24)]]]
    rows += [[name, *row] for name, row in zip(stats.WEEKDAYS, result.heatmap, strict=True)]
    rows += [[], ["day", "interactions", "peak"]]
    rows += [[p.day.isoformat(), p.count, "yes" if p.is_peak else ""] for p in result.days]
    return rows


def to_csv(rows: list[list[object]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def to_xlsx(rows: list[list[object]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
