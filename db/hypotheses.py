"""Queries on hypotheses; every one is scoped to a workspace."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from db.columns import utcnow
from db.models import Hypothesis, HypothesisStatus


def add(*, session: Session, hypothesis: Hypothesis) -> Hypothesis:
    """Store a new hypothesis and return it with its id."""
    session.add(hypothesis)
    session.flush()
    return hypothesis


def get(*, session: Session, workspace_id: int, hypothesis_id: int) -> Hypothesis | None:
    """Return one hypothesis of this workspace, or None (another workspace's ids are invisible)."""
    return session.exec(
        select(Hypothesis).where(
            Hypothesis.id == hypothesis_id, Hypothesis.workspace_id == workspace_id
        )
    ).first()


def transition(
    *,
    session: Session,
    workspace_id: int,
    hypothesis_id: int,
    from_status: HypothesisStatus,
    to_status: HypothesisStatus,
    user_id: str,
) -> bool:
    """Move a hypothesis between statuses atomically; False if it was not in `from_status`.

    A conditional UPDATE rather than read-then-write: two clicks on Save, even in two
    processes, cannot both see "draft", so the hypothesis is saved and posted once.
    """
    now = utcnow()
    values: dict[str, object] = {"status": to_status, "updated_at": now}
    if to_status is HypothesisStatus.OPEN:
        values |= {"saved_at": now, "saved_by": user_id}
    result = session.execute(
        update(Hypothesis)
        .where(
            col(Hypothesis.id) == hypothesis_id,
            col(Hypothesis.workspace_id) == workspace_id,
            col(Hypothesis.status) == from_status,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def rewrite_draft(
    *, session: Session, workspace_id: int, hypothesis_id: int, values: dict[str, object]
) -> bool:
    """Replace a draft's statement and verdict; False if it is no longer a draft.

    Conditional, as `transition`: a Save clicked on the old text meanwhile wins, and the
    saved text is never changed under the team's feet.
    """
    result = session.execute(
        update(Hypothesis)
        .where(
            col(Hypothesis.id) == hypothesis_id,
            col(Hypothesis.workspace_id) == workspace_id,
            col(Hypothesis.status) == HypothesisStatus.DRAFT,
        )
        .values(**values, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def list_for_channel(
    *,
    session: Session,
    workspace_id: int,
    channel_id: str,
    statuses: Sequence[HypothesisStatus] = (HypothesisStatus.OPEN,),
    limit: int = 20,
    offset: int = 0,
) -> list[Hypothesis]:
    """Return a channel's hypotheses in the given statuses, newest first."""
    rows = session.exec(
        select(Hypothesis)
        .where(
            Hypothesis.workspace_id == workspace_id,
            Hypothesis.channel_id == channel_id,
            col(Hypothesis.status).in_(list(statuses)),
        )
        .order_by(col(Hypothesis.created_at).desc(), col(Hypothesis.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows)


def count_for_channel(
    *,
    session: Session,
    workspace_id: int,
    channel_id: str,
    statuses: Sequence[HypothesisStatus] = (HypothesisStatus.OPEN,),
) -> int:
    """Return how many of a channel's hypotheses are in the given statuses."""
    return session.exec(
        select(func.count())
        .select_from(Hypothesis)
        .where(
            Hypothesis.workspace_id == workspace_id,
            Hypothesis.channel_id == channel_id,
            col(Hypothesis.status).in_(list(statuses)),
        )
    ).one()


def set_message_ts(
    *, session: Session, hypothesis: Hypothesis, ts: str, at: datetime | None = None
) -> None:
    """Remember where the hypothesis was posted."""
    hypothesis.message_ts = ts
    hypothesis.updated_at = at or utcnow()
    session.add(hypothesis)
