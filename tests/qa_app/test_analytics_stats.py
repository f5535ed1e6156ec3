"""Bucketing by local time (across DST and zones) and peak detection, on hand-computed cases."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from qa_app.analytics import stats

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def test_nine_oclock_local_is_hour_nine_on_both_sides_of_dst() -> None:
    # Berlin: CET (UTC+1) until 2026-03-29 02:00, then CEST (UTC+2)
    before = datetime(2026, 3, 27, 8, 0)  # Friday 09:00 CET
    after = datetime(2026, 3, 30, 7, 0)  # Monday 09:00 CEST
    grid = stats.heatmap([before, after], BERLIN)
    assert grid[4][9] == 1 and grid[0][9] == 1
    assert sum(map(sum, grid)) == 2


def test_the_same_moment_falls_on_different_days_by_zone() -> None:
    moment = datetime(2026, 11, 2, 3, 30)  # Monday 03:30 UTC
    assert stats.heatmap([moment], ZoneInfo("UTC"))[0][3] == 1
    assert stats.heatmap([moment], NEW_YORK)[6][22] == 1  # Sunday 22:30 EST


def test_local_day_range_in_utc_follows_dst() -> None:
    start, end = stats.local_days_to_utc(date(2026, 3, 29), date(2026, 3, 29), BERLIN)
    assert start == datetime(2026, 3, 28, 23, 0)
    assert end == datetime(2026, 3, 29, 22, 0)  # a 23-hour day


def test_daily_counts_zero_fill_and_use_local_dates() -> None:
    times = [datetime(2026, 1, 1, 23, 30), datetime(2026, 1, 3, 12, 0)]  # 00:30 Jan 2 in Berlin
    assert stats.daily_counts(times, BERLIN, date(2026, 1, 1), date(2026, 1, 3)) == [
        (date(2026, 1, 1), 0),
        (date(2026, 1, 2), 1),
        (date(2026, 1, 3), 1),
    ]


def test_one_outlier_day_is_a_peak_and_ordinary_noise_is_not() -> None:
    counts = [20, 22, 19, 21, 20, 23, 18, 60, 21, 20]
    assert stats.peaks(counts) == [False] * 7 + [True] + [False] * 2
    line = stats.baseline(counts)
    assert line.median == 20.5
    assert 20.5 < line.threshold < 60


def test_quiet_periods_do_not_flag_single_contacts() -> None:
    assert stats.peaks([0, 0, 1, 0, 0, 2, 0]) == [False] * 7
    assert stats.peaks([]) == []
