"""Judge each metric each day, decide when an escape alert is due, and track hypotheses.

The rules, in one place:
- A period is a day. "Beyond" a threshold means strictly on its bad side.
- N in a row: warn or breach counts once the last `periods_in_row` reported days are all
  beyond that threshold. Days nobody reported neither extend nor break a run (the stale rule
  watches gaps); a short breach run that still makes N days beyond warn counts as warn.
- Stale: the latest report is `stale_after_periods` days or more before the day judged.
  No data: nothing was ever reported up to that day.
- Anomaly: |z| >= 3 for the latest value against the trailing history it is not part of.
- Escape episodes open on the first breach and close after `periods_in_row` reported days
  back within the trigger, so a metric hovering at the trigger does not post every other day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import NamedTuple

import numpy as np

from bot.metrics import Direction, GuardrailPair, MetricSpec, MetricSpecError, format_number
from bot.metrics.series import (
    MIN_BASELINE,
    DailySeries,
    Trend,
    fit_trend,
    last_reported,
    mean_reported,
    trailing_run,
    zscore,
)

ANOMALY_Z = 3.0
_WEEK = 7


class Status(StrEnum):
    """A metric's standing on the day judged."""

    OK = "ok"
    WARN = "warn"
    BREACH = "breach"
    STALE = "stale"
    NO_DATA = "no_data"


@dataclass(frozen=True, kw_only=True)
class MetricStatus:
    """Everything the digest and the escape alert say about one metric on one day."""

    name: str
    day: date  # the day judged
    status: Status
    value: float | None = None  # the latest report on or before `day`
    as_of: date | None = None  # the day of `value`
    previous_week_value: float | None = None  # the latest report 7 to 13 days before `as_of`
    change_abs: float | None = None
    change_rel: float | None = None  # None when last week's value was 0
    trend: Trend | None = None  # over the 7 days ending on `day`; None under 3 reports
    slope: float | None = None  # fitted change per day
    anomaly: bool = False
    z: float | None = None
    fired_threshold: float | None = None  # set only for warn and breach
    streak: int = 0  # reported days in a row beyond the fired (else the nearest) threshold
    periods_in_row: int = 1
    clear_of_breach: bool = True  # the last `periods_in_row` reports are within the trigger

    @property
    def flagged(self) -> bool:
        """Return whether the digest should show this metric among the flagged ones."""
        return self.status in (Status.WARN, Status.BREACH, Status.STALE) or self.anomaly


def evaluate(
    spec: MetricSpec, series: DailySeries, *, today: date, history_days: int = 56
) -> MetricStatus:
    """Return `spec`'s status on `today` from its daily `series` (later days are ignored)."""
    if history_days <= MIN_BASELINE:
        raise ValueError(f"history_days must exceed {MIN_BASELINE}, not {history_days}.")
    upto = series.values[: max((today - series.start).days + 1, 0)]
    last = last_reported(upto)
    if last is None:
        return MetricStatus(name=spec.name, day=today, status=Status.NO_DATA)
    as_of = series.start + timedelta(days=last)
    value = float(upto[last])
    window = series.window(end=today, days=history_days)
    reported = window[np.isfinite(window)]
    runs = {
        level: trailing_run(beyond(spec.direction, reported, threshold))
        for level, threshold in ((Status.BREACH, spec.breach), (Status.WARN, spec.warn))
        if threshold is not None
    }
    n = spec.periods_in_row
    status, fired = Status.OK, None
    if runs.get(Status.BREACH, 0) >= n:
        status, fired = Status.BREACH, spec.breach
    elif runs.get(Status.WARN, 0) >= n:
        status, fired = Status.WARN, spec.warn
    streak = runs[status] if fired is not None else max(runs.values(), default=0)
    if (today - as_of).days >= spec.stale_after_periods:
        status, fired = Status.STALE, None
    clear = spec.breach is None or (
        reported.size >= n and not beyond(spec.direction, reported[-n:], spec.breach).any()
    )
    before = series.window(end=as_of - timedelta(days=_WEEK), days=_WEEK)
    prior = last_reported(before)
    previous = None if prior is None else float(before[prior])
    change = None if previous is None else value - previous
    trend, slope = fit_trend(window[-_WEEK:])
    baseline = series.window(end=as_of - timedelta(days=1), days=history_days - 1)
    z = zscore(value=value, baseline=baseline)
    return MetricStatus(
        name=spec.name,
        day=today,
        status=status,
        value=value,
        as_of=as_of,
        previous_week_value=previous,
        change_abs=change,
        change_rel=None if change is None or not previous else change / abs(previous),
        trend=trend,
        slope=slope,
        anomaly=z is not None and abs(z) >= ANOMALY_Z,
        z=z,
        fired_threshold=fired,
        streak=streak,
        periods_in_row=n,
        clear_of_breach=clear,
    )


