"""Queries on projects and their reviews; every one is scoped to a workspace."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from db.models.gates import GateAnswer, GateReview, Project


def get(*, session: Session, workspace_id: int, project_id: int) -> Project | None:
    """Return one project of this workspace, or None (another workspace's ids are invisible)."""
    return session.exec(
        select(Project).where(Project.id == project_id, Project.workspace_id == workspace_id)
    ).first()


def get_for_channel(*, session: Session, workspace_id: int, channel_id: str) -> Project | None:
    """Return the project run in a channel of this workspace, if any."""
    return session.exec(
        select(Project).where(
            Project.workspace_id == workspace_id, Project.channel_id == channel_id
        )
    ).first()


def save(*, session: Session, project: Project) -> bool:
    """Insert or update `project`; False when another project already holds its channel.

    The unique (workspace, channel) constraint decides, so two set-ups racing for one
    channel cannot both win.
    """
    try:
        with session.begin_nested():
            session.add(project)
    except IntegrityError:
        return False
    return True


def reviews(
    *,
    session: Session,
    workspace_id: int,
    project_id: int,
    statuses: Sequence[str] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[GateReview]:
    """Return a project's reviews, newest first, optionally only in `statuses`."""
    query = (
        select(GateReview)
        .join(Project, col(Project.id) == col(GateReview.project_id))
        .where(Project.workspace_id == workspace_id, GateReview.project_id == project_id)
    )
    if statuses is not None:
        query = query.where(col(GateReview.status).in_(list(statuses)))
    query = query.order_by(col(GateReview.due_at).desc(), col(GateReview.id).desc())
    return list(session.exec(query.offset(offset).limit(limit)))


def count_reviews(
    *, session: Session, workspace_id: int, project_id: int, statuses: Sequence[str]
) -> int:
    """Return how many of a project's reviews are in `statuses`."""
    return session.exec(
        select(func.count())
        .select_from(GateReview)
        .join(Project, col(Project.id) == col(GateReview.project_id))
        .where(Project.workspace_id == workspace_id, GateReview.project_id == project_id)
        .where(col(GateReview.status).in_(list(statuses)))
    ).one()


def answer_counts(
    *, session: Session, workspace_id: int, review_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """Return (answers, people who answered) per review id; reviews without answers are absent."""
    if not review_ids:
        return {}
    rows = session.exec(
        select(
            GateAnswer.review_id,
            func.count(col(GateAnswer.id)),
            func.count(func.distinct(GateAnswer.user_id)),
        )
        .join(GateReview, col(GateReview.id) == col(GateAnswer.review_id))
        .join(Project, col(Project.id) == col(GateReview.project_id))
        .where(
            Project.workspace_id == workspace_id, col(GateAnswer.review_id).in_(list(review_ids))
        )
        .group_by(col(GateAnswer.review_id))
    )
    return {review_id: (answers, people) for review_id, answers, people in rows}
