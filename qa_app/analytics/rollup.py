"""Hourly pre-aggregation of interactions for the analytics pages at scale.

``analytics_hourly`` holds, per UTC hour x channel x queue, the number of interactions
and their mood counts (``tag_id`` 0), and the same per tag node: the distinct interactions
carrying the tag or one below it (so a parent is never counted twice for an interaction with
two children). Pages read a few thousand rows instead of scanning a million interactions.

There is no agent column on purpose: an agent takes about one contact an hour, so hour x agent
rows were as many as the interactions themselves (measured: 2.7M rollup rows for 1M
interactions). Pages filtered by agent or team, and agents' own views, read the interactions
directly; those sets are small.

Refreshing is incremental and idempotent: the hours touched by a change are deleted and
recounted from the source tables in one INSERT ... SELECT per range. ``refresh_changed``
finds those hours from ``Interaction.updated_at`` and tag decisions since a moment (after
ingest, re-tagging, or reviewer decisions); ``rebuild`` recounts everything. Time zones with
whole-hour offsets map UTC hours onto local hours exactly; the others stay on the raw query
(``exact_for``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    DateTime,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import FunctionElement

from qa_app.analytics.models import HourlyCount, RollupState
from qa_app.calls.models import Interaction
from qa_app.extensions import db
from qa_app.reviews.models import Evaluation, EvaluationStatus
from qa_app.tagging.models import AssignmentState, Tag, TagAssignment
from qa_app.timeutil import utcnow

HOUR = timedelta(hours=1)
# pages read the rollup only while its last refresh is this recent; otherwise the raw query
MAX_LAG = timedelta(minutes=15)
REFRESH_EVERY = timedelta(minutes=2)
RANGE_HOURS = 24 * 31  # one INSERT ... SELECT per month of hours keeps transactions small


class hour_floor(FunctionElement[datetime]):  # noqa: N801 (a SQL function, named like one)
    """A naive timestamp truncated to its hour."""

    type = DateTime()
    inherit_cache = True


@compiles(hour_floor, "sqlite")
def _hour_sqlite(element: hour_floor, compiler: Any, **kw: Any) -> str:
    # the format SQLAlchemy stores DateTime in on SQLite, so comparisons stay textual-exact
    return f"strftime('%Y-%m-%d %H:00:00.000000', {compiler.process(element.clauses, **kw)})"


@compiles(hour_floor)
def _hour_default(element: hour_floor, compiler: Any, **kw: Any) -> str:
    return f"date_trunc('hour', {compiler.process(element.clauses, **kw)})"


def floor_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def exact_for(tz: ZoneInfo, start: datetime, end: datetime) -> bool:
    """Whether whole UTC hours are whole local hours in [start, end) (no :30 or :45 offsets)."""
    probe = start
    while probe < end + timedelta(days=1):
        offset = probe.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).utcoffset()
        if offset is None or offset.total_seconds() % 3600:
            return False
        probe += timedelta(days=30)
    return True


# --- counting ---------------------------------------------------------------------------------


def _reviewed() -> Any:
    """Mean submitted evaluation total per interaction (drafts do not count), as the mood
    page's concerns read it."""
    return (
        select(Evaluation.interaction_id, func.avg(Evaluation.total).label("total"))
        .where(Evaluation.status != EvaluationStatus.DRAFT, Evaluation.total.is_not(None))
        .group_by(Evaluation.interaction_id)
        .subquery("rollup_reviewed")
    )


