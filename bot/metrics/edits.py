"""`/metric update` as an announced edit: the fields that moved, before → after, on the record.

Each setting is compared by its stored value and described as people read it (formatted
by bot.metrics.format, plain: the record holds text, escaped only where it is shown). A new
unit or direction is one change, not also a change of every threshold written with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session

from bot.changes import FieldChange
from bot.changes.service import record_edit
from bot.metrics import Direction, MetricKind
from bot.metrics import registry as metric_registry
from bot.metrics.format import NumberFormat, allowed_drop
from db.models.gates import Project
from db.models.metrics import Metric

SUBJECT_KIND = "metric"
Setting = tuple[object, str | None]  # the stored value, and what people read


@dataclass(frozen=True, kw_only=True)
class Edited:
    """A metric after an update, and the fields that changed (none: nothing to announce)."""

    metric: Metric
    changes: tuple[FieldChange, ...]
    guards: str | None  # the primary's name, when the metric is a guardrail


def update(
    *,
    session: Session,
    project: Project,
    team_id: str,
    name: str,
    changes: Mapping[str, object],
    user_id: str,
) -> Edited:
    """Change a metric and, in the same transaction, record and queue what moved. No commit."""
    metric = metric_registry.get(session=session, project=project, name=name)
    before = settings(session=session, metric=metric)
    metric = metric_registry.update(session=session, project=project, name=name, changes=changes)
    after = settings(session=session, metric=metric)
    moved = tuple(
        FieldChange(field, before[field][1], after[field][1])
        for field in after
        if before[field][0] != after[field][0]
    )
    record_edit(
        session=session,
        project=project,
        team_id=team_id,
        subject_kind=SUBJECT_KIND,
        subject=metric.name,
        changes=moved,
        changed_by=user_id,
    )
    guards = metric_registry.primary_name(session=session, metric=metric)
    return Edited(metric=metric, changes=moved, guards=guards)


def settings(*, session: Session, metric: Metric) -> dict[str, Setting]:
    """Return each announced setting of `metric`: its stored value and its words."""
    fmt = NumberFormat.of(metric_registry.spec_of(metric), plain=True)

    def threshold(level: float | None) -> Setting:
        return level, None if level is None else fmt.threshold(level)

    return {
        "kind": (metric.kind, MetricKind(metric.kind).label),
        "direction": (metric.direction, Direction(metric.direction).label),
        "warn": threshold(metric.warn_threshold),
        "breach": threshold(metric.breach_threshold),
        "days in a row": (metric.periods_in_row, _days(metric.periods_in_row)),
        "stale after": (
            metric.stale_after_periods,
            f"{_days(metric.stale_after_periods)} without a value",
        ),
        "unit": (metric.unit, metric.unit or None),
        "label": (metric.display_name, metric.display_name or None),
        "owner": (metric.owner, metric.owner),
        "guardrail": _guardrail(session=session, metric=metric, fmt=fmt),
    }


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _guardrail(*, session: Session, metric: Metric, fmt: NumberFormat) -> Setting:
    stored = (metric.guardrail_of, metric.guardrail_max_drop, metric.guardrail_relative)
    primary = metric_registry.primary_name(session=session, metric=metric)
    if primary is None or metric.guardrail_max_drop is None:
        return stored, None
    drop = allowed_drop(
        max_drop=metric.guardrail_max_drop, relative=metric.guardrail_relative, fmt=fmt
    )
    return stored, f"of {primary}, may drop at most {drop}"
