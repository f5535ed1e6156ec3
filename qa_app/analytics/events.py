"""Campaigns, awards and outages recorded by analysts, their place on time charts, and the
before/after comparison that says whether customers reacted to them."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select

from qa_app.admin.services import record_audit
from qa_app.analytics import event_stats
from qa_app.analytics.models import Event
from qa_app.auth.models import User
from qa_app.calls.models import Channel, Interaction
from qa_app.calls.services import visible_interactions
from qa_app.extensions import db
from qa_app.tagging.library import published_taxonomy
from qa_app.tagging.models import AssignmentState, Tag, TagAssignment
from qa_app.timeutil import utcnow

if TYPE_CHECKING:
    from qa_app.analytics.services import Filters

KINDS = ("campaign", "award", "outage", "release", "other")
DEFAULT_WINDOW = timedelta(days=7)
MAX_WINDOW = timedelta(days=92)
ALPHA = 0.05
BINS_PER_SIDE = 12
WINDOW_DAYS = (1, 3, 7, 14, 28)  # the choices the event page offers


def events_between(start: datetime, end: datetime) -> list[Event]:
    """Events that overlap [start, end) (naive UTC), earliest first, for chart markers."""
    overlapping = select(Event).where(
        Event.starts_at < end,
        or_(Event.ends_at.is_(None), Event.ends_at >= start),
    )
    return list(db.session.scalars(overlapping.order_by(Event.starts_at)))


# --- recording events ---


@dataclass(frozen=True)
class EventData:
    """What the form collected; times are naive local times in ``tz``."""

    name: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    description: str
    tz: str
    tags: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


class EventError(ValueError):
    """Input a form cannot check alone; ``field`` names the form field it belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def to_utc(local: datetime, tz: str) -> datetime:
    return local.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC).replace(tzinfo=None)


def to_local(moment: datetime, tz: str) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def list_events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.starts_at.desc(), Event.id)))


def get_event(event_id: int) -> Event | None:
    return db.session.get(Event, event_id)


def _apply(event: Event, data: EventData) -> dict[str, object]:
    if data.kind not in KINDS:
        raise EventError("kind", f"Pick one of: {', '.join(KINDS)}.")
    starts_at = to_utc(data.starts_at, data.tz)
    ends_at = to_utc(data.ends_at, data.tz) if data.ends_at else None
    if ends_at is not None and ends_at <= starts_at:
        raise EventError("ends_at", "The end must be after the start.")
    unknown = set(data.channels) - {c.value for c in Channel}
    if unknown:
        raise EventError("channels", f"Unknown channel(s): {', '.join(sorted(unknown))}.")
    event.name = data.name.strip()
    event.kind = data.kind
    event.starts_at = starts_at
    event.ends_at = ends_at
    event.description = data.description.strip()
    parts = {"tags": data.tags, "queues": data.queues, "channels": data.channels}
    event.scope = {key: sorted(set(values)) for key, values in parts.items() if values}
    return _snapshot(event)


def _snapshot(event: Event) -> dict[str, object]:
    return {
        "name": event.name,
        "kind": event.kind,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat() if event.ends_at else None,
        "scope": dict(event.scope or {}),
    }


def create_event(data: EventData, actor: User) -> Event:
    """:raise EventError: for a bad kind, an end before the start or an unknown channel."""
    event = Event(created_by_id=actor.id)
    after = _apply(event, data)
    db.session.add(event)
    db.session.flush()
    record_audit(actor, "event.create", event, after=after)
    return event


def update_event(event: Event, data: EventData, actor: User) -> Event:
    """:raise EventError: as ``create_event``."""
    before = _snapshot(event)
    after = _apply(event, data)
    db.session.flush()
    record_audit(actor, "event.update", event, before=before, after=after)
    return event


def delete_event(event: Event, actor: User) -> None:
    record_audit(actor, "event.delete", event, before=_snapshot(event))
    db.session.delete(event)
    db.session.flush()


def scope_choices() -> dict[str, list[tuple[str, str]]]:
    """Tags of the published taxonomy, known queues, and channels, for the event form."""
    taxonomy = published_taxonomy()
    tags = [(t.key, t.name) for t in taxonomy.tags if not t.is_retired] if taxonomy else []
    queues = db.session.scalars(
        select(Interaction.queue)
        .where(Interaction.queue.is_not(None))
        .distinct()
        .order_by(Interaction.queue)
    )
    return {
        "tags": sorted(tags, key=lambda t: t[1].lower()),
        "queues": [(q, q) for q in queues],
        "channels": [(c.value, c.value.capitalize()) for c in Channel],
    }