def _measure_columns(reviewed: Any) -> list[Any]:
    label, trajectory = Interaction.mood_label, Interaction.mood_trajectory
    ai, review = Interaction.ai_total, reviewed.c.total

    def total(expr: Any) -> Any:
        return cast(func.coalesce(func.sum(expr), 0.0), Float)

    return [
        func.count().label("interactions"),
        func.sum(case((label == "negative", 1), else_=0)).label("negative"),
        func.sum(case((label == "neutral", 1), else_=0)).label("neutral"),
        func.sum(case((label == "positive", 1), else_=0)).label("positive"),
        total(Interaction.mood_score).label("mood_sum"),
        func.sum(case((trajectory == "better", 1), else_=0)).label("better"),
        func.sum(case((trajectory == "worse", 1), else_=0)).label("worse"),
        func.sum(case((trajectory == "same", 1), else_=0)).label("same"),
        func.count(ai).label("ai_n"),
        total(ai).label("ai_sum"),
        total(ai * ai).label("ai_sq"),
        func.count(review).label("review_n"),
        total(review).label("review_sum"),
        total(review * review).label("review_sq"),
    ]


MEASURES = (
    "interactions", "negative", "neutral", "positive", "mood_sum", "better", "worse", "same",
    "ai_n", "ai_sum", "ai_sq", "review_n", "review_sum", "review_sq",
)  # fmt: skip
COLUMNS = ("hour", "channel", "queue", "taxonomy_id", "tag_id", *MEASURES)


def _dimensions() -> list[Any]:
    return [
        hour_floor(Interaction.started_at).label("hour"),
        cast(Interaction.channel, String).label("channel"),
        func.coalesce(Interaction.queue, "").label("queue"),
    ]


def _all_rows(start: datetime, end: datetime) -> Any:
    dims = _dimensions()
    reviewed = _reviewed()
    return (
        select(
            *dims,
            literal(0, Integer).label("taxonomy_id"),
            literal(0, Integer).label("tag_id"),
            *_measure_columns(reviewed),
        )
        .outerjoin(reviewed, reviewed.c.interaction_id == Interaction.id)
        .where(Interaction.started_at >= start, Interaction.started_at < end)
        .group_by(*dims)
    )


def _closure() -> Any:
    """(tag, node, taxonomy): every tag with itself and each of its ancestors."""
    base = select(
        Tag.id.label("tag_id"), Tag.id.label("node_id"), Tag.taxonomy_id.label("taxonomy_id")
    ).cte("rollup_closure", recursive=True)
    parent = aliased(Tag)
    return base.union(
        select(base.c.tag_id, parent.parent_id, base.c.taxonomy_id)
        .join(parent, parent.id == base.c.node_id)
        .where(parent.parent_id.is_not(None))
    )


def _tag_rows(start: datetime, end: datetime) -> Any:
    closure = _closure()
    pairs = (
        select(closure.c.node_id, closure.c.taxonomy_id, TagAssignment.interaction_id.label("item"))
        .join(closure, closure.c.tag_id == TagAssignment.tag_id)
        .join(Interaction, Interaction.id == TagAssignment.interaction_id)
        .where(
            Interaction.started_at >= start,
            Interaction.started_at < end,
            TagAssignment.state != AssignmentState.REJECTED,
        )
        .distinct()
        .subquery("rollup_pairs")
    )
    dims = _dimensions()
    reviewed = _reviewed()
    return (
        select(
            *dims,
            pairs.c.taxonomy_id.label("taxonomy_id"),
            pairs.c.node_id.label("tag_id"),
            *_measure_columns(reviewed),
        )
        .select_from(pairs)
        .join(Interaction, Interaction.id == pairs.c.item)
        .outerjoin(reviewed, reviewed.c.interaction_id == Interaction.id)
        .group_by(*dims, pairs.c.taxonomy_id, pairs.c.node_id)
    )


def refresh_range(start: datetime, end: datetime) -> None:
    """Recount the whole hours in [start, end) from the source tables."""
    start, end = floor_hour(start), floor_hour(end - timedelta(microseconds=1)) + HOUR
    table = HourlyCount.__table__
    session = db.session
    cursor = start
    while cursor < end:
        stop = min(cursor + RANGE_HOURS * HOUR, end)
        session.execute(
            delete(HourlyCount).where(HourlyCount.hour >= cursor, HourlyCount.hour < stop)
        )
        for query in (_all_rows(cursor, stop), _tag_rows(cursor, stop)):
            session.execute(insert(table).from_select(list(COLUMNS), query))
        cursor = stop
    session.flush()