def beyond(direction: Direction, values: np.ndarray, threshold: float) -> np.ndarray:
    """Return, for each value, whether it lies on the bad side of `threshold`."""
    # Strictly: "drops below 72%" means < 72%, so sitting on a threshold is not a crossing.
    if direction is Direction.HIGHER_IS_BETTER:
        return values < threshold
    return values > threshold


@dataclass(frozen=True, kw_only=True)
class GuardrailStatus:
    """A primary metric and its guardrail side by side: this window against the one before."""

    pair: GuardrailPair
    primary_before: float | None
    primary_now: float | None
    guardrail_before: float | None
    guardrail_now: float | None
    lift: float | None  # the primary's change, positive when it improved
    drop: float | None  # the guardrail's worsening in the pair's terms (fraction if relative)
    primary_lifted: bool
    guardrail_dropped: bool  # fell by more than the pair allows
    violated: bool  # both: the lift does not count

    def limit(self, direction: Direction) -> float | None:
        """Return the level this week's mean may reach before the lift stops counting.

        The guardrail's mean of the week before, less what the pair allows (its share of
        that mean when relative); above it for a guardrail where lower is better.
        """
        before = self.guardrail_before
        if before is None:
            return None
        allowed = self.pair.max_drop * abs(before) if self.pair.relative else self.pair.max_drop
        return before - direction.gain(allowed)


def evaluate_guardrail(
    pair: GuardrailPair,
    *,
    primary_spec: MetricSpec,
    primary: DailySeries,
    guardrail_spec: MetricSpec,
    guardrail: DailySeries,
    today: date,
    baseline_days: int = 7,
) -> GuardrailStatus:
    """Return whether the guardrail fell by more than allowed while the primary improved.

    Each metric's "now" is the mean of its reports in the `baseline_days` ending `today`,
    "before" the mean over the same length just before; means keep one noisy day from
    deciding. "Fell" follows the guardrail's direction: a latency guardrail falls by rising.
    """
    if (pair.primary, pair.guardrail) != (primary_spec.name, guardrail_spec.name):
        raise ValueError(f"The specs do not match the pair {pair.primary}/{pair.guardrail}.")
    if baseline_days < 1:
        raise ValueError(f"baseline_days must be 1 or more, not {baseline_days}.")
    earlier = today - timedelta(days=baseline_days)
    p_before = mean_reported(primary.window(end=earlier, days=baseline_days))
    p_now = mean_reported(primary.window(end=today, days=baseline_days))
    g_before = mean_reported(guardrail.window(end=earlier, days=baseline_days))
    g_now = mean_reported(guardrail.window(end=today, days=baseline_days))
    lift = drop = None
    if p_before is not None and p_now is not None:
        lift = primary_spec.direction.gain(p_now - p_before)
    if g_before is not None and g_now is not None:
        drop = -guardrail_spec.direction.gain(g_now - g_before)
        if pair.relative:
            drop = _relative(drop, g_before)
    lifted = lift is not None and lift > 0
    dropped = drop is not None and drop > pair.max_drop
    return GuardrailStatus(
        pair=pair,
        primary_before=p_before,
        primary_now=p_now,
        guardrail_before=g_before,
        guardrail_now=g_now,
        lift=lift,
        drop=drop,
        primary_lifted=lifted,
        guardrail_dropped=dropped,
        violated=lifted and dropped,
    )


def _relative(change: float, base: float) -> float:
    # From a zero baseline any fall is infinitely large in relative terms, and still a fall.
    if base:
        return change / abs(base)
    return 0.0 if change == 0 else float(np.sign(change)) * float("inf")


class AlertKind(StrEnum):
    """What an escape alert announces."""

    BREACH = "breach"
    RECOVERED = "recovered"


