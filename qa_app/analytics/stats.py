"""Time bucketing and peak detection for analytics; pure functions over plain values.

Times are stored as naive UTC. Bucketing happens in the site's (or the viewer's) time zone, so
an 09:00 call is counted at 09:00 local time on both sides of a DST change.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAD_TO_SIGMA = 1.4826  # scales the median absolute deviation to a normal standard deviation


def to_local(moment_utc: datetime, tz: ZoneInfo) -> datetime:
    return moment_utc.replace(tzinfo=UTC).astimezone(tz)


def local_days_to_utc(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The naive-UTC half-open range covering local days ``first`` to ``last`` inclusive."""
    start = datetime.combine(first, time.min, tz).astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(last + timedelta(days=1), time.min, tz).astimezone(UTC)
    return start, end.replace(tzinfo=None)


def heatmap(times_utc: Iterable[datetime], tz: ZoneInfo) -> list[list[int]]:
    """Counts per local weekday (rows, Monday first) and hour (columns)."""
    grid = [[0] * 24 for _ in WEEKDAYS]
    for moment in times_utc:
        local = to_local(moment, tz)
        grid[local.weekday()][local.hour] += 1
    return grid


def daily_counts(
    times_utc: Iterable[datetime], tz: ZoneInfo, first: date, last: date
) -> list[tuple[date, int]]:
    """Counts per local calendar day from ``first`` to ``last``, zero-filled."""
    counts: dict[date, int] = {}
    for moment in times_utc:
        day = to_local(moment, tz).date()
        counts[day] = counts.get(day, 0) + 1
    days = (last - first).days + 1
    return [
        (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
        for i in range(max(days, 0))
    ]


@dataclass(frozen=True)
class Baseline:
    median: float
    spread: float  # robust standard deviation (scaled MAD), at least 1 contact
    threshold: float


def baseline(counts: Sequence[int], z: float = 3.0) -> Baseline:
    """The period's typical day: median and scaled MAD, robust to the peaks themselves."""
    if not counts:
        return Baseline(0.0, 1.0, z)
    median = float(statistics.median(counts))
    mad = statistics.median(abs(c - median) for c in counts) * MAD_TO_SIGMA
    spread = max(mad, 1.0, median**0.5)  # a Poisson floor keeps quiet periods from flagging
    return Baseline(median, spread, median + z * spread)


def peaks(counts: Sequence[int], z: float = 3.0) -> list[bool]:
    """Which days stand out: above the median by more than ``z`` robust deviations."""
    line = baseline(counts, z)
    return [c > line.threshold for c in counts]


# --- local time in SQL -------------------------------------------------------------------------
# Grouping by local hour has to happen in the database (a million rows must not travel to
# Python), and SQLite has no time zones. Over one period a zone has only a handful of UTC
# offsets, so local time is ``epoch seconds + offset`` with the offset chosen by a CASE over the
# few spans between transitions: portable, exact across DST, and the same on every backend.

EPOCH_DAY = date(1970, 1, 1)  # a Thursday: weekday(day number n) = (n + 3) % 7
QUARTER = timedelta(minutes=15)  # every offset change since 1970 falls on a quarter hour


def _offset(moment_utc: datetime, tz: ZoneInfo) -> int:
    delta = to_local(moment_utc, tz).utcoffset()
    return int(delta.total_seconds()) if delta else 0


def offset_spans(start: datetime, end: datetime, tz: ZoneInfo) -> list[tuple[datetime, int]]:
    """The UTC offsets of ``tz`` over naive-UTC [start, end): (from, offset seconds) pairs.

    The first pair starts at ``start``; each later one at a transition, found by an hourly scan
    refined to the quarter hour.
    """
    spans = [(start, _offset(start, tz))]
    hour = timedelta(hours=1)
    moment = start
    while moment < end:
        step = min(moment + hour, end)
        if _offset(step, tz) != spans[-1][1]:
            probe = moment
            while _offset(probe, tz) == spans[-1][1]:
                probe += QUARTER
            spans.append((probe, _offset(probe, tz)))
        moment = step
    return spans


def local_seconds(moment_utc: datetime, spans: Sequence[tuple[datetime, int]]) -> int:
    """Local wall-clock seconds since 1970 for a naive-UTC time (the SQL expression's twin)."""
    offset = spans[0][1]
    for since, value in spans:
        if moment_utc >= since:
            offset = value
    epoch = int((moment_utc - datetime(1970, 1, 1)).total_seconds())
    return epoch + offset


def day_number(day: date) -> int:
    return (day - EPOCH_DAY).days


def from_day_number(number: int) -> date:
    return EPOCH_DAY + timedelta(days=number)


def weekday_of(number: int) -> int:
    """Monday = 0, for a day number since 1970-01-01."""
    return (number + 3) % 7


def heatmap_from_cells(cells: Iterable[tuple[int, int, int]]) -> list[list[int]]:
    """Fold (day number, local hour, count) rows into the weekday x hour grid."""
    grid = [[0] * 24 for _ in WEEKDAYS]
    for number, hour, count in cells:
        grid[weekday_of(number)][hour] += count
    return grid


def buckets(first: date, last: date, by: str) -> list[date]:
    """The trend's x axis: every day, or 7-day blocks starting on ``first`` (no partial first
    week; only the last block may be short)."""
    step = timedelta(days=7 if by == "week" else 1)
    out, start = [], first
    while start <= last:
        out.append(start)
        start += step
    return out


def previous_period(first: date, last: date) -> tuple[date, date]:
    """The period of equal length that ends the day before ``first``."""
    length = (last - first).days + 1
    return first - timedelta(days=length), first - timedelta(days=1)


def span_percent(
    start: datetime, end: datetime, left: datetime, right: datetime, minimum: float = 0.6
) -> tuple[float, float]:
    """Where [left, right] sits on a time axis [start, end), as (left %, width %), clipped;
    an instant gets ``minimum`` width so it stays visible."""
    total = (end - start).total_seconds() or 1.0
    a = min(max(left, start), end)
    b = min(max(right, a), end)
    x = (a - start).total_seconds() / total * 100
    width = max((b - a).total_seconds() / total * 100, minimum)
    return x, min(width, 100 - x) if x < 100 else minimum
