"""Shared metrics: what a team measures, which way is good, and where the rollback trigger sits.

The statistics live in the submodules: `series` turns samples into days, `flags` judges a
metric each day and decides when an escape alert is due, `sparkline` and `chart` draw them.
Nothing here knows about Slack or the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from bot.core.errors import InvalidInput


class MetricSpecError(InvalidInput, ValueError):
    """A metric or guardrail cannot be defined as asked; the message says what to change."""


class _Choice(StrEnum):
    """A choice stored by its value and typed by people as the value or its label."""

    @property
    def label(self) -> str:
        """Return the words people read, e.g. "model health"."""
        return self.value.replace("_", " ")

    @classmethod
    def parse(cls, text: str) -> Self:
        """Return the member named by `text`, any case, with spaces, dashes or underscores."""
        wanted = "_".join(str(text).strip().lower().replace("-", " ").split())
        for member in cls:
            if wanted == member.value:
                return member
        choices = ", ".join(member.value for member in cls)
        raise MetricSpecError(f"Unknown {cls._noun()} '{str(text).strip()}': use one of {choices}.")

    @classmethod
    def _noun(cls) -> str:
        return "metric kind" if cls is MetricKind else "direction"


class MetricKind(_Choice):
    """The digest's sections, in the order stakeholders read them."""

    MODEL_HEALTH = "model_health"
    PRODUCT = "product"
    BUSINESS = "business"


class Direction(_Choice):
    """Which way a metric moves when things get better."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"

    def gain(self, change: float) -> float:
        """Return `change` signed so that positive always means better."""
        return change if self is Direction.HIGHER_IS_BETTER else -change


_NAME_LIMIT = 64


@dataclass(frozen=True, kw_only=True)
class MetricSpec:
    """One shared metric: its thresholds (breach = the rollback trigger), owner and patience."""

    name: str
    kind: MetricKind
    unit: str = ""
    direction: Direction
    warn: float | None = None
    breach: float | None = None
    periods_in_row: int = 1
    owner: str | None = None
    stale_after_periods: int = 2

    def __post_init__(self) -> None:
        # Stored rows come back as plain strings; coerce once so comparisons are by member.
        object.__setattr__(self, "kind", MetricKind.parse(self.kind))
        object.__setattr__(self, "direction", Direction.parse(self.direction))
        object.__setattr__(self, "unit", " ".join(self.unit.split()))
        owner = " ".join((self.owner or "").split())
        object.__setattr__(self, "owner", owner or None)
        _check_name(self.name, what="A metric")
        for label, value in (("warn", self.warn), ("breach", self.breach)):
            if value is not None and not _finite(value):
                raise MetricSpecError(
                    f"The {label} threshold of '{self.name}' must be a number, not {value!r}."
                )
        _check_order(self)
        _check_count(self.periods_in_row, "periods_in_row", name=self.name)
        _check_count(self.stale_after_periods, "stale_after_periods", name=self.name)


@dataclass(frozen=True, kw_only=True)
class GuardrailPair:
    """A primary metric's lift does not count if `guardrail` falls by more than `max_drop`.

    `relative=True` reads `max_drop` as a fraction of the guardrail's baseline (0.02 = 2%);
    otherwise it is in the guardrail's own unit.
    """

    primary: str
    guardrail: str
    max_drop: float
    relative: bool = True

    def __post_init__(self) -> None:
        _check_name(self.primary, what="The primary metric")
        _check_name(self.guardrail, what="The guardrail metric")
        if self.primary == self.guardrail:
            raise MetricSpecError(f"'{self.primary}' cannot be its own guardrail.")
        if not _finite(self.max_drop) or self.max_drop <= 0:
            raise MetricSpecError(
                f"The guardrail's allowed drop must be a positive number, not {self.max_drop!r}."
            )
        if self.relative and self.max_drop >= 1:
            raise MetricSpecError(
                f"A relative drop is a fraction: write 0.02 for 2%, not {self.max_drop!r}."
            )


def format_number(value: float) -> str:
    """Return `value` the way people write thresholds: 0.80, 1250, 0.0035."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if round(value, 2) == value:
        return f"{value:.2f}"
    return f"{value:.4g}"


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_name(name: str, *, what: str) -> None:
    # `/metric record <name> <value>` splits on spaces, so a name must be one word.
    if not isinstance(name, str) or not name.strip():
        raise MetricSpecError(f"{what} needs a name, e.g. 'relevance_rating'.")
    if len(name.split()) != 1 or name != name.strip():
        raise MetricSpecError(
            f"{what} name '{name.strip()}' has spaces: use one word, e.g. "
            f"'{'_'.join(name.split())}'."
        )
    if len(name) > _NAME_LIMIT:
        raise MetricSpecError(f"{what} name is {len(name)} characters; keep it to {_NAME_LIMIT}.")


def _check_order(spec: MetricSpec) -> None:
    if spec.warn is None or spec.breach is None:
        return
    # The breach (rollback trigger) must lie at or beyond warn on the bad side.
    if spec.direction is Direction.HIGHER_IS_BETTER and spec.breach > spec.warn:
        side = "at or below"
    elif spec.direction is Direction.LOWER_IS_BETTER and spec.breach < spec.warn:
        side = "at or above"
    else:
        return
    raise MetricSpecError(
        f"For a {spec.direction.label.replace(' ', '-')} metric the breach threshold "
        f"({format_number(spec.breach)}) must be {side} the warn threshold "
        f"({format_number(spec.warn)})."
    )


def _check_count(value: int, field: str, *, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MetricSpecError(
            f"'{name}': {field.replace('_', ' ')} must be a whole number of days, 1 or more, "
            f"not {value!r}."
        )
