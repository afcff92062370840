"""The work queue's queries: enqueue, claim under a lease, finish, retry, and its depth.

A claim is one UPDATE of the oldest due row: a queued job whose time has come, or a running
one whose lease ran out (its worker died). On PostgreSQL the row is picked FOR UPDATE SKIP
LOCKED, so concurrent workers take different rows without waiting on each other; SQLite
serialises writers, so the same statement is safe there too. `attempts` is the row's
version: finishing, retrying or renewing names the attempts the worker claimed, and a
worker whose job was retaken meanwhile changes nothing.

Every datetime is aware UTC and goes through `as_utc` (SQLite hands them back naive).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.core.time import as_utc
from db.models.queue import JobStatus, QueuedJob

ERROR_CHARS = 2000  # enough of a traceback's last line to tell what went wrong


def add(
    *,
    session: Session,
    task: str,
    payload: dict[str, Any],
    team_id: str = "",
    key: str | None = None,
    now: datetime,
    run_after: datetime | None = None,
) -> int | None:
    """Insert a job; return its id, or None when `key` is already queued. Does not commit."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = QueuedJob.__table__  # type: ignore[attr-defined]
    now = as_utc(now)
    statement = insert(table).values(
        task=task,
        payload=payload,
        key=key[:160] if key else None,
        team_id=team_id[:32],
        status=JobStatus.QUEUED,
        attempts=0,
        run_after=as_utc(run_after or now),
        created_at=now,
    )
    if key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["key"])
    row = session.execute(statement.returning(table.c.id)).first()
    return None if row is None else int(row[0])


def _due(now: datetime) -> Any:
    return or_(
        and_(col(QueuedJob.status) == JobStatus.QUEUED, col(QueuedJob.run_after) <= now),
        and_(col(QueuedJob.status) == JobStatus.RUNNING, col(QueuedJob.locked_until) < now),
    )


def claim(*, session: Session, worker_id: str, now: datetime, lease: timedelta) -> QueuedJob | None:
    """Lease the oldest due job to `worker_id`; return it (attempts counted), or None. Commits."""
    now = as_utc(now)
    # A read first: an idle worker's threads poll often, and an UPDATE takes SQLite's write
    # lock even when it matches nothing, so every idle poll would make the acks wait.
    if session.exec(select(QueuedJob.id).where(_due(now)).limit(1)).first() is None:
        return None
    oldest = (
        select(QueuedJob.id)
        .where(_due(now))
        .order_by(col(QueuedJob.run_after), col(QueuedJob.id))
        .limit(1)
        .with_for_update(skip_locked=True)  # SQLite renders nothing here: writers queue anyway
        .scalar_subquery()
    )
    row = session.execute(
        update(QueuedJob)
        .where(col(QueuedJob.id) == oldest)
        .values(
            status=JobStatus.RUNNING,
            locked_by=worker_id[:80],
            locked_until=now + lease,
            attempts=QueuedJob.attempts + 1,
        )
        .returning(col(QueuedJob.id))
        .execution_options(synchronize_session=False)
    ).first()
    session.commit()
    if row is None:
        return None
    return session.get(QueuedJob, row[0], populate_existing=True)


def _ours(job: QueuedJob, worker_id: str) -> Any:
    return and_(
        col(QueuedJob.id) == job.id,
        col(QueuedJob.status) == JobStatus.RUNNING,
        col(QueuedJob.locked_by) == worker_id[:80],
        col(QueuedJob.attempts) == job.attempts,
    )


def _settle(*, session: Session, job: QueuedJob, worker_id: str, **values: Any) -> bool:
    result = session.execute(
        update(QueuedJob)
        .where(_ours(job, worker_id))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def finish(*, session: Session, job: QueuedJob, worker_id: str, now: datetime) -> bool:
    """Mark our job done; False if our lease was lost to another worker. Does not commit."""
    return _settle(
        session=session,
        job=job,
        worker_id=worker_id,
        status=JobStatus.DONE,
        finished_at=as_utc(now),
        locked_until=None,
    )


def retry(*, session: Session, job: QueuedJob, worker_id: str, at: datetime, error: str) -> bool:
    """Put our job back in the queue from `at` on, noting the error. Does not commit."""
    return _settle(
        session=session,
        job=job,
        worker_id=worker_id,
        status=JobStatus.QUEUED,
        run_after=as_utc(at),
        locked_by=None,
        locked_until=None,
        last_error=error[-ERROR_CHARS:],
    )


def fail(*, session: Session, job: QueuedJob, worker_id: str, now: datetime, error: str) -> bool:
    """Give our job up for good, noting why. Does not commit."""
    return _settle(
        session=session,
        job=job,
        worker_id=worker_id,
        status=JobStatus.FAILED,
        finished_at=as_utc(now),
        locked_until=None,
        last_error=error[-ERROR_CHARS:],
    )


def renew(*, session: Session, jobs: list[QueuedJob], worker_id: str, until: datetime) -> int:
    """Extend the leases of our running jobs to `until`; return how many were still ours."""
    renewed = 0
    for job in jobs:
        renewed += _settle(
            session=session, job=job, worker_id=worker_id, locked_until=as_utc(until)
        )
    session.commit()
    return renewed


@dataclass(frozen=True)
class Depth:
    """How much work waits: jobs not finished, and how long the oldest has waited."""

    waiting: int
    running: int
    oldest_created_at: datetime | None

    def oldest_age(self, now: datetime) -> float | None:
        """Return the oldest unfinished job's age in seconds, or None with nothing waiting."""
        if self.oldest_created_at is None:
            return None
        return max(0.0, (as_utc(now) - as_utc(self.oldest_created_at)).total_seconds())


def depth(*, session: Session) -> Depth:
    """Count the unfinished jobs by status and find the oldest one's creation time."""
    rows = session.exec(
        select(QueuedJob.status, func.count(), func.min(QueuedJob.created_at))
        .where(col(QueuedJob.status).in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .group_by(col(QueuedJob.status))
    ).all()
    counts = {status: (count, oldest) for status, count, oldest in rows}
    starts = [as_utc(oldest) for _, oldest in counts.values() if oldest is not None]
    return Depth(
        waiting=counts.get(JobStatus.QUEUED, (0, None))[0],
        running=counts.get(JobStatus.RUNNING, (0, None))[0],
        oldest_created_at=min(starts) if starts else None,
    )


def due_count(*, session: Session, by: datetime) -> int:
    """Count the jobs running, or queued to run by `by` (a later retry does not count)."""
    unfinished = or_(
        col(QueuedJob.status) == JobStatus.RUNNING,
        and_(col(QueuedJob.status) == JobStatus.QUEUED, col(QueuedJob.run_after) <= as_utc(by)),
    )
    return int(session.exec(select(func.count()).select_from(QueuedJob).where(unfinished)).one())


def prune(*, session: Session, before: datetime) -> int:
    """Forget finished jobs older than `before`. Does not commit."""
    result = session.execute(
        delete(QueuedJob)
        .where(
            col(QueuedJob.status).in_([JobStatus.DONE, JobStatus.FAILED]),
            col(QueuedJob.finished_at) < as_utc(before),
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
