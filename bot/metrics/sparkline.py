"""A quarter of a metric in one line of text, for the weekly digest."""

from __future__ import annotations

import math
from collections.abc import Iterable

BARS = "▁▂▃▄▅▆▇█"
GAP = "·"  # a visible gap: Slack trims and collapses spaces, which would shift the weeks
FLAT = BARS[3]  # a series that never moved sits mid-height: neither good nor bad news


def sparkline(values: Iterable[float | None]) -> str:
    """Return one bar per value, scaled from the lowest (▁) to the highest (█) shown.

    Missing or non-finite values show as "·"; a series with a single distinct value is
    drawn flat at "▄"; nothing to show gives "". Pass the 12 weekly points (see
    `bot.metrics.series.weekly_points`).
    """
    points = [float(v) if v is not None and math.isfinite(v) else None for v in values]
    known = [v for v in points if v is not None]
    if not known:
        return GAP * len(points)
    low, span = min(known), max(known) - min(known)
    return "".join(_bar(v, low=low, span=span) for v in points)


def _bar(value: float | None, *, low: float, span: float) -> str:
    if value is None:
        return GAP
    if span == 0:
        return FLAT
    # floor(x + 0.5), not round(): Python rounds halves to even, so equal steps would land
    # on uneven bars.
    return BARS[math.floor((value - low) / span * (len(BARS) - 1) + 0.5)]