@dataclass(frozen=True, kw_only=True)
class EpisodeState:
    """What the database keeps per metric between evaluations; the default is "no episode"."""

    in_breach: bool = False
    since: date | None = None  # the day the episode's breach first counted
    threshold: float | None = None  # the trigger that fired, for the recovery message


@dataclass(frozen=True, kw_only=True)
class Alert:
    """One escape alert to post: the breach that opened an episode, or its recovery."""

    kind: AlertKind
    metric: str
    day: date
    value: float
    threshold: float
    since: date
    status: Status
    trend: Trend | None
    streak: int


class Transition(NamedTuple):
    """The state to store and the alert to post, if any."""

    state: EpisodeState
    alert: Alert | None


_KEEPS_EPISODE_OPEN = (Status.BREACH, Status.STALE, Status.NO_DATA)


def next_alert(*, state: EpisodeState, status: MetricStatus) -> Transition:
    """Advance a metric's escape episode by one evaluation: alert once when it opens and closes.

    Stale or missing data never closes an episode: silence is not evidence of recovery.
    Calling again with the same status changes nothing, so re-evaluating a day is safe.
    """
    if not state.in_breach:
        if status.status is not Status.BREACH:
            return Transition(state, None)
        assert status.as_of is not None and status.fired_threshold is not None
        opened = EpisodeState(in_breach=True, since=status.as_of, threshold=status.fired_threshold)
        return Transition(opened, _alert(AlertKind.BREACH, opened, status))
    if status.status in _KEEPS_EPISODE_OPEN or not status.clear_of_breach:
        return Transition(state, None)
    return Transition(EpisodeState(), _alert(AlertKind.RECOVERED, state, status))


def _alert(kind: AlertKind, episode: EpisodeState, status: MetricStatus) -> Alert:
    assert status.value is not None and status.as_of is not None
    assert episode.since is not None and episode.threshold is not None
    return Alert(
        kind=kind,
        metric=status.name,
        day=status.as_of,
        value=status.value,
        threshold=episode.threshold,
        since=episode.since,
        status=status.status,
        trend=status.trend,
        streak=status.streak,
    )


class Verdict(StrEnum):
    """Where a hypothesis stands against the change it promised."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    FALSIFIED = "falsified"


@dataclass(frozen=True, kw_only=True)
class HypothesisProgress:
    """A verdict with the two fractions behind it, for "42% of the change, 60% of the time"."""

    verdict: Verdict
    progress: float  # share of the promised change achieved; negative if it moved backwards
    elapsed_fraction: float


def hypothesis_progress(
    *,
    baseline: float,
    target: float,
    current: float,
    direction: Direction | str,
    elapsed_fraction: float,
    margin: float = 0.25,
) -> HypothesisProgress:
    """Judge a hypothesis's deciding metric against the straight path from baseline to target.

    Reaching the target is on track at any time. Once the window is over (elapsed >= 1)
    anything short of it is falsified. Before that, it is at risk when the share of the
    promised change achieved trails the share of the window elapsed by more than `margin`.
    """
    way = Direction.parse(direction)
    numbers = {"baseline": baseline, "target": target, "current": current}
    for label, number in {**numbers, "elapsed_fraction": elapsed_fraction}.items():
        if not np.isfinite(number):
            raise MetricSpecError(f"The hypothesis's {label} must be a number, not {number!r}.")
    if way.gain(target - baseline) <= 0:
        side = "above" if way is Direction.HIGHER_IS_BETTER else "below"
        raise MetricSpecError(
            f"For a {way.label.replace(' ', '-')} metric the target ({format_number(target)}) "
            f"must be {side} the baseline ({format_number(baseline)})."
        )
    if elapsed_fraction < 0:
        raise MetricSpecError(f"The elapsed share of the window is negative: {elapsed_fraction}.")
    progress = (current - baseline) / (target - baseline)
    if progress >= 1:
        verdict = Verdict.ON_TRACK
    elif elapsed_fraction >= 1:
        verdict = Verdict.FALSIFIED
    elif progress < elapsed_fraction - margin:
        verdict = Verdict.AT_RISK
    else:
        verdict = Verdict.ON_TRACK
    return HypothesisProgress(
        verdict=verdict, progress=float(progress), elapsed_fraction=float(elapsed_fraction)
    )
