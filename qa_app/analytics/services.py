"""Analytics queries: who may see what is decided by ``calls.services.visible_interactions``,
the numbers by ``analytics.stats`` and ``analytics.significance``.

Every page is a few GROUP BY queries: local time (weekday, hour, day, week) is computed in SQL
from the UTC offsets of the period (``stats.offset_spans``), tags are rolled up through the
hierarchy with a small (tag, ancestor) table, so no page loads interaction rows into Python.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    case,
    false,
    func,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from qa_app.agents.models import Agent, Team
from qa_app.analytics import rollup, stats
from qa_app.analytics import significance as sig
from qa_app.analytics.events import events_between
from qa_app.analytics.models import Event
from qa_app.auth.models import Role, User
from qa_app.calls.models import Channel, Interaction
from qa_app.calls.services import visible_interactions
from qa_app.extensions import db
from qa_app.reviews.models import Evaluation, EvaluationStatus
from qa_app.tagging.library import published_taxonomy
from qa_app.tagging.models import AssignmentState, Tag, TagAssignment, Taxonomy
from qa_app.timeutil import utcnow

DEFAULT_DAYS = 28
MAX_DAYS = 366
MOODS = ("negative", "neutral", "positive")
TRAJECTORIES = ("better", "same", "worse")
ALPHA = 0.05  # false discovery rate for movers
SCORE_RANGE = (0.0, 100.0)  # QA totals (AI and reviewed) are percentages


# --- filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """One filter object drives a page's charts, its table, its exports and its drill-down."""

    first: date
    last: date
    tz: str
    team_id: int | None = None
    agent_id: int | None = None
    channel: str | None = None
    queue: str | None = None
    tag_id: int | None = None  # a parent includes its descendants
    taxonomy_id: int | None = None  # None: the published version

    @classmethod
    def default(cls, tz: str) -> Filters:
        today = utcnow().date()
        return cls(today - timedelta(days=DEFAULT_DAYS - 1), today, tz)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def utc_range(self) -> tuple[datetime, datetime]:
        return stats.local_days_to_utc(self.first, self.last, self.zone)


@dataclass(frozen=True)
class Drill:
    """What one bar, cell or point adds to the filters in the drill-down."""

    weekday: int | None = None
    hour: int | None = None
    mood: str | None = None
    trajectory: str | None = None

    def describe(self) -> str:
        parts = []
        if self.weekday is not None:
            parts.append(stats.WEEKDAYS[self.weekday])
        if self.hour is not None:
            parts.append(f"{self.hour:02d}:00–{self.hour:02d}:59")
        if self.mood:
            parts.append(f"{self.mood} mood")
        if self.trajectory:
            parts.append(f"mood got {self.trajectory}" if self.trajectory != "same" else
                         "mood stayed the same")
        return ", ".join(parts)


@dataclass
class TagTree:
    """The tags of one taxonomy version with their hierarchy (from ``Tag.parent_id``)."""

    taxonomy: Taxonomy | None
    tags: dict[int, Tag] = field(default_factory=dict)
    children: dict[int | None, list[int]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, taxonomy: Taxonomy | None) -> TagTree:
        tree = cls(taxonomy)
        if taxonomy is None:
            return tree
        rows = db.session.scalars(
            select(Tag).where(Tag.taxonomy_id == taxonomy.id).order_by(Tag.kind, Tag.name)
        )
        for tag in rows:
            tree.tags[tag.id] = tag
        for tag in tree.tags.values():
            parent = tag.parent_id if tag.parent_id in tree.tags else None
            tree.children[parent].append(tag.id)
        return tree

    def descendants(self, tag_id: int) -> list[int]:
        """The tag and everything below it."""
        out, todo = [], [tag_id]
        while todo:
            current = todo.pop()
            out.append(current)
            todo.extend(self.children.get(current, []))
        return out

    def path(self, tag_id: int) -> list[Tag]:
        """From the root down to the tag."""
        out: list[Tag] = []
        current: int | None = tag_id
        while current is not None and current in self.tags and len(out) < 50:
            out.append(self.tags[current])
            current = self.tags[current].parent_id
        return out[::-1]

    def choices(self) -> list[tuple[str, str]]:
        """Tags indented by depth, in tree order, for a select box."""
        out: list[tuple[str, str]] = []

        def walk(parent: int | None, depth: int) -> None:
            for tag_id in self.children.get(parent, []):
                tag = self.tags[tag_id]
                label = f"{tag.kind}: {tag.name}" if depth == 0 else tag.name
                out.append((str(tag_id), "\u2003" * depth + label))
                walk(tag_id, depth + 1)

        walk(None, 0)
        return out


