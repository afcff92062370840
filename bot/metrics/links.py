"""Hypotheses decided by a shared metric: which metric, from where, to where, by when."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from bot.core.errors import InvalidInput
from bot.hypotheses import service as hypotheses
from bot.metrics import Direction
from bot.metrics import registry as metric_registry
from bot.metrics.format import NumberFormat
from db.columns import utcnow
from db.models import Hypothesis, HypothesisStatus
from db.models.gates import Project
from db.models.metrics import Metric


@dataclass(frozen=True, kw_only=True)
class Link:
    """A hypothesis and the metric that now decides it."""

    hypothesis: Hypothesis
    metric: Metric


def _today(project: Project, now: datetime) -> date:
    try:
        return now.astimezone(ZoneInfo(project.timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.date()


def link(
    *,
    session: Session,
    project: Project,
    hypothesis_id: int,
    metric_name: str,
    baseline: float,
    target: float,
    decide_by: date | None = None,
    now: datetime | None = None,
) -> Link:
    """Name the metric that decides a hypothesis of this channel, with its promise.

    The target must lie on the metric's good side of the baseline: a hypothesis that
    "wins" by making the metric worse is a typo in direction or numbers, not a claim.
    """
    now = now or utcnow()
    hypothesis = hypotheses.get(
        session=session, workspace_id=project.workspace_id, hypothesis_id=hypothesis_id
    )
    if hypothesis.channel_id != project.channel_id:
        raise InvalidInput(
            f"Hypothesis #{hypothesis_id} belongs to <#{hypothesis.channel_id}>: link it to a "
            "metric of that channel's project, from there."
        )
    if hypothesis.status != HypothesisStatus.OPEN:
        state = "still a draft: save it first" if hypothesis.status == "draft" else "discarded"
        raise InvalidInput(f"Hypothesis #{hypothesis_id} is {state}.")
    metric = metric_registry.get(session=session, project=project, name=metric_name)
    if not (math.isfinite(baseline) and math.isfinite(target)):
        raise InvalidInput("The baseline and the target must be finite numbers.")
    direction = Direction(metric.direction)
    if direction.gain(target - baseline) <= 0:
        side = "above" if direction is Direction.HIGHER_IS_BETTER else "below"
        fmt = NumberFormat.of(metric_registry.spec_of(metric))
        raise InvalidInput(
            f"`{metric.name}` is {direction.label}, so the target ({fmt.value(target)}) "
            f"must be {side} the baseline ({fmt.value(baseline)})."
        )
    if decide_by is not None and decide_by < _today(project, now):
        raise InvalidInput(f"{decide_by.isoformat()} has passed: give a deadline still ahead.")
    hypothesis.deciding_metric_id = metric.id
    hypothesis.baseline_value = baseline
    hypothesis.target_value = target
    hypothesis.decide_by = decide_by
    hypothesis.updated_at = now
    session.add(hypothesis)
    session.flush()
    return Link(hypothesis=hypothesis, metric=metric)
