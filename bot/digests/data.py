"""Everything a project's weekly digest says, gathered in a few bulk reads and judged.

One read of 12 weeks of samples for all the project's metrics (not one per metric), then
the statistics of bot.metrics on each: status, change on last week, weekly points for the
sparkline, guardrail pairs, and where each open hypothesis stands against its promise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from sqlmodel import Session

import db.digests as digest_queries
import db.metrics as metric_queries
from bot.metrics import MetricKind, MetricSpec, MetricSpecError
from bot.metrics.flags import GuardrailStatus, HypothesisProgress, MetricStatus
from bot.metrics.judging import WEEKS, judge_project
from bot.metrics.series import DailySeries, mean_reported, weekly_points
from bot.metrics.state import HypothesisState, Judgement, MetricState, judge_hypothesis
from db.claims import as_utc
from db.models import Hypothesis, HypothesisStatus
from db.models.gates import GateReview, Project
from db.models.metrics import Metric


@dataclass(frozen=True, kw_only=True, eq=False)
class MetricView:
    """One metric as the digest shows it."""

    metric: Metric
    state: MetricState  # the one evaluation every line, count and chart reads
    weekly: np.ndarray  # WEEKS weekly means, oldest first; NaN for a silent week

    @property
    def spec(self) -> MetricSpec:
        """Return the statistics' view of the metric."""
        return self.state.spec

    @property
    def status(self) -> MetricStatus:
        """Return the metric's own status (thresholds, days in a row, change, anomaly)."""
        return self.state.status

    @property
    def series(self) -> DailySeries:
        """Return the twelve weeks of days ending on the digest's day."""
        return self.state.series


@dataclass(frozen=True, kw_only=True)
class PairView:
    """A primary metric and its guardrail, side by side."""

    primary: Metric
    guardrail: Metric
    status: GuardrailStatus


@dataclass(frozen=True, kw_only=True)
class HypothesisView:
    """An open hypothesis, its deciding metric and where that stands against the promise."""

    hypothesis: Hypothesis
    metric: Metric
    current: float | None  # the deciding metric's mean over the last 7 days
    judged: HypothesisState | None  # None without data, or with a promise now impossible
    state: MetricState  # the deciding metric's

    @property
    def progress(self) -> HypothesisProgress | None:
        """Return the progress and verdict (guardrails applied), if it could be judged."""
        return None if self.judged is None else self.judged.progress


@dataclass(frozen=True, kw_only=True)
class GateView:
    """A gate review answered or decided during the digest's week."""

    review: GateReview
    answers: int  # answered or edited during the week
    people: int
    decided: bool  # the decision was logged during the week


@dataclass(frozen=True, kw_only=True)
class DigestData:
    """One project's week: its metrics by kind, guardrails, hypotheses and gates."""

    project: Project
    now: datetime
    today: date  # the digest's day in the project's time zone
    week: str  # the ISO week of `today`, e.g. "2026-W48"
    metrics: list[MetricView]  # by kind, then worst first, then by name
    pairs: list[PairView]
    hypotheses: list[HypothesisView]
    gates: list[GateView]
    judgement: Judgement

    @property
    def counts(self) -> dict[str, int]:
        """Return how many metrics are in breach, void a lift, warn, ok, and quiet."""
        return self.judgement.counts

    @property
    def flagged(self) -> list[MetricView]:
        """Return the flagged metrics, worst first (anomalies among the ok come last)."""
        by_name = {view.spec.name: view for view in self.metrics}
        return [by_name[state.spec.name] for state in self.judgement.flagged]

    def of_kind(self, kind: MetricKind) -> list[MetricView]:
        """Return the metrics of one section."""
        return [view for view in self.metrics if view.spec.kind is kind]


def iso_week(day: date) -> str:
    """Return the ISO week of `day` as "2026-W48" (the digest's once-a-week key)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def gather(*, session: Session, project: Project, now: datetime) -> DigestData:
    """Read and judge the project's week as of `now`."""
    assert project.id is not None
    now = as_utc(now)
    judged = judge_project(session=session, project=project, now=now)
    today = judged.today
    views = [
        MetricView(
            metric=metric,
            state=(state := judged.state_of(metric)),
            weekly=weekly_points(state.series, end=today, weeks=WEEKS),
        )
        for metric in judged.metrics
    ]
    order = {kind: index for index, kind in enumerate(MetricKind)}
    views.sort(key=lambda v: (order[v.spec.kind], *v.state.rank, v.spec.name))
    links = metric_queries.deciding_links(session=session, project_id=project.id)
    since = now - timedelta(days=7)
    gates = digest_queries.gate_activity(
        session=session, project_id=project.id, start=since, end=now
    )
    return DigestData(
        project=project,
        now=now,
        today=today,
        week=iso_week(today),
        metrics=views,
        pairs=_pairs(views, judged.judgement),
        hypotheses=[_hypothesis(h, m, views, today=today) for h, m in links if _open(h)],
        gates=[
            GateView(review=r, answers=a, people=p, decided=_within(r.decided_at, since, now))
            for r, a, p in gates
        ],
        judgement=judged.judgement,
    )


def _pairs(views: list[MetricView], judgement: Judgement) -> list[PairView]:
    by_name = {view.spec.name: view.metric for view in views}
    return [
        PairView(primary=by_name[g.pair.primary], guardrail=by_name[g.pair.guardrail], status=g)
        for g in judgement.pairs
    ]


def _open(hypothesis: Hypothesis) -> bool:
    return (
        hypothesis.status == HypothesisStatus.OPEN
        and hypothesis.baseline_value is not None
        and hypothesis.target_value is not None
    )


def _hypothesis(
    hypothesis: Hypothesis, metric: Metric, views: list[MetricView], *, today: date
) -> HypothesisView:
    view = next(v for v in views if v.metric.id == metric.id)
    # A week's mean, as the guardrails use: one noisy day must not falsify a hypothesis.
    current = mean_reported(view.series.window(end=today, days=7))
    judged = None
    if current is not None:
        assert hypothesis.baseline_value is not None and hypothesis.target_value is not None
        try:
            judged = judge_hypothesis(
                baseline=hypothesis.baseline_value,
                target=hypothesis.target_value,
                current=current,
                state=view.state,
                elapsed_fraction=_elapsed(hypothesis, today=today),
            )
        except MetricSpecError:  # the metric's direction changed since the promise was made
            judged = None
    return HypothesisView(
        hypothesis=hypothesis, metric=metric, current=current, judged=judged, state=view.state
    )


def _elapsed(hypothesis: Hypothesis, *, today: date) -> float:
    """Return the share of the hypothesis's window gone; 0 without a deadline (never late)."""
    if hypothesis.decide_by is None:
        return 0.0
    began = as_utc(hypothesis.saved_at or hypothesis.created_at).date()
    total = (hypothesis.decide_by - began).days
    if total <= 0:
        return 1.0
    return max(0.0, (today - began).days / total)


def _within(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= as_utc(moment) < end