def taxonomy_for(taxonomy_id: int | None) -> Taxonomy | None:
    """The chosen version, or the published one."""
    if taxonomy_id is not None:
        return db.session.get(Taxonomy, taxonomy_id)
    return published_taxonomy()


def tag_label(tag_id: int | None) -> str | None:
    """A tag's path for headings ("Complaint › Billing › Double charge")."""
    if tag_id is None:
        return None
    tag = db.session.get(Tag, tag_id)
    if tag is None:
        return None
    tree = TagTree.load(tag.taxonomy)
    return " › ".join(t.name for t in tree.path(tag.id))


def filter_choices(user: User, taxonomy_id: int | None = None) -> dict[str, list[tuple[str, str]]]:
    teams = db.session.scalars(select(Team).order_by(Team.name))
    agents = list(db.session.scalars(select(Agent).order_by(Agent.name)))
    if user.agent_id is not None:
        agents = [a for a in agents if a.id == user.agent_id]
    queues = rollup.queues() if rollup.is_fresh() else db.session.scalars(
        select(Interaction.queue)
        .where(Interaction.queue.is_not(None))
        .distinct()
        .order_by(Interaction.queue)
    )
    versions = db.session.scalars(select(Taxonomy).order_by(Taxonomy.created_at.desc()))
    return {
        "team": [(str(t.id), t.name) for t in teams],
        "agent": [(str(a.id), a.name) for a in agents],
        "queue": [(q, q) for q in queues],
        "channel": [(c.value, c.value.capitalize()) for c in Channel],
        "taxonomy": [(str(t.id), f"{t.name} {t.version} ({t.status.value})") for t in versions],
        "tag": TagTree.load(taxonomy_for(taxonomy_id)).choices(),
    }


# --- SQL building blocks -------------------------------------------------------------------------


class epoch_seconds(FunctionElement[int]):  # noqa: N801 (a SQL function, named like one)
    """Whole seconds since 1970 of a naive-UTC timestamp column."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch_seconds)
def _epoch_default(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"


def local_seconds(spans: list[tuple[datetime, int]]) -> ColumnElement[int]:
    """Local wall-clock seconds since 1970 of ``Interaction.started_at`` (see stats)."""
    epoch = epoch_seconds(Interaction.started_at)
    if len(spans) == 1:
        return epoch + spans[0][1]
    offset = case(
        *[(Interaction.started_at >= since, value) for since, value in reversed(spans[1:])],
        else_=spans[0][1],
    )
    return epoch + offset


def _local_parts(f: Filters) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """Local day number and hour expressions for the period's time zone."""
    start, end = f.utc_range
    seconds = local_seconds(stats.offset_spans(start, end, f.zone))
    return seconds // 86400, (seconds % 86400) // 3600


def _bucket(day: ColumnElement[int], by: str, first: date) -> ColumnElement[int]:
    """The day number itself, or that of the first day of its 7-day block (from ``first``)."""
    return day - (day - stats.day_number(first)) % 7 if by == "week" else day


def _assignments(tag_ids: list[int]) -> Select[tuple[int]]:
    return select(TagAssignment.interaction_id).where(
        TagAssignment.tag_id.in_(tag_ids),
        TagAssignment.interaction_id.is_not(None),
        TagAssignment.state != AssignmentState.REJECTED,
    )


def _matching(user: User, f: Filters, tree: TagTree | None = None) -> Select[tuple[Interaction]]:
    start, end = f.utc_range
    query = visible_interactions(user).where(
        Interaction.started_at >= start, Interaction.started_at < end
    )
    return narrowed(query, f, tree)


def narrowed(
    query: Select[tuple[Interaction]], f: Filters, tree: TagTree | None = None
) -> Select[tuple[Interaction]]:
    """``query`` narrowed by every filter but the period (the event page has its own windows)."""
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
    if f.tag_id:
        tree = tree or TagTree.load(taxonomy_for(f.taxonomy_id))
        if f.tag_id not in tree.tags:
            return query.where(false())
        query = query.where(Interaction.id.in_(_assignments(tree.descendants(f.tag_id))))
    return query


