"""Heartbeats: each long-running process records that it is alive; doctor and health read it."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from db.claims import as_utc
from db.columns import utcnow
from db.models.heartbeats import Heartbeat

PROCESSES = ("clock", "worker", "web")


def beat(*, session: Session, process: str, now: datetime | None = None) -> None:
    """Record that `process` is alive at `now` (default: now), from this host and pid. No commit.

    An upsert, so two instances beating at once both succeed and the later write stays.
    """
    if process not in PROCESSES:
        raise ValueError(f"unknown process {process!r}: one of {', '.join(PROCESSES)}")
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {
        "process": process,
        "beat_at": as_utc(now or utcnow()),
        "host": socket.gethostname()[:64],
        "pid": os.getpid(),
    }
    statement = insert(Heartbeat.__table__).values(**values)  # type: ignore[attr-defined]
    statement = statement.on_conflict_do_update(
        index_elements=["process"],
        set_={name: statement.excluded[name] for name in ("beat_at", "host", "pid")},
    )
    session.execute(statement)


def last_seen(*, session: Session, process: str) -> datetime | None:
    """Return when `process` last beat (aware UTC), or None if it never has."""
    row = session.get(Heartbeat, process)
    return None if row is None else as_utc(row.beat_at)


def latest(*, session: Session, process: str) -> Heartbeat | None:
    """Return the latest beat of `process` with the host and pid that sent it."""
    return session.get(Heartbeat, process)
