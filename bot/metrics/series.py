"""From timestamped samples to one value per day, and the statistics the flags are built on.

Every function here handles NaN (a day nobody reported) explicitly: numpy's nan-aware
reductions warn on an all-NaN slice, and a warning is an error in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np

Sample = tuple[datetime, float]

MIN_BASELINE = 14  # two weeks: fewer points give a standard deviation nobody should trust
_TREND_MIN_POINTS = 3  # a line through two points always fits perfectly
_TREND_P = 0.05
_TREND_MATERIAL = 0.01  # a fitted change under 1% of the level across the window reads as flat


class Trend(StrEnum):
    """Which way a metric moved over the last days, regardless of which way is good."""

    RISING = "rising"
    FALLING = "falling"
    FLAT = "flat"


@dataclass(frozen=True, kw_only=True, eq=False)
class DailySeries:
    """One value per calendar day from `start`; NaN where nothing was reported."""

    start: date
    values: np.ndarray

    def __post_init__(self) -> None:
        values = np.array(self.values, dtype=np.float64).reshape(-1)
        values.setflags(write=False)  # frozen should mean frozen, the array included
        object.__setattr__(self, "values", values)

    def __len__(self) -> int:
        return int(self.values.size)

    @property
    def end(self) -> date:
        """Return the last day covered (the day before `start` when empty)."""
        return self.start + timedelta(days=len(self) - 1)

    @property
    def days(self) -> np.ndarray:
        """Return the days as numpy datetime64[D], ready for plotting."""
        first = np.datetime64(self.start, "D")
        return first + np.arange(len(self), dtype="timedelta64[D]")

    def window(self, *, end: date, days: int) -> np.ndarray:
        """Return the `days` values ending on `end` (inclusive), NaN outside the series."""
        out = np.full(max(days, 0), np.nan)
        first = (end - self.start).days - days + 1  # series index of the window's first day
        lo, hi = max(first, 0), min(first + days, len(self))
        if lo < hi:
            out[lo - first : hi - first] = self.values[lo:hi]
        return out


def daily_series(
    samples: Iterable[Sample], *, tz: tzinfo | str, start: date, end: date
) -> DailySeries:
    """Return one value per local day from `start` to `end`: the day's latest sample wins.

    The shared metrics are gauges (a rate, a rating, a p95 latency): the latest reading is
    the day's value, and a corrected re-send replaces the earlier one rather than being
    averaged with it. Days are cut in the project's time zone `tz`; naive timestamps are
    UTC, the storage convention (SQLite hands back naive datetimes). Non-finite values and
    samples outside the range are ignored.
    """
    if end < start:
        raise ValueError(f"The series ends ({end}) before it starts ({start}).")
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    values = np.full((end - start).days + 1, np.nan)
    stamped = []
    for at, value in samples:
        aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
        if math.isfinite(value):
            stamped.append((aware, value))
    stamped.sort(key=lambda sample: sample[0])  # stable: the later of equal times wins
    for at, value in stamped:
        index = (at.astimezone(zone).date() - start).days
        if 0 <= index < values.size:
            values[index] = value
    return DailySeries(start=start, values=values)


def weekly_points(series: DailySeries, *, end: date, weeks: int = 12) -> np.ndarray:
    """Return one point per 7-day block ending on `end`: the mean of the reported days.

    A sparkline shows the shape of a quarter; a week's mean keeps one noisy day from
    drawing the shape. A week with no report is NaN.
    """
    blocks = series.window(end=end, days=7 * weeks).reshape(weeks, 7)
    reported = np.isfinite(blocks)
    counts = reported.sum(axis=1)
    sums = np.where(reported, blocks, 0.0).sum(axis=1)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def last_reported(values: np.ndarray) -> int | None:
    """Return the index of the last finite value, or None when there is none."""
    indices = np.flatnonzero(np.isfinite(values))
    return int(indices[-1]) if indices.size else None


def mean_reported(values: np.ndarray) -> float | None:
    """Return the mean of the finite values, or None when there is none."""
    reported = values[np.isfinite(values)]
    return float(reported.mean()) if reported.size else None


def trailing_run(flags: np.ndarray) -> int:
    """Return how many of the last entries of a boolean array are True in a row."""
    misses = np.flatnonzero(~flags)
    return int(flags.size - (misses[-1] + 1 if misses.size else 0))


def zscore(*, value: float, baseline: np.ndarray, min_points: int = MIN_BASELINE) -> float | None:
    """Return how many standard deviations `value` sits from the baseline's reported values.

    The caller leaves the value itself out of `baseline`, so a spike cannot widen the very
    spread it is measured against. None with fewer than `min_points` reports. A baseline
    with no spread gives 0 when the value matches it and ±inf when it does not: a metric
    that never moved and now did is as unusual as it gets.
    """
    reported = baseline[np.isfinite(baseline)]
    if reported.size < min_points:
        return None
    mean = float(reported.mean())
    sd = float(reported.std(ddof=1))
    tolerance = 1e-12 * max(1.0, abs(mean))  # float noise in the mean of equal values
    if sd <= tolerance:
        return 0.0 if abs(value - mean) <= tolerance else math.copysign(math.inf, value - mean)
    return (value - mean) / sd


def fit_trend(values: np.ndarray) -> tuple[Trend | None, float | None]:
    """Return the trend of consecutive daily values and the fitted slope per day.

    Rising or falling needs both a slope distinguishable from noise (linear regression,
    p < 0.05) and a fitted change across the window of at least 1% of the level; anything
    else is flat. None (unknown) with fewer than 3 reported days.
    """
    days = np.flatnonzero(np.isfinite(values))
    if days.size < _TREND_MIN_POINTS:
        return None, None
    levels = values[days]
    if np.ptp(levels) == 0:
        return Trend.FLAT, 0.0
    from scipy.stats import linregress  # seconds to import: only where a trend is judged

    fit = linregress(days.astype(np.float64), levels)
    slope = float(fit.slope)
    change = abs(slope) * (values.size - 1)
    material = change >= _TREND_MATERIAL * abs(float(levels.mean()))
    if not (fit.pvalue < _TREND_P and material):
        return Trend.FLAT, slope
    return (Trend.RISING if slope > 0 else Trend.FALLING), slope
