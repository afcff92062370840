"""Queries on a review's answers and decision; every one is scoped to a workspace."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from db.models.gates import GateAnswer, GateReview, Project


def _in_workspace(workspace_id: int):  # type: ignore[no-untyped-def]
    return select(Project.id).where(Project.workspace_id == workspace_id).scalar_subquery()


def get_review(
    *, session: Session, workspace_id: int, review_id: int
) -> tuple[GateReview, Project] | None:
    """Return a review and its project, or None when the review is not this workspace's."""
    row = session.exec(
        select(GateReview, Project)
        .join(Project, col(Project.id) == col(GateReview.project_id))
        .where(GateReview.id == review_id, Project.workspace_id == workspace_id)
        # Sessions keep objects across commits: read what another request has written since.
        .execution_options(populate_existing=True)
    ).first()
    return (row[0], row[1]) if row else None


def answers(
    *, session: Session, workspace_id: int, review_id: int, user_id: str | None = None
) -> list[GateAnswer]:
    """Return a review's answers, oldest first, optionally only one person's."""
    query = (
        select(GateAnswer)
        .join(GateReview, col(GateReview.id) == col(GateAnswer.review_id))
        .where(
            GateAnswer.review_id == review_id,
            col(GateReview.project_id).in_(_in_workspace(workspace_id)),
        )
    )
    if user_id is not None:
        query = query.where(GateAnswer.user_id == user_id)
    return list(session.exec(query.order_by(col(GateAnswer.created_at), col(GateAnswer.id))))


def lock_review(*, session: Session, workspace_id: int, review_id: int) -> bool:
    """Take the review's row lock until commit; False if the review is not this workspace's.

    A no-op UPDATE rather than SELECT … FOR UPDATE: it takes PostgreSQL's row lock and
    SQLite's write lock alike, so two people answering at once publish the thread summary
    one after the other. Call it first in a fresh transaction: a SQLite reader that
    later writes can fail where a writer from the start waits.
    """
    result = session.execute(
        update(GateReview)
        .where(
            col(GateReview.id) == review_id,
            col(GateReview.project_id).in_(_in_workspace(workspace_id)),
        )
        .values(summary_ts=GateReview.summary_ts)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]
