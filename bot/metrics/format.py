"""How every surface writes a metric's numbers: one precision per metric, its unit, points for %.

The precision of a metric is chosen once, from its thresholds: enough decimals to write each
threshold exactly, and at least what its scale needs to show a movement (two decimals under
10, one under 100, none from 100). So "warn below 3.00% · breach below 2.80%", a value of
3.10% and a change of +0.20 pts all read alike in the digest, the alerts and /metric list.

A metric in "%" changes in percentage points: 3.10% → 3.30% is "+0.20 pts (+6.5%)", the
relative change in brackets. Text is mrkdwn (the unit escaped) unless built `plain`, for
the chart's labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.metrics import Direction, MetricSpec
from bot.slack.mrkdwn import escape

MAX_DECIMALS = 6
_MINUS = "−"  # U+2212: a hyphen reads as a dash next to a number
_TIGHT_UNITS = frozenset({"%", "‰"})  # written against the number: 72%, not 72 %
POINTS = "pts"


def decimals_for(*levels: float | None) -> int:
    """Return the decimals that write every level exactly and show its scale's movements."""
    finite = [abs(level) for level in levels if level is not None and math.isfinite(level)]
    if not finite:
        return 2
    scale = max(finite)
    needed = max(_decimals_in(level) for level in finite)
    if scale >= 100:
        floor = 0
    elif scale >= 10:
        floor = 1
    elif scale >= 0.1 or scale == 0:
        floor = 2
    else:  # two significant digits of a small scale: 0.0035 → 4 decimals
        floor = min(MAX_DECIMALS, 1 - math.floor(math.log10(scale)))
    return min(MAX_DECIMALS, max(needed, floor))


def _decimals_in(level: float) -> int:
    for places in range(MAX_DECIMALS + 1):
        if math.isclose(round(level, places), level, rel_tol=0, abs_tol=1e-9):
            return places
    return MAX_DECIMALS


def _fixed(value: float, decimals: int) -> str:
    if math.isinf(value):
        return "∞"
    text = f"{abs(value):,.{decimals}f}"
    negative = value < 0 and float(text.replace(",", "")) != 0
    return f"{_MINUS if negative else ''}{text}"


def percent(fraction: float) -> str:
    """Return a fraction as a share: 0.065 → "6.5%"; whole shares and those past 100% whole."""
    if math.isinf(fraction):
        return "∞" if fraction > 0 else f"{_MINUS}∞"
    share = fraction * 100
    whole = abs(share) >= 100 or math.isclose(share, round(share), abs_tol=1e-9)
    return f"{_fixed(share, 0 if whole else 1)}%"


def signed_percent(fraction: float) -> str:
    """Return a relative change with its sign: +6.5%, −12.8%."""
    return ("+" if fraction > 0 else "±" if fraction == 0 else "") + percent(fraction)


@dataclass(frozen=True, kw_only=True)
class NumberFormat:
    """One metric's way of writing its values, changes and thresholds."""

    unit: str = ""
    decimals: int = 2
    direction: Direction = Direction.HIGHER_IS_BETTER
    plain: bool = False  # for the chart: the unit as written, not escaped for mrkdwn

    @classmethod
    def of(cls, spec: MetricSpec, *, plain: bool = False) -> NumberFormat:
        """Return the format of `spec`: its unit, direction and the precision its thresholds set."""
        return cls(
            unit=spec.unit,
            decimals=decimals_for(spec.warn, spec.breach),
            direction=spec.direction,
            plain=plain,
        )

    @property
    def in_points(self) -> bool:
        """Return whether changes are percentage points (the unit is %)."""
        return self.unit == "%"

    def _with_unit(self, number: str, unit: str) -> str:
        if not unit:
            return number
        shown = unit if self.plain else escape(unit)
        return f"{number}{'' if unit in _TIGHT_UNITS else ' '}{shown}"

    def value(self, value: float | None) -> str:
        """Return a level with its unit: 3.10%, 0.72, 312 ms; "—" for none."""
        if value is None or math.isnan(value):
            return "—"
        return self._with_unit(_fixed(value, self.decimals), self.unit)

    def size(self, change: float) -> str:
        """Return how big a change is, unsigned: 0.20 pts, 0.10, 12 ms."""
        unit = POINTS if self.in_points else self.unit
        return self._with_unit(_fixed(abs(change), self.decimals), unit)

    def change(self, change: float, *, before: float | None = None) -> str:
        """Return a change signed, with the relative change on `before`: +0.20 pts (+6.5%)."""
        sign = "+" if change > 0 else _MINUS if change < 0 else "±"
        text = sign + self.size(change)
        if before:
            text += f" ({signed_percent(change / abs(before))})"
        return text

    @property
    def bad_side(self) -> str:
        """Return where a threshold's bad side lies: "below" for higher-is-better."""
        return "below" if self.direction is Direction.HIGHER_IS_BETTER else "above"

    def threshold(self, level: float) -> str:
        """Return a threshold with its comparison: below 3.00%."""
        return f"{self.bad_side} {self.value(level)}"

    def thresholds(self, *, warn: float | None, breach: float | None, bold: bool = False) -> str:
        """Return both thresholds: "warn below 3.00% · breach below 2.80%"."""
        parts = []
        if warn is not None:
            parts.append(f"warn {self.threshold(warn)}")
        if breach is not None:
            trigger = f"breach {self.threshold(breach)}"
            parts.append(f"*{trigger}*" if bold else trigger)
        return " · ".join(parts)

    def versus(self, value: float, *, threshold: float, what: str = "rollback trigger") -> str:
        """Return a value against a threshold: "at 0.70 is below its rollback trigger of 0.72"."""
        side = "on" if value == threshold else ("above" if value > threshold else "below")
        return f"at {self.value(value)} is {side} its {what} of {self.value(threshold)}"


def allowed_drop(*, max_drop: float, relative: bool, fmt: NumberFormat) -> str:
    """Return what a guardrail may lose: "2.0% of its level" or "0.50 pts"."""
    if relative:
        return f"{percent(max_drop)} of its level"
    return fmt.size(max_drop)