def _ranges(hours: Iterable[datetime]) -> list[tuple[datetime, datetime]]:
    """Sorted hours merged into contiguous half-open ranges."""
    out: list[tuple[datetime, datetime]] = []
    for hour in sorted(set(hours)):
        if out and out[-1][1] == hour:
            out[-1] = (out[-1][0], hour + HOUR)
        else:
            out.append((hour, hour + HOUR))
    return out


def refresh_hours(hours: Iterable[datetime]) -> int:
    """Recount the given hours (any moments; each counts as its hour). Returns ranges done."""
    ranges = _ranges(floor_hour(h) for h in hours)
    for start, end in ranges:
        refresh_range(start, end)
    return len(ranges)


def changed_hours(since: datetime) -> set[datetime]:
    """Hours of interactions changed since ``since``: updated rows, tag decisions, reviews."""
    decided = (
        select(Interaction.started_at)
        .join(TagAssignment, TagAssignment.interaction_id == Interaction.id)
        .where(or_(TagAssignment.created_at >= since, TagAssignment.decided_at >= since))
    )
    updated = select(Interaction.started_at).where(
        or_(Interaction.updated_at >= since, Interaction.created_at >= since)
    )
    reviewed = (
        select(Interaction.started_at)
        .join(Evaluation, Evaluation.interaction_id == Interaction.id)
        .where(Evaluation.updated_at >= since)
    )
    moments = db.session.scalars(union(updated, decided, reviewed))
    return {floor_hour(m) for m in moments}


def refresh_changed(since: datetime) -> int:
    """The incremental refresh: recount every hour touched since ``since``."""
    return refresh_hours(changed_hours(since))


def _state() -> RollupState | None:
    return db.session.get(RollupState, 1)


def _mark(moment: datetime) -> None:
    state = _state()
    if state is None:
        db.session.add(RollupState(id=1, refreshed_at=moment))
    else:
        state.refreshed_at = moment
    db.session.flush()


def rebuild() -> None:
    """Recount everything (after a bulk import, or to repair)."""
    started = utcnow()
    first, last = db.session.execute(
        select(func.min(Interaction.started_at), func.max(Interaction.started_at))
    ).one()
    db.session.execute(delete(HourlyCount))
    if first is not None:
        refresh_range(first, last + timedelta(microseconds=1))
    _mark(started)


def refresh() -> int:
    """Bring the rollup up to date: the hours changed since the last refresh (a full rebuild
    the first time). Run it periodically (``flask analytics rollup``) and after bulk imports.
    Returns the number of hour ranges recounted."""
    state = _state()
    if state is None:
        rebuild()
        return -1
    started = utcnow()
    done = refresh_changed(state.refreshed_at - timedelta(seconds=1))
    _mark(started)
    return done


def refresh_if_due(every: timedelta = REFRESH_EVERY) -> bool:
    """The periodic refresh (the worker's sweep loop calls it every few seconds): only when a
    rollup was built and its last refresh is older than ``every``. Returns whether it ran."""
    state = _state()
    if state is None or state.refreshed_at > utcnow() - every:
        return False
    refresh()
    return True


