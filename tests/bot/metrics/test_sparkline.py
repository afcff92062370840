"""Sparklines: exact strings for the digest's twelve weekly points."""

from __future__ import annotations

import math
from datetime import date

import pytest

from bot.metrics.series import DailySeries, weekly_points
from bot.metrics.sparkline import sparkline


def test_eight_even_steps_use_every_bar_once():
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert sparkline([8, 7, 6, 5, 4, 3, 2, 1]) == "█▇▆▅▄▃▂▁"


def test_twelve_weeks_with_a_missing_one():
    weeks = [10, 12, 14, math.nan, 17, 24, 24, 10, 11, 13, 20, 15]

    # Scaled onto 0..7 as (v - 10) / 2: halves round up, so 11 -> ▂ and 13 -> ▃.
    assert sparkline(weeks) == "▁▂▃·▅██▁▂▃▆▄"


def test_the_scale_is_the_range_shown_not_zero_based():
    assert sparkline([0.70, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.77]) == "▁▂▃▄▅▆▇█"
    assert sparkline([-5, 5]) == "▁█"


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ([], ""),
        ([0.8], "▄"),
        ([3, 3, 3], "▄▄▄"),
        ([3, math.nan, 3], "▄·▄"),
        ([math.nan, math.nan], "··"),
        ([None, 1, math.inf, 2, -math.inf], "·▁·█·"),
    ],
)
def test_edge_cases(values, line):
    assert sparkline(values) == line


def test_a_quarter_of_daily_values_becomes_twelve_weekly_bars():
    values = [float(day // 7) for day in range(84)]  # one step up each week
    values[14:21] = [math.nan] * 7  # week 3 missing
    series = DailySeries(start=date(2024, 1, 1), values=values)

    line = sparkline(weekly_points(series, end=series.end))

    # Week k's mean is k: bar round(k / 11 * 7) gives 0 1 _ 2 3 3 4 4 5 6 6 7.
    assert line == "▁▂·▃▄▄▅▅▆▇▇█"
