"""Read a project's metrics and twelve weeks of samples in one query, and judge them once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

import db.metrics as queries
from bot.metrics.registry import MetricLine, list_lines, pair_of, spec_of
from bot.metrics.series import daily_series
from bot.metrics.state import Judgement, MetricState, judge
from db.claims import as_utc
from db.models.gates import Project
from db.models.metrics import Metric

WEEKS = 12  # the sparkline's and the chart's quarter
DAYS = 7 * WEEKS  # also covers the flags' 56-day history


@dataclass(frozen=True, kw_only=True)
class ProjectMetrics:
    """A project's metrics, each with its one state, on the project's `today`."""

    today: date
    zone: ZoneInfo
    metrics: list[Metric]  # by name
    judgement: Judgement

    def state_of(self, metric: Metric) -> MetricState:
        """Return the state of one of the project's metrics."""
        return self.judgement.of(metric.name)


def zone_of(project: Project) -> ZoneInfo:
    """Return the project's time zone; UTC if the stored name is broken (set-up shows why)."""
    try:
        return ZoneInfo(project.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


def judge_project(*, session: Session, project: Project, now: datetime) -> ProjectMetrics:
    """Return the project's metrics judged as of `now`, in its own time zone."""
    assert project.id is not None
    zone = zone_of(project)
    today = as_utc(now).astimezone(zone).date()
    first = today - timedelta(days=DAYS - 1)
    metrics = queries.list_metrics(session=session, project_id=project.id)
    rows = queries.samples_between(
        session=session,
        metric_ids=[m.id for m in metrics if m.id],
        start=datetime.combine(first, time(), tzinfo=zone).astimezone(UTC),
        end=datetime.combine(today + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC),
    )
    samples: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for metric_id, at, value in rows:
        samples[metric_id].append((at, value))
    by_id = {metric.id: metric for metric in metrics}
    pairs = [
        pair_of(guardrail=metric, primary=by_id[metric.guardrail_of])
        for metric in metrics
        if metric.guardrail_of in by_id and metric.guardrail_max_drop is not None
    ]
    judged = judge(
        [
            (spec_of(m), daily_series(samples[m.id or 0], tz=zone, start=first, end=today))
            for m in metrics
        ],
        pairs,
        today=today,
    )
    return ProjectMetrics(today=today, zone=zone, metrics=metrics, judgement=judged)


def judged_lines(*, session: Session, project: Project, now: datetime) -> list[MetricLine]:
    """Return the project's metrics for /metric list: latest value and where each stands."""
    lines = list_lines(session=session, project=project)
    judged = judge_project(session=session, project=project, now=now)
    return [replace(line, state=judged.state_of(line.metric)) for line in lines]
