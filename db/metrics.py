"""Queries on metrics and their samples; every one is scoped to a project or a metric."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.models import Hypothesis
from db.models.gates import Project
from db.models.metrics import AlertState, Metric, MetricSample

SampleKey = tuple[int, datetime]  # (metric id, instant in UTC)

# Rows per statement: 4 parameters a row stays far below SQLite's 32,766-variable limit.
_CHUNK = 500


def get_metric(*, session: Session, project_id: int, name: str) -> Metric | None:
    """Return a project's metric by name, or None."""
    return session.exec(
        select(Metric).where(Metric.project_id == project_id, Metric.name == name)
    ).first()


def get_metric_by_id(*, session: Session, project_id: int, metric_id: int) -> Metric | None:
    """Return a project's metric by id, or None (another project's ids are invisible)."""
    return session.exec(
        select(Metric).where(Metric.project_id == project_id, Metric.id == metric_id)
    ).first()


def list_metrics(*, session: Session, project_id: int) -> list[Metric]:
    """Return a project's metrics by name."""
    return list(
        session.exec(
            select(Metric).where(Metric.project_id == project_id).order_by(col(Metric.name))
        )
    )


def metric_ids(*, session: Session, project_id: int) -> dict[str, int]:
    """Return name -> id for a project's metrics."""
    rows = session.exec(select(Metric.name, Metric.id).where(Metric.project_id == project_id))
    return {name: metric_id for name, metric_id in rows if metric_id is not None}


def add_metric(*, session: Session, metric: Metric) -> bool:
    """Insert `metric`; False when the project already has one of that name (the key decides)."""
    try:
        with session.begin_nested():
            session.add(metric)
    except IntegrityError:
        return False
    return True


def guardrails_of(*, session: Session, metric_id: int) -> list[Metric]:
    """Return the metrics that guard `metric_id`."""
    return list(session.exec(select(Metric).where(Metric.guardrail_of == metric_id)))


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def insert_new_samples(
    *, session: Session, rows: Sequence[dict[str, Any]], received_at: datetime
) -> set[SampleKey]:
    """Insert samples whose (metric, at) is not stored yet; return the keys inserted.

    ON CONFLICT DO NOTHING rather than a read first: two pipelines sending the same day at
    once cannot both insert it, and neither fails.
    """
    inserted: set[SampleKey] = set()
    table = MetricSample.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), _CHUNK):
        values = [{**row, "received_at": received_at} for row in rows[start : start + _CHUNK]]
        statement = (
            _insert(session)(table)
            .values(values)
            .on_conflict_do_nothing(index_elements=["metric_id", "at"])
            .returning(table.c.metric_id, table.c.at)
        )
        inserted.update((metric_id, at) for metric_id, at in session.execute(statement))
    return inserted


def stored_values(*, session: Session, keys: Sequence[SampleKey]) -> dict[SampleKey, float]:
    """Return the stored value of each (metric, at) in `keys` that exists."""
    found: dict[SampleKey, float] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        rows = session.execute(
            select(MetricSample.metric_id, MetricSample.at, MetricSample.value).where(
                tuple_(col(MetricSample.metric_id), col(MetricSample.at)).in_(chunk)
            )
        )
        found.update(((metric_id, at), value) for metric_id, at, value in rows)
    return found


def replace_values(
    *, session: Session, values: dict[SampleKey, float], received_at: datetime
) -> None:
    """Overwrite the value of stored samples (a corrected re-send), in one executemany."""
    if not values:
        return
    table = MetricSample.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.metric_id == bindparam("key_metric"), table.c.at == bindparam("key_at"))
        .values(value=bindparam("new_value"), received_at=received_at)
    )
    session.execute(
        statement,
        [
            {"key_metric": metric_id, "key_at": at, "new_value": value}
            for (metric_id, at), value in values.items()
        ],
    )


def latest_samples(*, session: Session, metric_ids: Iterable[int]) -> dict[int, MetricSample]:
    """Return each metric's latest sample (by `at`); metrics without samples are absent."""
    ids = list(metric_ids)
    if not ids:
        return {}
    latest = (
        select(MetricSample.metric_id, func.max(MetricSample.at).label("at"))
        .where(col(MetricSample.metric_id).in_(ids))
        .group_by(col(MetricSample.metric_id))
        .subquery()
    )
    rows = session.exec(
        select(MetricSample).join(
            latest,
            (col(MetricSample.metric_id) == latest.c.metric_id)
            & (col(MetricSample.at) == latest.c.at),
        )
    )
    return {sample.metric_id: sample for sample in rows}


def samples_between(
    *, session: Session, metric_ids: Iterable[int], start: datetime, end: datetime
) -> list[tuple[int, datetime, float]]:
    """Return (metric id, at, value) with start <= at < end, by metric then time."""
    ids = list(metric_ids)
    if not ids:
        return []
    rows = session.execute(
        select(MetricSample.metric_id, MetricSample.at, MetricSample.value)
        .where(
            col(MetricSample.metric_id).in_(ids),
            col(MetricSample.at) >= start,
            col(MetricSample.at) < end,
        )
        .order_by(col(MetricSample.metric_id), col(MetricSample.at))
    )
    return [(metric_id, at, value) for metric_id, at, value in rows]


def deciding_links(*, session: Session, project_id: int) -> list[tuple[Hypothesis, Metric]]:
    """Return the project's hypotheses that name a deciding metric, with that metric."""
    rows = session.exec(
        select(Hypothesis, Metric)
        .join(Metric, col(Metric.id) == col(Hypothesis.deciding_metric_id))
        .join(Project, col(Project.id) == col(Metric.project_id))
        # Only the project's own workspace's hypotheses, whatever a link says.
        .where(Metric.project_id == project_id, Hypothesis.workspace_id == Project.workspace_id)
        .order_by(col(Hypothesis.id))
    )
    return [(hypothesis, metric) for hypothesis, metric in rows]


def move_alert(
    *,
    session: Session,
    metric_id: int,
    to_state: str,
    since: date | None,
    threshold: float | None,
    now: datetime,
) -> bool:
    """Move a metric's escape episode to `to_state`; False if it was already there.

    A conditional UPDATE, so when two processes judge the same breach only the one that
    moved the state posts the alert: once per episode, not once per evaluator.
    """
    from_state = AlertState.OK if to_state == AlertState.BREACH else AlertState.BREACH
    result = session.execute(
        update(Metric)
        .where(col(Metric.id) == metric_id, col(Metric.alert_state) == from_state)
        .values(
            alert_state=to_state, alert_since=since, alert_threshold=threshold, alert_changed_at=now
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