def _rollup_ok(user: User, f: Filters, tree: TagTree, *, tag_overlap: bool = False) -> bool:
    """Whether the hourly rollup answers this query exactly (``analytics.rollup.usable``)."""
    if f.tag_id and f.tag_id not in tree.tags:
        return False
    start, end = f.utc_range
    return rollup.usable(user.role is Role.AGENT, f.agent_id, f.team_id, f.zone, start, end,
                         tag_overlap=tag_overlap)  # fmt: skip


def _node_pairs(tree: TagTree, nodes: list[int], within: Select[Any]) -> Any:
    """Distinct (node, interaction) pairs: an interaction counts once under each node it or one
    of its tags sits below. The (tag, ancestor) closure is a recursive CTE over ``Tag.parent_id``,
    so the roll-up has no depth limit and no literal table (SQLite cannot alias VALUES columns).
    ``within`` (a select of interaction ids) narrows the assignments before DISTINCT.
    """
    taxonomy_id = tree.taxonomy.id if tree.taxonomy else -1
    closure = (
        select(Tag.id.label("tag_id"), Tag.id.label("node_id"))
        .where(Tag.taxonomy_id == taxonomy_id)
        .cte("closure", recursive=True)
    )
    parent = aliased(Tag)
    closure = closure.union(
        select(closure.c.tag_id, parent.parent_id)
        .join(parent, parent.id == closure.c.node_id)
        .where(parent.parent_id.is_not(None))
    )
    return (
        select(closure.c.node_id, TagAssignment.interaction_id)
        .join(closure, closure.c.tag_id == TagAssignment.tag_id)
        .where(
            closure.c.node_id.in_(nodes),
            TagAssignment.interaction_id.in_(within),
            TagAssignment.state != AssignmentState.REJECTED,
        )
        .distinct()
        .subquery("pairs")
    )


# --- event markers on time charts ---------------------------------------------------------------


@dataclass(frozen=True)
class EventMark:
    """An event placed on a time chart: ``left`` and ``width`` in percent of the chart width."""

    event: Event
    left: float
    width: float


def event_marks(start: datetime, end: datetime) -> list[EventMark]:
    """The events overlapping a chart whose x axis runs over naive-UTC [start, end).

    Every time chart passes these to ``analytics/_charts.html``'s ``event_spans`` (inside the
    SVG) and ``event_legend`` (below it).
    """
    marks = []
    for event in events_between(start, end):
        left, width = stats.span_percent(start, end, event.starts_at,
                                         event.ends_at or event.starts_at)
        marks.append(EventMark(event, left, width))
    return marks


