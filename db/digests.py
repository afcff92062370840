"""Queries for the weekly digest: whose is due, claims, and the week's gate activity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, exists, func, or_
from sqlalchemy import select as columns_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.core.time import as_utc
from db import claims
from db.models import Workspace
from db.models.digests import DigestRun
from db.models.gates import GateAnswer, GateReview, Project
from db.models.metrics import Metric
from db.reviews import installed

_CHUNK = 500  # keys per IN list: well under SQLite's variable limit


def schedules(*, session: Session) -> list[Row[Any]]:
    """Return the digest columns and team id of every active project with a shared metric.

    A project without metrics has nothing to report, so the clock sends it no digest
    (`/digest now` still works); nor does one whose workspace uninstalled gatebot (until it
    installs again). Plain rows, as for the gates: only the due are loaded.
    """
    has_metric = exists().where(col(Metric.project_id) == col(Project.id))
    return list(
        session.execute(
            # SQLAlchemy's select: sqlmodel's is typed for at most four columns.
            columns_select(
                col(Project.id),
                col(Project.timezone),
                col(Project.digest_weekday),
                col(Project.digest_time),
                col(Project.created_at),
                col(Workspace.team_id),
            )
            .join(Workspace, col(Workspace.id) == col(Project.workspace_id))
            .where(col(Project.paused).is_(False), has_metric, installed())
            .order_by(col(Project.id))
        )
    )


def existing_weeks(*, session: Session, wanted: Sequence[tuple[int, str]]) -> set[tuple[int, str]]:
    """Return which (project id, week key) pairs already have a run."""
    pairs = set(wanted)
    keys = sorted({key for _, key in pairs})
    found: set[tuple[int, str]] = set()
    for start in range(0, len(keys), _CHUNK):
        # By key alone: one ISO week is shared by nearly every project in a pass.
        rows = session.execute(
            select(col(DigestRun.project_id), col(DigestRun.week_key)).where(
                col(DigestRun.week_key).in_(keys[start : start + _CHUNK])
            )
        )
        found.update(pair for pair in ((p, k) for p, k in rows) if pair in pairs)
    return found


def claim_many(*, session: Session, rows: Sequence[dict[str, Any]]) -> list[DigestRun]:
    """Insert runs in one statement, skipping weeks already claimed; return the won."""
    return claims.insert_claims(
        session=session, model=DigestRun, rows=rows, key=("project_id", "week_key")
    )


def claim(*, session: Session, run: DigestRun) -> DigestRun | None:
    """Insert `run` as the claim on its key; None when another claim exists."""
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:
        return None
    return run


def runs(*, session: Session, project_id: int, limit: int = 10) -> list[DigestRun]:
    """Return a project's latest runs, newest first."""
    return list(
        session.exec(
            select(DigestRun)
            .where(DigestRun.project_id == project_id)
            .order_by(col(DigestRun.created_at).desc(), col(DigestRun.id).desc())
            .limit(limit)
        )
    )


def gate_activity(
    *, session: Session, project_id: int, start: datetime, end: datetime
) -> list[tuple[GateReview, int, int]]:
    """Return reviews answered or decided in [start, end), with that window's answers and people."""
    lo, hi = as_utc(start), as_utc(end)
    answered = (
        select(
            col(GateAnswer.review_id).label("review_id"),
            func.count(col(GateAnswer.id)).label("answers"),
            func.count(func.distinct(col(GateAnswer.user_id))).label("people"),
        )
        .join(GateReview, col(GateReview.id) == col(GateAnswer.review_id))
        .where(
            col(GateReview.project_id) == project_id,
            col(GateAnswer.updated_at) >= lo,
            col(GateAnswer.updated_at) < hi,
        )
        .group_by(col(GateAnswer.review_id))
        .subquery()
    )
    decided = and_(col(GateReview.decided_at) >= lo, col(GateReview.decided_at) < hi)
    rows = session.execute(
        select(GateReview, answered.c.answers, answered.c.people)
        .outerjoin(answered, answered.c.review_id == col(GateReview.id))
        .where(
            col(GateReview.project_id) == project_id,
            or_(answered.c.answers.is_not(None), decided),
        )
        .order_by(col(GateReview.due_at), col(GateReview.id))
    )
    return [(review, answers or 0, people or 0) for review, answers, people in rows]


def release(*, session: Session, ids: Sequence[int], clock_id: str) -> int:
    """Drop our unposted claims (the clock is stopping) so the next pass claims them afresh."""
    return claims.release(session=session, model=DigestRun, ids=ids, clock_id=clock_id)


def metric_projects(*, session: Session) -> list[tuple[int, str]]:
    """Return (project id, team id) of every project with a shared metric, paused or not.

    Uninstalled workspaces are left out: their metrics are judged again after a reinstall.
    """
    has_metric = exists().where(col(Metric.project_id) == col(Project.id))
    rows = session.execute(
        select(col(Project.id), col(Workspace.team_id))
        .join(Workspace, col(Workspace.id) == col(Project.workspace_id))
        .where(has_metric, installed())
        .order_by(col(Project.id))
    )
    return [(project_id, team_id) for project_id, team_id in rows]
