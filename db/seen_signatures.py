"""Slack signatures already accepted: the insert decides whether a request is a replay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from db.claims import as_utc
from db.models.security import SeenSignature

_TABLE = SeenSignature.__table__  # type: ignore[attr-defined]


def record(*, connection: Connection, signature: str, expires_at: datetime) -> bool:
    """Insert `signature`; True if no process had accepted it before. Does not commit.

    INSERT … ON CONFLICT DO NOTHING: of concurrent inserts of one signature (PostgreSQL
    makes the later wait for the earlier; SQLite serialises writers) exactly one returns it.
    """
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(_TABLE)
        .values(signature=signature, expires_at=as_utc(expires_at))
        .on_conflict_do_nothing(index_elements=["signature"])
        .returning(_TABLE.c.signature)
    )
    return connection.execute(statement).first() is not None


def prune(*, connection: Connection, now: datetime) -> int:
    """Forget signatures whose timestamps are out of the window by `now`. Does not commit."""
    result = connection.execute(delete(_TABLE).where(_TABLE.c.expires_at < as_utc(now)))
    return int(result.rowcount)
