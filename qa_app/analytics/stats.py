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