def is_fresh(now: datetime | None = None) -> bool:
    state = _state()
    return state is not None and state.refreshed_at >= (now or utcnow()) - MAX_LAG


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which rollup rows a page reads: the filters the rollup has columns for."""

    start: datetime
    end: datetime
    channel: str | None = None
    queue: str | None = None
    tag_ids: tuple[int, ...] = (0,)  # 0: all interactions; else tag nodes
    taxonomy_id: int | None = None

    def where(self) -> list[Any]:
        conds = [
            HourlyCount.hour >= self.start,
            HourlyCount.hour < self.end,
            HourlyCount.tag_id.in_(self.tag_ids),
        ]
        if self.taxonomy_id is not None and self.tag_ids != (0,):
            conds.append(HourlyCount.taxonomy_id == self.taxonomy_id)
        if self.channel:
            conds.append(HourlyCount.channel == self.channel)
        if self.queue:
            conds.append(HourlyCount.queue == self.queue)
        return [and_(*conds)]


def hourly(scope: Scope, by_tag: bool = False) -> list[tuple[Any, ...]]:
    """Summed measures per hour (and per tag node when ``by_tag``), in ``MEASURES`` order."""
    keys: list[Any] = [HourlyCount.hour] + ([HourlyCount.tag_id] if by_tag else [])
    sums = [func.sum(getattr(HourlyCount, m)) for m in MEASURES]
    query = select(*keys, *sums).where(*scope.where()).group_by(*keys).order_by(*keys)
    return [tuple(row) for row in db.session.execute(query)]


def totals_by_tag(scope: Scope) -> dict[int, tuple[Any, ...]]:
    """Summed measures per tag node over the whole scope."""
    sums = [func.sum(getattr(HourlyCount, m)) for m in MEASURES]
    query = select(HourlyCount.tag_id, *sums).where(*scope.where()).group_by(HourlyCount.tag_id)
    return {row[0]: tuple(row[1:]) for row in db.session.execute(query)}


def local_cells(
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    *,
    channel: str | None = None,
    queue: str | None = None,
    base_tag: int | None = None,
    heat_tag: int | None = None,
) -> list[tuple[int, int, int, int, int, int]]:
    """(local day number, local hour, interactions, negative, labelled, with heat tag) per
    local hour of [start, end), the shape ``services.activity`` groups by.

    :param base_tag: count only interactions with this tag (or one below it).
    :param heat_tag: the heat-map tag; together with ``base_tag`` the overlap is unknown
        here, so callers ask ``usable(..., tag_overlap=True)`` first.
    """
    scope = Scope(start, end, channel=channel, queue=queue, tag_ids=(base_tag or 0,))
    cells: dict[tuple[int, int], list[int]] = {}
    utc = ZoneInfo("UTC")

    def cell(hour: datetime) -> list[int]:
        local = hour.replace(tzinfo=utc).astimezone(tz).replace(tzinfo=None)
        seconds = int((local - datetime(1970, 1, 1)).total_seconds())
        return cells.setdefault((seconds // 86400, local.hour), [0, 0, 0, 0])

    for hour, n, negative, neutral, positive, *_ in hourly(scope):
        values = cell(hour)
        values[0] += int(n)
        values[1] += int(negative)
        values[2] += int(negative) + int(neutral) + int(positive)
    if heat_tag:
        tagged = Scope(start, end, channel=channel, queue=queue, tag_ids=(heat_tag,))
        for hour, n, *_ in hourly(tagged):
            cell(hour)[3] += int(n)
    return [(day, hour, *values) for (day, hour), values in sorted(cells.items())]  # type: ignore[misc]


def usable(
    is_agent: bool,
    agent_id: int | None,
    team_id: int | None,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    *,
    tag_overlap: bool = False,
) -> bool:
    """Whether a page may read the rollup: no per-agent scope, whole-hour offsets, fresh.

    :param tag_overlap: the page needs interactions with two given tags at once.
    """
    if is_agent or agent_id or team_id or tag_overlap:
        return False
    return exact_for(tz, start, end) and is_fresh()


def local_day(hour: datetime, tz: ZoneInfo) -> int:
    """The local day number (days since 1970-01-01 in ``tz``) of a naive-UTC hour."""
    local = hour.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None)
    return (local - datetime(1970, 1, 1)).days


def node_counts(
    start: datetime,
    end: datetime,
    nodes: Sequence[int],
    *,
    channel: str | None = None,
    queue: str | None = None,
) -> tuple[int, dict[int, int]]:
    """All interactions of [start, end) and those under each tag node (distinct per node)."""
    scope = Scope(start, end, channel=channel, queue=queue, tag_ids=(0, *nodes))
    totals = totals_by_tag(scope)
    total = int(totals.pop(0, (0,))[0] or 0)
    return total, {node: int(values[0]) for node, values in totals.items()}


def day_counts(
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    nodes: Sequence[int],
    *,
    channel: str | None = None,
    queue: str | None = None,
) -> tuple[dict[int, int], dict[int, dict[int, int]]]:
    """Per local day number: all interactions, and per node those under it."""
    scope = Scope(start, end, channel=channel, queue=queue, tag_ids=(0, *nodes))
    totals: dict[int, int] = {}
    per: dict[int, dict[int, int]] = {node: {} for node in nodes}
    for hour, tag_id, n, *_ in hourly(scope, by_tag=True):
        day = local_day(hour, tz)
        target = totals if tag_id == 0 else per[tag_id]
        target[day] = target.get(day, 0) + int(n)
    return totals, per


def day_measures(
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    *,
    channel: str | None = None,
    queue: str | None = None,
    base_tag: int | None = None,
) -> dict[int, tuple[float, ...]]:
    """Every measure (``MEASURES`` order) summed per local day number."""
    scope = Scope(start, end, channel=channel, queue=queue, tag_ids=(base_tag or 0,))
    out: dict[int, list[float]] = {}
    for hour, *values in hourly(scope):
        day = out.setdefault(local_day(hour, tz), [0.0] * len(MEASURES))
        for i, value in enumerate(values):
            day[i] += float(value or 0)
    return {day: tuple(values) for day, values in out.items()}


def _aggregates(values: Sequence[Any]) -> tuple[Any, ...]:
    """Summed measures as the mood page's concern rows: count, labelled, negative, then
    (n, mean, mean of squares) for AI totals and for review totals."""
    m = dict(zip(MEASURES, values, strict=True))
    n = int(m["interactions"] or 0)
    labelled = int((m["negative"] or 0) + (m["neutral"] or 0) + (m["positive"] or 0))
    out: list[Any] = [n, labelled, int(m["negative"] or 0)]
    for key in ("ai", "review"):
        count = int(m[f"{key}_n"] or 0)
        mean = float(m[f"{key}_sum"]) / count if count else None
        square = float(m[f"{key}_sq"]) / count if count else None
        out += [count, mean, square]
    return tuple(out)


def concern_summary(
    start: datetime,
    end: datetime,
    nodes: Sequence[int],
    *,
    channel: str | None = None,
    queue: str | None = None,
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The overall aggregates and one row per tag node with interactions: (node, count,
    labelled, negative, ai n, ai mean, ai mean square, review n, mean, mean square)."""
    totals = totals_by_tag(Scope(start, end, channel=channel, queue=queue, tag_ids=(0, *nodes)))
    overall = _aggregates(totals.pop(0, (0,) * len(MEASURES)))
    rows = [(node, *_aggregates(values)) for node, values in totals.items()]
    return overall, rows


_QUEUES = text(
    "WITH RECURSIVE q(queue) AS ("
    " SELECT min(queue) FROM analytics_hourly WHERE queue > ''"
    " UNION ALL"
    " SELECT (SELECT min(h.queue) FROM analytics_hourly h WHERE h.queue > q.queue)"
    " FROM q WHERE q.queue IS NOT NULL"
    ") SELECT queue FROM q WHERE queue IS NOT NULL"
)


def queues() -> list[str]:
    """The queues seen, sorted: a skip scan of the queue index, one lookup per queue (the
    filter bar's list; DISTINCT over a million interactions took 120 ms)."""
    return [q for (q,) in db.session.execute(_QUEUES)]
