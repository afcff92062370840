"""Putting work on the queue: in the caller's transaction, so input and job commit together.

`enqueue` adds the row to the caller's session and commits nothing: the handler that
accepted a submission writes it, its receipt and its job in one transaction, then acks.
A crash before that commit loses nothing Slack was told was accepted (Slack saw no ack);
a crash after it leaves a job a worker will run. Once that transaction commits, the
workers of this process are woken (others poll).
"""

from __future__ import annotations

import threading
import weakref
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from bot.core.request_ids import current
from bot.queue.tasks import JobRef, Task
from db import queue
from db.columns import utcnow

KEEP_FINISHED = timedelta(days=1)  # long enough to look into what a job did, or why it failed
IDS_FIELD = "_request_ids"  # where a job keeps the ids of the request that queued it

_WAKE_FLAG = "gatebot_queued_work"
# Each running worker's wake-up, set when a transaction that queued work commits: this
# process's workers take it at once. One event per worker, so a worker clearing its own
# never swallows another's.
_WAKE_UPS: weakref.WeakSet[threading.Event] = weakref.WeakSet()
_WAKE_UPS_LOCK = threading.Lock()


def wake_on_queued_work(wake: threading.Event) -> None:
    """Set `wake` each time this process commits a transaction that queued work."""
    with _WAKE_UPS_LOCK:
        _WAKE_UPS.add(wake)


def stop_waking(wake: threading.Event) -> None:
    """Stop setting `wake` (its worker stopped)."""
    with _WAKE_UPS_LOCK:
        _WAKE_UPS.discard(wake)


def enqueue(
    *,
    session: Session,
    task: Task | str,
    team_id: str = "",
    key: str | None = None,
    delay: timedelta | None = None,
    now: datetime | None = None,
    run_after: datetime | None = None,
    **payload: Any,
) -> int | None:
    """Queue `task` with its JSON payload; return the job's id (None: `key` already queued).

    Due now, after `delay`, or at `run_after` (a time past puts it ahead in the line).

    A task is named by its registered name where importing it would reach up a layer
    (a hypothesis redraws the Home, which imports hypotheses).

    Does not commit: the caller's commit makes the job real, with whatever else it wrote.
    """
    ids = current()
    fields = dict(payload)
    fields[IDS_FIELD] = {"request_id": ids.request_id, "user_id": ids.user_id}
    now = now or utcnow()
    job_id = queue.add(
        session=session,
        task=task if isinstance(task, str) else task.name,
        payload=fields,
        team_id=team_id,
        key=key,
        now=now,
        run_after=run_after or (now + delay if delay else None),
    )
    session.info[_WAKE_FLAG] = True
    return job_id


def enqueue_next(
    *, session: Session, after: JobRef, task: Task, team_id: str = "", **payload: Any
) -> bool:
    """Queue the step that follows job `after`; False if an earlier run of it already did.

    Keyed by the job, so a job retaken after its worker died queues its next step once:
    on False the caller rolls back what this run wrote, which the first run committed.
    The step keeps the place in line of the input it carries: queued at the back, a
    verdict would wait behind every check asked for after it (minutes under load).
    Does not commit.
    """
    key = f"after:{after.id}:{task.name}"
    queued = enqueue(
        session=session, task=task, team_id=team_id, key=key, run_after=after.queued_at, **payload
    )
    return queued is not None


def prune_finished(*, session: Session, now: datetime) -> int:
    """Forget jobs finished more than KEEP_FINISHED ago; the clock calls this. Commits."""
    removed = queue.prune(session=session, before=now - KEEP_FINISHED)
    session.commit()
    return removed


@event.listens_for(OrmSession, "after_commit")
def _wake_workers(session: OrmSession) -> None:
    if session.info.pop(_WAKE_FLAG, False):
        with _WAKE_UPS_LOCK:
            wake_ups = list(_WAKE_UPS)
        for wake in wake_ups:
            wake.set()


@event.listens_for(OrmSession, "after_rollback")
def _forget_rolled_back(session: OrmSession) -> None:
    session.info.pop(_WAKE_FLAG, None)
