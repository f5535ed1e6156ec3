"""Bucketing by local time (across DST and zones), peak detection, proportion tests, BH and
Wilson intervals, on hand-computed cases."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from qa_app.analytics import significance, stats

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


# --- local time in SQL: offset spans --------------------------------------------------------------


def test_offset_spans_find_the_spring_transition_to_the_minute() -> None:
    spans = stats.offset_spans(datetime(2026, 3, 28), datetime(2026, 3, 31), BERLIN)
    assert spans == [(datetime(2026, 3, 28), 3600), (datetime(2026, 3, 29, 1, 0), 7200)]
    # 09:00 local on both sides of the change lands in hour 9
    for moment in (datetime(2026, 3, 28, 8, 0), datetime(2026, 3, 30, 7, 0)):
        assert stats.local_seconds(moment, spans) % 86400 // 3600 == 9


def test_offset_spans_autumn_in_new_york_and_fixed_zones() -> None:
    spans = stats.offset_spans(datetime(2026, 10, 31), datetime(2026, 11, 3), NEW_YORK)
    assert spans == [(datetime(2026, 10, 31), -4 * 3600), (datetime(2026, 11, 1, 6, 0), -5 * 3600)]
    # 01:30 local happens twice that night: 05:30 UTC (EDT) and 06:30 UTC (EST)
    assert stats.local_seconds(datetime(2026, 11, 1, 5, 30), spans) % 86400 == 5400
    assert stats.local_seconds(datetime(2026, 11, 1, 6, 30), spans) % 86400 == 5400
    kolkata = stats.offset_spans(
        datetime(2026, 3, 1), datetime(2026, 4, 1), ZoneInfo("Asia/Kolkata")
    )
    assert kolkata == [(datetime(2026, 3, 1), 19800)]  # +05:30, no DST


def test_day_numbers_and_weekdays() -> None:
    assert stats.day_number(date(1970, 1, 1)) == 0
    assert stats.weekday_of(stats.day_number(date(2026, 11, 23))) == 0  # a Monday
    assert stats.from_day_number(stats.day_number(date(2026, 2, 28)) + 1) == date(2026, 3, 1)
    cells = [
        (stats.day_number(date(2026, 11, 23)), 9, 2),
        (stats.day_number(date(2026, 11, 29)), 23, 1),
    ]
    grid = stats.heatmap_from_cells(cells)
    assert grid[0][9] == 2 and grid[6][23] == 1 and sum(map(sum, grid)) == 3


def test_trend_buckets_and_previous_period() -> None:
    # 7-day blocks from the first day: no partial first week, a short last one
    assert stats.buckets(date(2026, 11, 4), date(2026, 11, 18), "week") == [
        date(2026, 11, 4),
        date(2026, 11, 11),
        date(2026, 11, 18),
    ]
    assert len(stats.buckets(date(2026, 11, 4), date(2026, 11, 6), "day")) == 3
    assert stats.previous_period(date(2026, 11, 8), date(2026, 11, 14)) == (
        date(2026, 11, 1),
        date(2026, 11, 7),
    )


def test_span_percent_clips_and_keeps_instants_visible() -> None:
    start, end = datetime(2026, 11, 1), datetime(2026, 11, 11)
    assert stats.span_percent(start, end, datetime(2026, 11, 2), datetime(2026, 11, 4)) == (10, 20)
    left, width = stats.span_percent(start, end, datetime(2026, 10, 1), datetime(2026, 11, 2))
    assert (left, width) == (0, 10)
    assert stats.span_percent(start, end, datetime(2026, 11, 6), datetime(2026, 11, 6))[1] == 0.6


# --- significance -------------------------------------------------------------------------------


def test_two_proportion_z_by_hand() -> None:
    # 30/100 against 20/100: pooled 0.25, se = sqrt(.25 * .75 * .02) = 0.061237, z = 1.63299
    result = significance.two_proportion_z(30, 100, 20, 100)
    assert result.z == pytest.approx(1.63299, abs=1e-5)
    assert result.p_value == pytest.approx(0.102470, abs=1e-5)
    assert result.diff == pytest.approx(0.10)
    assert significance.two_proportion_z(0, 0, 5, 10).p_value == 1.0
    assert significance.two_proportion_z(0, 10, 0, 10).p_value == 1.0  # no variation at all


def test_chi_square_of_a_two_by_two_equals_z_squared() -> None:
    statistic, p = significance.chi_square([[30, 70], [20, 80]])
    assert statistic == pytest.approx(1.63299**2, abs=1e-4)
    assert p == pytest.approx(0.102470, abs=1e-5)
    assert significance.chi_square([[5, 0], [7, 0]]) == (0.0, 1.0)  # one column left


def test_benjamini_hochberg_by_hand() -> None:
    # sorted: .01 * 4/1 = .04, .03 * 4/2 = .06, .04 * 4/3 = .0533, .5 * 4/4 = .5, then made
    # monotone from the top: .04, .0533, .0533, .5
    q = significance.benjamini_hochberg([0.01, 0.04, 0.03, 0.5])
    assert q == pytest.approx([0.04, 0.053333, 0.053333, 0.5], abs=1e-6)
    assert significance.benjamini_hochberg([]) == []
    assert significance.benjamini_hochberg([0.9, 0.9]) == [0.9, 0.9]


def test_wilson_interval_by_hand() -> None:
    low, high = significance.wilson(0, 10)
    assert low == 0 and high == pytest.approx(0.2775, abs=1e-4)
    assert significance.wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert significance.wilson(0, 0) == (0.0, 1.0)


def test_mean_interval_from_sums() -> None:
    # 1, 2, 3: mean 2, sample sd 1, half-width 1.96 / sqrt(3) = 1.1316
    low, high = significance.mean_interval(3, 2.0, 14 / 3)
    assert (low, high) == pytest.approx((2 - 1.13158, 2 + 1.13158), abs=1e-4)
    assert significance.mean_interval(1, 70.0, 4900.0) == (70.0, 70.0)
    assert significance.mean_interval(2, 1.0, 2.0, bounds=(0.0, 100.0))[0] == 0.0  # clipped
