"""Putting work on the queue: in the caller's transaction, so input and job commit together.

`enqueue` adds the row to the caller's session and commits nothing: the handler that
accepted a submission writes it, its receipt and its job in one transaction, then acks.
A crash before that commit loses nothing Slack was told was accepted (Slack saw no ack);
a crash after it leaves a job a worker will run. Once that transaction commits, the
workers of this process are woken (others poll).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from bot.core.request_ids import current
from bot.queue.tasks import Task
from db import queue
from db.columns import utcnow

IDS_FIELD = "_request_ids"  # where a job keeps the ids of the request that queued it

# Set when a transaction that queued work commits: this process's workers take it at once.
WORK_QUEUED = threading.Event()
_WAKE_FLAG = "gatebot_queued_work"


def enqueue(
    *,
    session: Session,
    task: Task,
    team_id: str = "",
    key: str | None = None,
    delay: timedelta | None = None,
    now: datetime | None = None,
    **payload: Any,
) -> int | None:
    """Queue `task` with its JSON payload; return the job's id (None: `key` already queued).

    Does not commit: the caller's commit makes the job real, with whatever else it wrote.
    """
    ids = current()
    fields = dict(payload)
    fields[IDS_FIELD] = {"request_id": ids.request_id, "user_id": ids.user_id}
    now = now or utcnow()
    job_id = queue.add(
        session=session,
        task=task.name,
        payload=fields,
        team_id=team_id,
        key=key,
        now=now,
        run_after=now + delay if delay else None,
    )
    session.info[_WAKE_FLAG] = True
    return job_id


@event.listens_for(OrmSession, "after_commit")
def _wake_workers(session: OrmSession) -> None:
    if session.info.pop(_WAKE_FLAG, False):
        WORK_QUEUED.set()


@event.listens_for(OrmSession, "after_rollback")
def _forget_rolled_back(session: OrmSession) -> None:
    session.info.pop(_WAKE_FLAG, None)
