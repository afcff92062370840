"""Everything a project's weekly digest says, gathered in a few bulk reads and judged.

One read of 12 weeks of samples for all the project's metrics (not one per metric), then
the statistics of bot.metrics on each: status, change on last week, weekly points for the
sparkline, guardrail pairs, and where each open hypothesis stands against its promise.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlmodel import Session

import db.digests as digest_queries
import db.metrics as metric_queries
from bot.gates import CalendarError, time_zone
from bot.metrics import MetricKind, MetricSpec, MetricSpecError
from bot.metrics.flags import (
    GuardrailStatus,
    HypothesisProgress,
    MetricStatus,
    Status,
    evaluate,
    evaluate_guardrail,
    hypothesis_progress,
)
from bot.metrics.registry import pair_of, spec_of
from bot.metrics.series import DailySeries, daily_series, mean_reported, weekly_points
from db.claims import as_utc
from db.models import Hypothesis, HypothesisStatus
from db.models.gates import GateReview, Project
from db.models.metrics import Metric

WEEKS = 12  # the sparkline's quarter
DAYS = 7 * WEEKS  # also covers the flags' 56-day history
# Worst first: what needs a decision leads each section.
SEVERITY = {Status.BREACH: 0, Status.WARN: 1, Status.STALE: 2, Status.NO_DATA: 3, Status.OK: 4}


@dataclass(frozen=True, kw_only=True, eq=False)
class MetricView:
    """One metric as the digest shows it."""

    metric: Metric
    spec: MetricSpec
    status: MetricStatus
    series: DailySeries  # the DAYS days ending on the digest's day
    weekly: np.ndarray  # WEEKS weekly means, oldest first; NaN for a silent week


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
    progress: HypothesisProgress | None  # None without data, or with a promise now impossible


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

    @property
    def counts(self) -> dict[str, int]:
        """Return how many metrics are in breach, warn, ok, and stale or without data."""
        tally = Counter(view.status.status for view in self.metrics)
        return {
            "breach": tally[Status.BREACH],
            "warn": tally[Status.WARN],
            "ok": tally[Status.OK],
            "quiet": tally[Status.STALE] + tally[Status.NO_DATA],
        }

    @property
    def flagged(self) -> list[MetricView]:
        """Return the flagged metrics, worst first (anomalies among the ok come last)."""
        flagged = [view for view in self.metrics if view.status.flagged]
        return sorted(flagged, key=lambda view: _rank(view.status))

    def of_kind(self, kind: MetricKind) -> list[MetricView]:
        """Return the metrics of one section."""
        return [view for view in self.metrics if view.spec.kind is kind]


def zone_of(project: Project) -> ZoneInfo:
    """Return the project's time zone; UTC if the stored name is broken (set-up shows why)."""
    try:
        return time_zone(project.timezone)
    except CalendarError:
        return ZoneInfo("UTC")


def iso_week(day: date) -> str:
    """Return the ISO week of `day` as "2026-W48" (the digest's once-a-week key)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def gather(*, session: Session, project: Project, now: datetime) -> DigestData:
    """Read and judge the project's week as of `now`."""
    assert project.id is not None
    now = as_utc(now)
    zone = zone_of(project)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=DAYS - 1)
    metrics = metric_queries.list_metrics(session=session, project_id=project.id)
    start = datetime.combine(first, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    samples: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    rows = metric_queries.samples_between(
        session=session, metric_ids=[m.id for m in metrics if m.id], start=start, end=end
    )
    for metric_id, at, value in rows:
        samples[metric_id].append((at, value))
    views = []
    for metric in metrics:
        spec = spec_of(metric)
        series = daily_series(samples[metric.id or 0], tz=zone, start=first, end=today)
        views.append(
            MetricView(
                metric=metric,
                spec=spec,
                status=evaluate(spec, series, today=today),
                series=series,
                weekly=weekly_points(series, end=today, weeks=WEEKS),
            )
        )
    order = {kind: index for index, kind in enumerate(MetricKind)}
    views.sort(key=lambda v: (order[v.spec.kind], *_rank(v.status), v.spec.name))
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
        pairs=_pairs(views, today=today),
        hypotheses=[_hypothesis(h, m, views, today=today) for h, m in links if _open(h)],
        gates=[
            GateView(review=r, answers=a, people=p, decided=_within(r.decided_at, since, now))
            for r, a, p in gates
        ],
    )


def _rank(status: MetricStatus) -> tuple[int, bool]:
    return SEVERITY[status.status], not status.anomaly


def _pairs(views: list[MetricView], *, today: date) -> list[PairView]:
    by_id = {view.metric.id: view for view in views}
    pairs = []
    for view in views:
        guardrail = view.metric
        primary = by_id.get(guardrail.guardrail_of) if guardrail.guardrail_of else None
        if primary is None or guardrail.guardrail_max_drop is None:
            continue
        status = evaluate_guardrail(
            pair_of(guardrail=guardrail, primary=primary.metric),
            primary_spec=primary.spec,
            primary=primary.series,
            guardrail_spec=view.spec,
            guardrail=view.series,
            today=today,
        )
        pairs.append(PairView(primary=primary.metric, guardrail=guardrail, status=status))
    return sorted(pairs, key=lambda p: (not p.status.violated, p.primary.name, p.guardrail.name))


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
    progress = None
    if current is not None:
        assert hypothesis.baseline_value is not None and hypothesis.target_value is not None
        try:
            progress = hypothesis_progress(
                baseline=hypothesis.baseline_value,
                target=hypothesis.target_value,
                current=current,
                direction=view.spec.direction,
                elapsed_fraction=_elapsed(hypothesis, today=today),
            )
        except MetricSpecError:  # the metric's direction changed since the promise was made
            progress = None
    return HypothesisView(hypothesis=hypothesis, metric=metric, current=current, progress=progress)


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