def axis_range(axis: list[date], by: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The naive-UTC span a trend axis covers (whole days or whole weeks)."""
    last = axis[-1] + timedelta(days=6 if by == "week" else 0)
    return stats.local_days_to_utc(axis[0], last, tz)


# --- activity peaks ------------------------------------------------------------------------------

HEAT_METRICS = ("volume", "negative", "tag")


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
    events: list[EventMark]
    metric: str = "volume"
    heat_tag: Tag | None = None
    # per cell, for the mood and tag maps: the value shown (share) and what it is out of
    heat_share: list[list[float | None]] = field(default_factory=list)
    heat_base: list[list[int]] = field(default_factory=list)
    # the share's 95% Wilson lower bound: cells with one contact out of one stay pale
    heat_low: list[list[float]] = field(default_factory=list)

    @property
    def low_max(self) -> float:
        return max((v for row in self.heat_low for v in row), default=0.0)


def activity(
    user: User, f: Filters, metric: str = "volume", heat_tag_id: int | None = None
) -> Activity:
    """Volume by local weekday and hour (or negative-mood / tag share), and per day with peaks
    against the period baseline: one GROUP BY (day, hour) query."""
    tree = TagTree.load(taxonomy_for(f.taxonomy_id))
    day, hour = _local_parts(f)
    negative = case((Interaction.mood_label == "negative", 1), else_=0)
    labelled = case((Interaction.mood_label.is_not(None), 1), else_=0)
    heat_tag = tree.tags.get(heat_tag_id) if heat_tag_id else None
    tagged: ColumnElement[int] = (
        case((Interaction.id.in_(_assignments(tree.descendants(heat_tag.id))), 1), else_=0)
        if heat_tag
        else case((false(), 1), else_=0)
    )
    start, end = f.utc_range
    if _rollup_ok(user, f, tree, tag_overlap=bool(f.tag_id and heat_tag)):
        rows = rollup.local_cells(
            start, end, f.zone, channel=f.channel, queue=f.queue, base_tag=f.tag_id,
            heat_tag=heat_tag.id if heat_tag else None,
        )  # fmt: skip
    else:
        inner = (
            _matching(user, f, tree)
            .with_only_columns(
                day.label("day"),
                hour.label("hour"),
                negative.label("neg"),
                labelled.label("lab"),
                tagged.label("tagged"),
            )
            .subquery("local")
        )
        rows = db.session.execute(
            select(
                inner.c.day,
                inner.c.hour,
                func.count(),
                func.sum(inner.c.neg),
                func.sum(inner.c.lab),
                func.sum(inner.c.tagged),
            ).group_by(inner.c.day, inner.c.hour)
        ).all()
    grid = stats.heatmap_from_cells((r[0], r[1], r[2]) for r in rows)
    by_day: dict[date, int] = defaultdict(int)
    for r in rows:
        by_day[stats.from_day_number(r[0])] += r[2]
    daily = [(d, by_day.get(d, 0)) for d in stats.buckets(f.first, f.last, "day")]
    counts = [n for _, n in daily]
    flags = stats.peaks(counts)
    share: list[list[float | None]] = []
    low: list[list[float]] = []
    base = grid
    if metric == "negative" or (metric == "tag" and heat_tag):
        top = stats.heatmap_from_cells((r[0], r[1], r[3] if metric == "negative" else r[5])
                                       for r in rows)
        base = (
            stats.heatmap_from_cells((r[0], r[1], r[4]) for r in rows)
            if metric == "negative"
            else grid
        )
        share = [
            [top[w][h] / base[w][h] if base[w][h] else None for h in range(24)] for w in range(7)
        ]
        low = [[sig.wilson(top[w][h], base[w][h])[0] for h in range(24)] for w in range(7)]
    start, end = f.utc_range
    return Activity(
        filters=f,
        total=sum(counts),
        heatmap=grid,
        heat_max=max(max(row) for row in grid),
        days=[DayPoint(d, n, p) for (d, n), p in zip(daily, flags, strict=True)],
        baseline=stats.baseline(counts),
        events=event_marks(start, end),
        metric=metric if share else "volume",
        heat_tag=heat_tag,
        heat_share=share,
        heat_base=base,
        heat_low=low,
    )


def drill_down(user: User, f: Filters, drill: Drill, limit: int = 200) -> list[Interaction]:
    """The interactions behind one cell, bar or point, newest first."""
    query = _matching(user, f)
    if drill.weekday is not None or drill.hour is not None:
        day, hour = _local_parts(f)
        if drill.weekday is not None:
            query = query.where((day + 3) % 7 == drill.weekday)
        if drill.hour is not None:
            query = query.where(hour == drill.hour)
    if drill.mood:
        query = query.where(Interaction.mood_label == drill.mood)
    if drill.trajectory:
        query = query.where(Interaction.mood_trajectory == drill.trajectory)
    query = query.order_by(Interaction.started_at.desc(), Interaction.id.desc()).limit(limit)
    return list(db.session.scalars(query).unique())


def export_rows(result: Activity) -> list[list[object]]:
    """One table for spreadsheets: the heatmap, then the daily series."""
    rows: list[list[object]] = [["weekday", *[f"{h:02d}:00" for h in range(24)]]]
    rows += [[name, *row] for name, row in zip(stats.WEEKDAYS, result.heatmap, strict=True)]
    if result.heat_share:
        label = "negative share" if result.metric == "negative" else "tag share"
        rows += [[], [label, *[f"{h:02d}:00" for h in range(24)]]]
        rows += [
            [name, *[round(v, 4) if v is not None else "" for v in row]]
            for name, row in zip(stats.WEEKDAYS, result.heat_share, strict=True)
        ]
    rows += [[], ["day", "interactions", "peak"]]
    rows += [[p.day.isoformat(), p.count, "yes" if p.is_peak else ""] for p in result.days]
    return rows


# --- enquiry types and complaint topics ----------------------------------------------------------


@dataclass(frozen=True)
class TopicRow:
    tag: Tag
    count: int
    share: float
    prev_count: int
    prev_share: float
    p_value: float
    q_value: float
    has_children: bool

    @property
    def is_mover(self) -> bool:
        return self.q_value <= ALPHA and self.count + self.prev_count > 0

    @property
    def change(self) -> float:
        return self.share - self.prev_share


@dataclass(frozen=True)
class Series:
    """One line of a trend chart: values per bucket, with the counts behind them."""

    key: str
    label: str
    values: list[float]
    counts: list[int]
    tag_id: int | None = None


@dataclass(frozen=True)
class KindGroup:
    kind: str
    rows: list[TopicRow]


@dataclass(frozen=True)
class Topics:
    filters: Filters
    taxonomy: Taxonomy | None
    node: Tag | None
    path: list[Tag]
    total: int
    prev_total: int
    prev_first: date
    prev_last: date
    groups: list[KindGroup]
    by: str
    buckets: list[date]
    bucket_totals: list[int]
    trend: list[Series]
    events: list[EventMark]

    @property
    def movers(self) -> list[TopicRow]:
        rows = [r for g in self.groups for r in g.rows if r.is_mover]
        return sorted(rows, key=lambda r: abs(r.change), reverse=True)


def _node_counts(user: User, f: Filters, tree: TagTree, nodes: list[int]) -> tuple[int, dict]:
    if _rollup_ok(user, f, tree, tag_overlap=bool(f.tag_id)):
        start, end = f.utc_range
        return rollup.node_counts(start, end, nodes, channel=f.channel, queue=f.queue)
    total = db.session.scalar(
        select(func.count()).select_from(
            _matching(user, f, tree).with_only_columns(Interaction.id).subquery()
        )
    )
    if not nodes:
        return total or 0, {}
    pairs = _node_pairs(tree, nodes, _matching(user, f, tree).with_only_columns(Interaction.id))
    rows = db.session.execute(
        select(pairs.c.node_id, func.count()).group_by(pairs.c.node_id)
    ).all()
    return total or 0, {node: n for node, n in rows}


TREND_BYS = ("day", "week")


def trend_by(f: Filters, by: str | None = None) -> str:
    """Days for short periods; 7-day blocks from four weeks on, where days get noisy."""
    if by in TREND_BYS:
        return by
    return "week" if (f.last - f.first).days >= 27 else "day"


def topics(
    user: User, f: Filters, node_id: int | None = None, by: str | None = None, top: int = 6
) -> Topics:
    """Shares per tag at one level of the hierarchy (the top level, or a tag's children), their
    trend, and the movers against the previous period of equal length (z-test, BH across the
    tags tested)."""
    taxonomy = taxonomy_for(f.taxonomy_id)
    tree = TagTree.load(taxonomy)
    node = tree.tags.get(node_id) if node_id else None
    nodes = [t for t in tree.children.get(node.id if node else None, [])
             if not tree.tags[t].is_retired or node]
    by = trend_by(f, by)
    # the trend's per-bucket counts add up to the period's: no separate count query
    axis, totals, per = _topic_trend(user, f, tree, nodes, by)
    total, counts = sum(totals), {n: sum(per[n]) for n in nodes}
    prev_first, prev_last = stats.previous_period(f.first, f.last)
    prev_total, prev_counts = _node_counts(
        user, replace(f, first=prev_first, last=prev_last), tree, nodes
    )
    tests = [
        sig.two_proportion_z(counts.get(n, 0), total, prev_counts.get(n, 0), prev_total)
        for n in nodes
    ]
    q_values = sig.benjamini_hochberg([t.p_value for t in tests])
    rows = [
        TopicRow(
            tag=tree.tags[n],
            count=counts.get(n, 0),
            share=t.p1,
            prev_count=prev_counts.get(n, 0),
            prev_share=t.p0,
            p_value=t.p_value,
            q_value=q,
            has_children=bool(tree.children.get(n)),
        )
        for n, t, q in zip(nodes, tests, q_values, strict=True)
    ]
    groups: dict[str, list[TopicRow]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (-r.count, r.tag.name)):
        groups[row.tag.kind].append(row)
    leaders = sorted((n for n in nodes if counts[n]), key=lambda n: -counts[n])[:top]
    trend = [
        Series(
            key=str(n),
            label=tree.tags[n].name,
            values=[c / t if t else 0.0 for c, t in zip(per[n], totals, strict=True)],
            counts=per[n],
            tag_id=n,
        )
        for n in leaders
    ]
    start, end = axis_range(axis, by, f.zone)
    return Topics(
        filters=f,
        taxonomy=taxonomy,
        node=node,
        path=tree.path(node.id) if node else [],
        total=total,
        prev_total=prev_total,
        prev_first=prev_first,
        prev_last=prev_last,
        groups=[KindGroup(kind, groups[kind]) for kind in sorted(groups)],
        by=by,
        buckets=axis,
        bucket_totals=totals,
        trend=trend,
        events=event_marks(start, end),
    )


def _bucket_index(f: Filters, by: str) -> tuple[list[date], dict[int, int]]:
    axis = stats.buckets(f.first, f.last, by)
    return axis, {stats.day_number(d): i for i, d in enumerate(axis)}


def _topic_trend(
    user: User, f: Filters, tree: TagTree, nodes: list[int], by: str
) -> tuple[list[date], list[int], dict[int, list[int]]]:
    """Per bucket: all interactions, and those under each node (shares of the bucket)."""
    axis, index = _bucket_index(f, by)
    if _rollup_ok(user, f, tree, tag_overlap=bool(f.tag_id)):
        start, end = f.utc_range
        day_totals, day_nodes = rollup.day_counts(start, end, f.zone, nodes, channel=f.channel,
                                                  queue=f.queue)  # fmt: skip
        first = stats.day_number(f.first)
        totals = [0] * len(axis)
        per = {n: [0] * len(axis) for n in nodes}
        for key, days in [(None, day_totals), *day_nodes.items()]:
            for d, n in days.items():
                bucket = d - (d - first) % 7 if by == "week" else d
                if bucket in index:
                    (totals if key is None else per[key])[index[bucket]] += n
        return axis, totals, per
    day, _ = _local_parts(f)
    ids = (
        _matching(user, f, tree)
        .with_only_columns(Interaction.id.label("id"), _bucket(day, by, f.first).label("bucket"))
        .subquery("ids")
    )
    totals = [0] * len(axis)
    for bucket, n in db.session.execute(
        select(ids.c.bucket, func.count()).group_by(ids.c.bucket)
    ):
        if bucket in index:
            totals[index[bucket]] += n
    if not nodes:
        return axis, totals, {}
    pairs = _node_pairs(tree, nodes, _matching(user, f, tree).with_only_columns(Interaction.id))
    per: dict[int, list[int]] = {n: [0] * len(axis) for n in nodes}
    for node, bucket, n in db.session.execute(
        select(pairs.c.node_id, ids.c.bucket, func.count())
        .join(ids, ids.c.id == pairs.c.interaction_id)
        .group_by(pairs.c.node_id, ids.c.bucket)
    ):
        if bucket in index:
            per[node][index[bucket]] += n
    return axis, totals, per


def topics_export_rows(result: Topics) -> list[list[object]]:
    rows: list[list[object]] = [
        ["kind", "tag", "interactions", "share", "previous interactions", "previous share",
         "change", "p", "q (BH)", "mover"]
    ]
    for group in result.groups:
        for r in group.rows:
            rows.append([
                group.kind, r.tag.name, r.count, round(r.share, 4), r.prev_count,
                round(r.prev_share, 4), round(r.change, 4), round(r.p_value, 6),
                round(r.q_value, 6), "yes" if r.is_mover else "",
            ])
    rows += [[], [result.by, "interactions", *[s.label for s in result.trend]]]
    for i, bucket in enumerate(result.buckets):
        rows.append([bucket.isoformat(), result.bucket_totals[i],
                     *[s.counts[i] for s in result.trend]])
    return rows


# --- mood ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Concern:
    tag: Tag
    count: int
    labelled: int
    negative: int
    negative_ci: tuple[float, float]
    lift: float | None
    ai_n: int
    ai_mean: float | None
    ai_ci: tuple[float, float] | None
    review_n: int
    review_mean: float | None
    review_ci: tuple[float, float] | None

    @property
    def negative_share(self) -> float:
        return self.negative / self.labelled if self.labelled else 0.0


@dataclass(frozen=True)
class Mood:
    filters: Filters
    total: int
    distribution: dict[str, int]
    unlabelled: int
    trajectories: dict[str, int]
    by: str
    buckets: list[date]
    trend: list[Series]
    concerns: list[Concern]
    overall_negative: float
    overall_ai: float | None
    overall_review: float | None
    sort: str
    events: list[EventMark]

    @property
    def labelled(self) -> int:
        return sum(self.distribution.values())

    @property
    def trajectory_total(self) -> int:
        return sum(self.trajectories.values())


CONCERN_SORTS = ("lower", "lift", "ai")


def _reviewed() -> Any:
    """Mean submitted evaluation total per interaction (drafts do not count)."""
    return (
        select(Evaluation.interaction_id, func.avg(Evaluation.total).label("total"))
        .where(Evaluation.status != EvaluationStatus.DRAFT, Evaluation.total.is_not(None))
        .group_by(Evaluation.interaction_id)
        .subquery("reviewed")
    )


def mood(
    user: User, f: Filters, sort: str = "lower", by: str | None = None, limit: int = 15
) -> Mood:
    """Distribution, trend and trajectories of customer mood, and the tags most associated with
    negative mood and low QA scores, each with a 95% interval."""
    tree = TagTree.load(taxonomy_for(f.taxonomy_id))
    matching = _matching(user, f, tree)
    by = trend_by(f, by)
    axis, index = _bucket_index(f, by)
    day, _ = _local_parts(f)
    inner = matching.with_only_columns(
        _bucket(day, by, f.first).label("bucket"),
        Interaction.mood_label.label("label"),
        Interaction.mood_trajectory.label("t"),
    ).subquery("m")
    # one GROUP BY feeds the distribution, the trajectories and the trend
    distribution = dict.fromkeys(MOODS, 0)
    trajectories = dict.fromkeys(TRAJECTORIES, 0)
    counts = {m: [0] * len(axis) for m in MOODS}
    unlabelled = 0
    if _rollup_ok(user, f, tree):
        start, end = f.utc_range
        first = stats.day_number(f.first)
        for d, m in rollup.day_measures(start, end, f.zone, channel=f.channel, queue=f.queue,
                                        base_tag=f.tag_id).items():  # fmt: skip
            bucket = d - (d - first) % 7 if by == "week" else d
            for label, n in zip(MOODS, (m[1], m[2], m[3]), strict=True):
                distribution[label] += int(n)
                if bucket in index:
                    counts[label][index[bucket]] += int(n)
            unlabelled += int(m[0] - m[1] - m[2] - m[3])
            for trajectory, n in (("better", m[5]), ("worse", m[6]), ("same", m[7])):
                trajectories[trajectory] += int(n)
    else:
        for bucket, label, trajectory, n in db.session.execute(
            select(inner.c.bucket, inner.c.label, inner.c.t, func.count()).group_by(
                inner.c.bucket, inner.c.label, inner.c.t
            )
        ):
            if trajectory in trajectories:
                trajectories[trajectory] += n
            if label not in distribution:
                unlabelled += n
                continue
            distribution[label] += n
            if bucket in index:
                counts[label][index[bucket]] += n
    totals = [sum(counts[m][i] for m in MOODS) for i in range(len(axis))]
    trend = [
        Series(
            m,
            m.capitalize(),
            [c / t if t else 0.0 for c, t in zip(counts[m], totals, strict=True)],
            counts[m],
        )
        for m in MOODS
    ]
    summary = None
    if _rollup_ok(user, f, tree, tag_overlap=bool(f.tag_id)):
        start, end = f.utc_range
        nodes = [t for t, tag in tree.tags.items() if not tag.is_retired]
        summary = rollup.concern_summary(start, end, nodes, channel=f.channel, queue=f.queue)
    concerns, overall = _concerns(matching, tree, sort, limit, summary)
    labelled = sum(distribution.values())
    start, end = axis_range(axis, by, f.zone)
    return Mood(
        filters=f,
        total=labelled + unlabelled,
        distribution=distribution,
        unlabelled=unlabelled,
        trajectories=trajectories,
        by=by,
        buckets=axis,
        trend=trend,
        concerns=concerns,
        overall_negative=distribution["negative"] / labelled if labelled else 0.0,
        overall_ai=overall[0],
        overall_review=overall[1],
        sort=sort,
        events=event_marks(start, end),
    )


def _concerns(
    matching: Select[tuple[Interaction]],
    tree: TagTree,
    sort: str,
    limit: int,
    summary: tuple[Any, list[Any]] | None = None,
) -> tuple[list[Concern], tuple[float | None, float | None]]:
    """:param summary: the same aggregates read from ``analytics.rollup`` (overall, rows)."""
    reviewed = _reviewed()
    inner = (
        matching.outerjoin(reviewed, reviewed.c.interaction_id == Interaction.id)
        .with_only_columns(
            Interaction.id.label("id"),
            case((Interaction.mood_label == "negative", 1), else_=0).label("neg"),
            case((Interaction.mood_label.is_not(None), 1), else_=0).label("lab"),
            Interaction.ai_total.label("ai"),
            reviewed.c.total.label("rev"),
        )
        .subquery("scored")
    )
    aggregates = (
        func.count(),
        func.sum(inner.c.lab),
        func.sum(inner.c.neg),
        func.count(inner.c.ai),
        func.avg(inner.c.ai),
        func.avg(inner.c.ai * inner.c.ai),
        func.count(inner.c.rev),
        func.avg(inner.c.rev),
        func.avg(inner.c.rev * inner.c.rev),
    )
    overall = summary[0] if summary else db.session.execute(select(*aggregates)).one()
    overall_negative = overall[2] / overall[1] if overall[1] else 0.0
    overall_means = (
        float(overall[4]) if overall[4] is not None else None,
        float(overall[7]) if overall[7] is not None else None,
    )
    nodes = [t for t, tag in tree.tags.items() if not tag.is_retired]
    if not nodes:
        return [], overall_means
    pairs = _node_pairs(tree, nodes, matching.with_only_columns(Interaction.id))
    rows = summary[1] if summary else db.session.execute(
        select(pairs.c.node_id, *aggregates)
        .join(inner, inner.c.id == pairs.c.interaction_id)
        .group_by(pairs.c.node_id)
    ).all()
    concerns = []
    for node, n, lab, neg, ai_n, ai_mean, ai_sq, rev_n, rev_mean, rev_sq in rows:
        lab, neg = int(lab or 0), int(neg or 0)
        share = neg / lab if lab else 0.0
        concerns.append(
            Concern(
                tag=tree.tags[node],
                count=n,
                labelled=lab,
                negative=neg,
                negative_ci=sig.wilson(neg, lab),
                lift=share / overall_negative if overall_negative and lab else None,
                ai_n=ai_n,
                ai_mean=float(ai_mean) if ai_mean is not None else None,
                ai_ci=(
                    sig.mean_interval(ai_n, float(ai_mean), float(ai_sq), bounds=SCORE_RANGE)
                    if ai_n
                    else None
                ),
                review_n=rev_n,
                review_mean=float(rev_mean) if rev_mean is not None else None,
                review_ci=(
                    sig.mean_interval(rev_n, float(rev_mean), float(rev_sq), bounds=SCORE_RANGE)
                    if rev_n
                    else None
                ),
            )
        )
    keys = {
        "lift": lambda c: (-(c.lift or 0.0), -c.negative_ci[0]),
        "lower": lambda c: (-c.negative_ci[0], -(c.lift or 0.0)),
        "ai": lambda c: (c.ai_ci[1] if c.ai_ci else float("inf"), -c.count),
    }
    concerns.sort(key=keys.get(sort, keys["lower"]))
    return concerns[:limit], overall_means


def mood_export_rows(result: Mood) -> list[list[object]]:
    rows: list[list[object]] = [["mood", "interactions", "share"]]
    for m, n in result.distribution.items():
        rows.append([m, n, round(n / result.labelled, 4) if result.labelled else ""])
    rows.append(["(no mood yet)", result.unlabelled, ""])
    rows += [[], ["trajectory", "interactions", "share"]]
    for t, n in result.trajectories.items():
        rows.append([t, n, round(n / result.trajectory_total, 4) if result.trajectory_total
                     else ""])
    rows += [[], [result.by, *[f"{m} share" for m in MOODS], *[f"{m} count" for m in MOODS]]]
    for i, bucket in enumerate(result.buckets):
        rows.append([bucket.isoformat(), *[round(s.values[i], 4) for s in result.trend],
                     *[s.counts[i] for s in result.trend]])
    rows += [[], ["tag", "interactions", "with mood", "negative", "negative share", "CI low",
                  "CI high", "lift", "AI score mean", "AI CI low", "AI CI high", "reviewed",
                  "review mean"]]
    for c in result.concerns:
        rows.append([
            c.tag.name, c.count, c.labelled, c.negative, round(c.negative_share, 4),
            round(c.negative_ci[0], 4), round(c.negative_ci[1], 4),
            round(c.lift, 3) if c.lift is not None else "",
            round(c.ai_mean, 2) if c.ai_mean is not None else "",
            round(c.ai_ci[0], 2) if c.ai_ci else "", round(c.ai_ci[1], 2) if c.ai_ci else "",
            c.review_n, round(c.review_mean, 2) if c.review_mean is not None else "",
        ])
    return rows


# --- spreadsheets --------------------------------------------------------------------------------


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
