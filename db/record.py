"""Queries on a project's record, a page at a time: ordered by id, resumed after the last one.

Keyset paging (`id > after`) rather than offsets: a page read while the team keeps answering
neither repeats nor skips a row. Every query is scoped to the project it is given.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from db.models import Hypothesis, HypothesisStatus
from db.models.changes import RecordChange
from db.models.gates import GateAnswer, GateReview, Project
from db.models.metrics import Metric, MetricSample


def _page(query: Any, *, id_column: Any, after: int, limit: int | None) -> Any:
    query = query.where(id_column > after).order_by(id_column)
    return query.limit(limit) if limit is not None else query


def hypotheses(
    *, session: Session, project: Project, after: int = 0, limit: int | None = None
) -> list[tuple[Hypothesis, str | None]]:
    """Return the channel's saved hypotheses with the name of the metric deciding each."""
    query = (
        select(Hypothesis, Metric.name)
        .outerjoin(Metric, col(Metric.id) == col(Hypothesis.deciding_metric_id))
        .where(
            Hypothesis.workspace_id == project.workspace_id,
            Hypothesis.channel_id == project.channel_id,
            # Drafts (and drafts thrown away) were shown to their author only, never on record.
            Hypothesis.status == HypothesisStatus.OPEN,
        )
    )
    rows = session.exec(_page(query, id_column=col(Hypothesis.id), after=after, limit=limit))
    return [(hypothesis, name) for hypothesis, name in rows]


def reviews(
    *, session: Session, project: Project, after: int = 0, limit: int | None = None
) -> list[GateReview]:
    """Return the project's gate reviews."""
    query = select(GateReview).where(GateReview.project_id == project.id)
    return list(session.exec(_page(query, id_column=col(GateReview.id), after=after, limit=limit)))


def decisions(
    *, session: Session, project: Project, after: int = 0, limit: int | None = None
) -> list[GateReview]:
    """Return the project's reviews that ended in a decision."""
    query = select(GateReview).where(
        GateReview.project_id == project.id, col(GateReview.decision).is_not(None)
    )
    return list(session.exec(_page(query, id_column=col(GateReview.id), after=after, limit=limit)))


def answers(
    *, session: Session, project: Project, after: int = 0, limit: int | None = None
) -> list[tuple[GateAnswer, GateReview]]:
    """Return every answer given in the project's reviews, with its review."""
    query = (
        select(GateAnswer, GateReview)
        .join(GateReview, col(GateReview.id) == col(GateAnswer.review_id))
        .where(GateReview.project_id == project.id)
    )
    rows = session.exec(_page(query, id_column=col(GateAnswer.id), after=after, limit=limit))
    return [(answer, review) for answer, review in rows]


def samples(
    *, session: Session, project: Project, after: int = 0, limit: int | None = None
) -> list[tuple[MetricSample, str]]:
    """Return the values reported for the project's metrics, with each metric's name."""
    query = (
        select(MetricSample, Metric.name)
        .join(Metric, col(Metric.id) == col(MetricSample.metric_id))
        .where(Metric.project_id == project.id)
    )
    rows = session.exec(_page(query, id_column=col(MetricSample.id), after=after, limit=limit))
    return [(sample, name) for sample, name in rows]


def changes(
    *, session: Session, project: Project, after: int = 0, limit: int | None = None
) -> list[RecordChange]:
    """Return the announced edits of the project's metrics and questions, one row per field."""
    query = select(RecordChange).where(RecordChange.project_id == project.id)
    return list(
        session.exec(_page(query, id_column=col(RecordChange.id), after=after, limit=limit))
    )