# --- before/after comparison ---


@dataclass(frozen=True)
class Window:
    """One side of the comparison; ``start``/``end`` are clipped to the data, ``note`` says
    why a side is shorter than asked or empty."""

    label: str
    start: datetime
    end: datetime
    asked_start: datetime
    asked_end: datetime
    count: int
    note: str

    @property
    def days(self) -> float:
        return max((self.end - self.start).total_seconds(), 0.0) / 86400

    @property
    def is_empty(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class TagShift:
    key: str
    name: str
    share: event_stats.ShareComparison
    q_value: float | None

    @property
    def is_significant(self) -> bool:
        return self.q_value is not None and self.q_value < ALPHA


@dataclass(frozen=True)
class Bin:
    """One bar of the event page's chart: [start, end) on one side of the event start."""

    start: datetime
    end: datetime
    count: int
    is_after: bool


@dataclass(frozen=True)
class EventComparison:
    event: Event
    length: timedelta
    before: Window
    after: Window
    volume: event_stats.RateComparison
    negative: event_stats.ShareComparison
    tags: list[TagShift]
    bins: list[Bin]
    notes: list[str]

    @property
    def length_text(self) -> str:
        days, hours = self.length.days, self.length.seconds // 3600
        parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
        return " ".join(parts + ([f"{hours} h"] if hours or not days else []))


def scoped(user: User, event: Event, filters: Filters | None = None) -> Select[tuple[Interaction]]:
    """What the user may see, narrowed to the queues, channels and tags the event concerns and
    then by the page's filter bar (team, agent, channel, queue, tag; the windows replace its
    period)."""
    from qa_app.analytics.services import narrowed  # services imports this module

    scope = event.scope or {}
    query = visible_interactions(user)
    if filters is not None:
        query = narrowed(query, filters)
    if scope.get("queues"):
        query = query.where(Interaction.queue.in_(scope["queues"]))
    if scope.get("channels"):
        query = query.where(Interaction.channel.in_([Channel(c) for c in scope["channels"]]))
    if scope.get("tags"):
        tagged = (
            select(TagAssignment.interaction_id)
            .join(Tag, TagAssignment.tag_id == Tag.id)
            .where(
                Tag.key.in_(scope["tags"]),
                TagAssignment.interaction_id.is_not(None),
                TagAssignment.state != AssignmentState.REJECTED,
            )
        )
        query = query.where(Interaction.id.in_(tagged))
    return query


def window_length(event: Event, days: int | None = None) -> timedelta:
    """``days`` when asked; else the event's length rounded up to whole days but at least a
    week: a shorter window compares a Monday with a Sunday (or a daytime outage with the night
    before) and measures the calendar, not the event. At most about a quarter."""
    if days is not None:
        return min(timedelta(days=max(days, 1)), MAX_WINDOW)
    if event.ends_at is None:
        return DEFAULT_WINDOW
    whole_days = math.ceil((event.ends_at - event.starts_at).total_seconds() / 86400)
    return min(max(timedelta(days=whole_days), DEFAULT_WINDOW), MAX_WINDOW)


def _fmt(moment: datetime) -> str:
    return moment.strftime("%d %b %Y %H:%M")


def _windows(
    event: Event, length: timedelta, data_start: datetime | None, now: datetime
) -> tuple[tuple[datetime, datetime, str], tuple[datetime, datetime, str]]:
    """The before and after windows clipped to where data can exist: not before the first
    interaction, not after now."""
    start = event.starts_at
    b_start, b_end = start - length, start
    a_start, a_end = start, start + length
    b_note = a_note = ""
    if data_start is None:
        return (b_end, b_end, "No interactions at all yet."), (a_start, a_start, "")
    if data_start >= b_end:
        first = _fmt(data_start)
        b_start, b_note = b_end, f"No data before the event: the first interaction is {first} UTC."
    elif data_start > b_start:
        b_start, b_note = data_start, f"Shortened: the data starts {_fmt(data_start)} UTC."
    if now <= a_start:
        a_end, a_note = a_start, "The event has not started yet: nothing to compare after it."
    elif now < a_end:
        a_end, a_note = now, "Still running: compared up to now, per day."
    return (b_start, b_end, b_note), (a_start, a_end, a_note)


def _data_start(user: User) -> datetime | None:
    return db.session.scalar(
        visible_interactions(user).with_only_columns(func.min(Interaction.started_at))
    )


SIDES = ("before", "after")


def window_interactions(
    user: User,
    event: Event,
    side: str,
    days: int | None = None,
    tag_key: str | None = None,
    now: datetime | None = None,
    limit: int = 200,
    filters: Filters | None = None,
) -> tuple[tuple[datetime, datetime], list[Interaction]]:
    """The interactions behind one side of the comparison (and one tag row): the exact window
    ``compare_event`` counted, with its scope and tag rule, newest first.

    :return: the window's (start, end) in naive UTC, and at most ``limit`` interactions.
    """
    length = window_length(event, days)
    before, after = _windows(event, length, _data_start(user), now or utcnow())
    start, end, _ = before if side == "before" else after
    query = scoped(user, event, filters).where(
        Interaction.started_at >= start, Interaction.started_at < end
    )
    if tag_key is not None:
        query = query.where(Interaction.id.in_(_tagged(tag_key)))
    query = query.order_by(Interaction.started_at.desc(), Interaction.id.desc()).limit(limit)
    return (start, end), list(db.session.scalars(query).unique())


def _tagged(tag_key: str) -> Select[tuple[int]]:
    """Interactions counted under ``tag_key`` in the tag shares (same taxonomy rule)."""
    query = (
        select(TagAssignment.interaction_id)
        .join(Tag, TagAssignment.tag_id == Tag.id)
        .where(
            Tag.key == tag_key,
            TagAssignment.interaction_id.is_not(None),
            TagAssignment.state != AssignmentState.REJECTED,
        )
    )
    taxonomy = published_taxonomy()
    return query.where(Tag.taxonomy_id == taxonomy.id) if taxonomy is not None else query


def compare_event(
    user: User,
    event: Event,
    now: datetime | None = None,
    days: int | None = None,
    filters: Filters | None = None,
) -> EventComparison:
    """Before vs after the event start on volume (rate per day), negative mood share and tag
    shares, over windows of the event's length, within the event's scope and what the user
    may see. Windows are clipped at the data's first interaction and at ``now``."""
    now = now or utcnow()
    length = window_length(event, days)
    query = scoped(user, event, filters)
    (b_start, b_end, b_note), (a_start, a_end, a_note) = _windows(
        event, length, _data_start(user), now
    )
    rows = db.session.execute(
        query.with_only_columns(Interaction.id, Interaction.started_at, Interaction.mood_label)
        .where(Interaction.started_at >= b_start, Interaction.started_at < a_end)
        .order_by(None)
    ).all()
    before_rows = [r for r in rows if r.started_at < b_end]
    after_rows = [r for r in rows if r.started_at >= a_start]
    before = Window("Before", b_start, b_end, b_end - length, b_end, len(before_rows), b_note)
    after = Window("After", a_start, a_end, a_start, a_start + length, len(after_rows), a_note)
    notes = [w.note for w in (before, after) if w.note]
    for window in (before, after):
        if not window.is_empty and window.count == 0:
            notes.append(f"No interactions in the {window.label.lower()} window.")

    volume = event_stats.compare_rates(before.count, before.days, after.count, after.days)
    negative = event_stats.compare_shares(
        sum(1 for r in before_rows if r.mood_label == "negative"),
        sum(1 for r in before_rows if r.mood_label is not None),
        sum(1 for r in after_rows if r.mood_label == "negative"),
        sum(1 for r in after_rows if r.mood_label is not None),
    )
    after_ids = {r.id for r in after_rows}
    tags = _tag_shifts({r.id for r in before_rows}, after_ids, len(before_rows), len(after_rows))
    return EventComparison(
        event=event,
        length=length,
        before=before,
        after=after,
        volume=volume,
        negative=negative,
        tags=tags,
        bins=_bins(rows, event.starts_at, length, (b_start, a_end)),
        notes=notes,
    )


def _tag_shifts(
    before_ids: set[int], after_ids: set[int], before_n: int, after_n: int
) -> list[TagShift]:
    """Per tag of the published taxonomy (every version when none is published), the share
    of interactions carrying it before and after, BH-corrected across the tags tested."""
    if not before_n or not after_n:
        return []
    ids = before_ids | after_ids
    pairs = (
        select(TagAssignment.interaction_id, Tag.key, Tag.name)
        .join(Tag, TagAssignment.tag_id == Tag.id)
        .where(
            TagAssignment.interaction_id.in_(ids),
            TagAssignment.state != AssignmentState.REJECTED,
        )
        .distinct()
    )
    taxonomy = published_taxonomy()
    if taxonomy is not None:
        pairs = pairs.where(Tag.taxonomy_id == taxonomy.id)
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    names: dict[str, str] = {}
    seen: set[tuple[int, str]] = set()
    for interaction_id, key, name in db.session.execute(pairs):
        if (interaction_id, key) in seen:
            continue
        seen.add((interaction_id, key))
        names[key] = name
        hits[key][0 if interaction_id in before_ids else 1] += 1
    comparisons = {
        key: event_stats.compare_shares(b, before_n, a, after_n) for key, (b, a) in hits.items()
    }
    keys = sorted(comparisons)
    q_values = event_stats.benjamini_hochberg([comparisons[k].p_value or 1.0 for k in keys])
    shifts = [TagShift(k, names[k], comparisons[k], q) for k, q in zip(keys, q_values, strict=True)]
    return sorted(shifts, key=lambda s: (s.q_value or 1.0, -abs(s.share.difference or 0), s.key))


def _bins(
    rows: list, event_start: datetime, length: timedelta, span: tuple[datetime, datetime]
) -> list[Bin]:
    """Twelve bars a side, aligned on the event start, within the span that has data."""
    step = length / BINS_PER_SIDE
    counts: dict[int, int] = defaultdict(int)
    for row in rows:
        counts[math.floor((row.started_at - event_start) / step)] += 1
    bins = []
    for index in range(-BINS_PER_SIDE, BINS_PER_SIDE):
        start = event_start + index * step
        if start + step <= span[0] or start >= span[1]:
            continue
        bins.append(Bin(start, start + step, counts.get(index, 0), index >= 0))
    return bins


def export_rows(result: EventComparison, tz: str) -> list[list[object]]:
    """The comparison as one table for spreadsheets: windows, volume, negative mood, tags."""
    event = result.event

    def local(moment: datetime | None) -> str:
        return to_local(moment, tz).strftime("%Y-%m-%d %H:%M") if moment else ""

    def num(value: float | None, digits: int = 4) -> object:
        return round(value, digits) if value is not None else ""

    rows: list[list[object]] = [
        ["event", event.name],
        ["kind", event.kind],
        [f"starts ({tz})", local(event.starts_at)],
        [f"ends ({tz})", local(event.ends_at)],
        ["window each side", result.length_text],
        [],
        ["window", f"from ({tz})", f"to ({tz})", "days", "interactions"],
    ]
    for w in (result.before, result.after):
        rows.append([w.label.lower(), local(w.start), local(w.end), num(w.days, 2), w.count])
    v = result.volume
    rows += [
        [],
        ["volume", "before per day", "after per day", "rate ratio", "CI low", "CI high", "p"],
        ["interactions", num(v.before_rate, 3), num(v.after_rate, 3), num(v.ratio, 3),
         num(v.low, 3), num(v.high, 3), num(v.p_value, 6)],
    ]  # fmt: skip
    share_head = ["before hits", "before n", "before share", "after hits", "after n",
                  "after share", "difference", "CI low", "CI high", "p"]  # fmt: skip

    def share(s: event_stats.ShareComparison) -> list[object]:
        return [s.before_hits, s.before_n, num(s.before_share), s.after_hits, s.after_n,
                num(s.after_share), num(s.difference), num(s.low), num(s.high),
                num(s.p_value, 6)]  # fmt: skip

    rows += [
        [],
        ["negative mood", *share_head],
        ["interactions with a mood", *share(result.negative)],
    ]
    rows += [[], ["tag", "name", *share_head, "q (BH)", "significant"]]
    for t in result.tags:
        sig = "yes" if t.is_significant else ""
        rows.append([t.key, t.name, *share(t.share), num(t.q_value, 6), sig])
    return rows
