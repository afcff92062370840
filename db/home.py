"""Queries behind the App Home: one person's projects in one workspace, and what awaits them.

Every query is scoped to a workspace: Slack user ids can repeat across the workspaces of
an Enterprise Grid, so a user id alone never decides what someone sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_
from sqlmodel import Session, col, func, select

from db.claims import as_utc
from db.models import Hypothesis, HypothesisStatus
from db.models.gates import GateAnswer, GateReview, Project, ReviewStatus
from db.models.metrics import Metric

_CHUNK = 500  # ids per IN list: well under SQLite's variable limit


def _mine(user_id: str) -> ColumnElement[bool]:
    """Return the condition "the user leads, set up, answered, wrote in or owns a metric of"."""
    answered = exists().where(
        col(GateAnswer.user_id) == user_id,
        col(GateAnswer.review_id) == col(GateReview.id),
        col(GateReview.project_id) == col(Project.id),
    )
    # Saved hypotheses only: a draft is its author's alone until it is put on record.
    wrote = exists().where(
        col(Hypothesis.workspace_id) == col(Project.workspace_id),
        col(Hypothesis.channel_id) == col(Project.channel_id),
        col(Hypothesis.author_id) == user_id,
        col(Hypothesis.status) == HypothesisStatus.OPEN,
    )
    owns = exists().where(col(Metric.project_id) == col(Project.id), col(Metric.owner) == user_id)
    return or_(
        col(Project.pm_lead) == user_id,
        col(Project.ds_lead) == user_id,
        col(Project.created_by) == user_id,
        answered,
        wrote,
        owns,
    )


def user_projects(*, session: Session, workspace_id: int, user_id: str) -> list[Project]:
    """Return the workspace's projects this person takes part in, by name."""
    query = (
        select(Project)
        .where(col(Project.workspace_id) == workspace_id, _mine(user_id))
        .order_by(func.lower(col(Project.name)), col(Project.id))
    )
    return list(session.exec(query))


def project_count(*, session: Session, workspace_id: int) -> int:
    """Return how many projects the workspace has in all."""
    query = select(func.count(col(Project.id))).where(col(Project.workspace_id) == workspace_id)
    return int(session.exec(query).one())


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _CHUNK):
        yield wanted[start : start + _CHUNK]


def posted_reviews_with_answers(
    *, session: Session, workspace_id: int, project_ids: Sequence[int], user_id: str
) -> list[tuple[GateReview, int]]:
    """Return the posted, undecided reviews of `project_ids` with how many questions the user
    answered, newest first."""
    found: list[tuple[GateReview, int]] = []
    for chunk in _chunks(project_ids):
        mine = and_(
            col(GateAnswer.review_id) == col(GateReview.id), col(GateAnswer.user_id) == user_id
        )
        rows = session.exec(
            select(GateReview, func.count(func.distinct(col(GateAnswer.question_key))))
            .join(Project, col(Project.id) == col(GateReview.project_id))
            .outerjoin(GateAnswer, mine)
            .where(
                col(Project.workspace_id) == workspace_id,
                col(GateReview.project_id).in_(chunk),
                col(GateReview.status) == ReviewStatus.POSTED,
                col(GateReview.decision).is_(None),
            )
            .group_by(col(GateReview.id))
        )
        found += [(review, int(answered)) for review, answered in rows]
    return sorted(found, key=_newest_first)


def _newest_first(row: tuple[GateReview, int]) -> tuple[Any, ...]:
    review = row[0]
    return (-as_utc(review.posted_at or review.due_at).timestamp(), -(review.id or 0))


def open_hypotheses(
    *, session: Session, workspace_id: int, channel_id: str, limit: int
) -> tuple[list[Hypothesis], int]:
    """Return a channel's newest hypotheses on record (up to `limit`) and how many there are."""
    where = (
        col(Hypothesis.workspace_id) == workspace_id,
        col(Hypothesis.channel_id) == channel_id,
        col(Hypothesis.status) == HypothesisStatus.OPEN,
    )
    count = session.exec(select(func.count(col(Hypothesis.id))).where(*where)).one()
    rows = session.exec(
        select(Hypothesis)
        .where(*where)
        .order_by(col(Hypothesis.created_at).desc(), col(Hypothesis.id).desc())
        .limit(limit)
    )
    return list(rows), int(count)


def metric_counts(*, session: Session, project_ids: Sequence[int]) -> dict[int, int]:
    """Return how many shared metrics each project has; projects without any are absent."""
    counts: dict[int, int] = {}
    for chunk in _chunks(project_ids):
        rows = session.exec(
            select(col(Metric.project_id), func.count(col(Metric.id)))
            .where(col(Metric.project_id).in_(chunk))
            .group_by(col(Metric.project_id))
        )
        counts.update((project_id, int(count)) for project_id, count in rows)
    return counts
