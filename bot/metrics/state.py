"""A metric's state, evaluated once: thresholds and days in a row, then the guardrails on top.

Every surface (the digest's headline, rows and chart, hypothesis verdicts, the Home,
/metric list) reads the state from here rather than re-deriving it from a status:

- A guardrail that voids its primary's lift (the primary improved while the guardrail fell
  by more than allowed) stands at VOIDS_LIFT, flagged, unless it is in breach anyway.
- A hypothesis on track by its own metric is at risk while a guardrail voids that metric's
  lift: "+2% completion is not enough if discovery rate drops".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from bot.metrics import GuardrailPair, MetricSpec
from bot.metrics.flags import (
    GuardrailStatus,
    HypothesisProgress,
    MetricStatus,
    Status,
    Verdict,
    evaluate,
    evaluate_guardrail,
    hypothesis_progress,
)
from bot.metrics.series import DailySeries


class Standing(StrEnum):
    """Where a metric stands, worst first."""

    BREACH = "breach"
    VOIDS_LIFT = "voids_lift"
    WARN = "warn"
    STALE = "stale"
    NO_DATA = "no_data"
    OK = "ok"

    @property
    def label(self) -> str:
        """Return the words people read: "voids the lift", "no data"."""
        return "voids the lift" if self is Standing.VOIDS_LIFT else self.value.replace("_", " ")


SEVERITY = {standing: rank for rank, standing in enumerate(Standing)}
FLAGGED = frozenset({Standing.BREACH, Standing.VOIDS_LIFT, Standing.WARN, Standing.STALE})


@dataclass(frozen=True, kw_only=True, eq=False)
class MetricState:
    """One metric on one day: its own status and what its guardrail pairs say of it."""

    spec: MetricSpec
    series: DailySeries
    status: MetricStatus
    voids: tuple[GuardrailStatus, ...] = ()  # as a guardrail: the pairs whose lift it voids
    voided_by: tuple[str, ...] = ()  # as a primary: the guardrails voiding its lift

    @property
    def standing(self) -> Standing:
        """Return the state every surface shows (a breach outranks a voided lift)."""
        if self.status.status is not Status.BREACH and self.voids:
            return Standing.VOIDS_LIFT
        return Standing(self.status.status.value)

    @property
    def flagged(self) -> bool:
        """Return whether the metric is among the flagged: a bad state, or an unusual value."""
        return self.standing in FLAGGED or self.status.anomaly

    @property
    def rank(self) -> tuple[int, bool]:
        """Return the sort key that puts what needs a decision first."""
        return SEVERITY[self.standing], not self.status.anomaly


@dataclass(frozen=True, kw_only=True)
class Judgement:
    """A project's metrics judged on one day, in the order given, with their guardrail pairs."""

    today: date
    states: list[MetricState]
    pairs: list[GuardrailStatus]  # violated first

    def of(self, name: str) -> MetricState:
        """Return the state of the metric called `name`."""
        return next(state for state in self.states if state.spec.name == name)

    @property
    def counts(self) -> dict[str, int]:
        """Return how many metrics stand in breach, void a lift, warn, ok, and quiet."""
        tally = Counter(state.standing for state in self.states)
        return {
            "breach": tally[Standing.BREACH],
            "voids": tally[Standing.VOIDS_LIFT],
            "warn": tally[Standing.WARN],
            "ok": tally[Standing.OK],
            "quiet": tally[Standing.STALE] + tally[Standing.NO_DATA],
        }

    @property
    def flagged(self) -> list[MetricState]:
        """Return the flagged metrics, worst first (anomalies among the ok come last)."""
        return sorted((state for state in self.states if state.flagged), key=lambda s: s.rank)


def judge(
    metrics: Sequence[tuple[MetricSpec, DailySeries]],
    pairs: Sequence[GuardrailPair],
    *,
    today: date,
    history_days: int = 56,
) -> Judgement:
    """Evaluate each metric on `today`, then each guardrail pair over the last two weeks."""
    own = {
        spec.name: (spec, series, evaluate(spec, series, today=today, history_days=history_days))
        for spec, series in metrics
    }
    checked = []
    for pair in pairs:
        if pair.primary not in own or pair.guardrail not in own:
            continue
        primary_spec, primary, _ = own[pair.primary]
        guardrail_spec, guardrail, _ = own[pair.guardrail]
        checked.append(
            evaluate_guardrail(
                pair,
                primary_spec=primary_spec,
                primary=primary,
                guardrail_spec=guardrail_spec,
                guardrail=guardrail,
                today=today,
            )
        )
    checked.sort(key=lambda g: (not g.violated, g.pair.primary, g.pair.guardrail))
    violated = [g for g in checked if g.violated]
    states = [
        MetricState(
            spec=spec,
            series=series,
            status=status,
            voids=tuple(g for g in violated if g.pair.guardrail == name),
            voided_by=tuple(g.pair.guardrail for g in violated if g.pair.primary == name),
        )
        for name, (spec, series, status) in own.items()
    ]
    return Judgement(today=today, states=states, pairs=checked)


@dataclass(frozen=True, kw_only=True)
class HypothesisState:
    """Where a hypothesis stands: its progress, and the guardrails that put it at risk."""

    progress: HypothesisProgress
    voided_by: tuple[str, ...] = ()  # guardrails voiding the deciding metric's lift

    @property
    def verdict(self) -> Verdict:
        """Return the verdict every surface shows."""
        return self.progress.verdict


def judge_hypothesis(
    *, baseline: float, target: float, current: float, state: MetricState, elapsed_fraction: float
) -> HypothesisState:
    """Judge a hypothesis by its deciding metric; on track turns at risk when a guardrail voids it.

    Raises MetricSpecError when the promise no longer fits the metric's direction.
    """
    progress = hypothesis_progress(
        baseline=baseline,
        target=target,
        current=current,
        direction=state.spec.direction,
        elapsed_fraction=elapsed_fraction,
    )
    if state.voided_by and progress.verdict is Verdict.ON_TRACK:
        progress = replace(progress, verdict=Verdict.AT_RISK)
    return HypothesisState(progress=progress, voided_by=state.voided_by)
