"""Slack deliveries already handled: one row per delivery key, the insert deciding who acts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from db.claims import as_utc
from db.columns import utcnow
from db.models.outbox import SlackReceipt


def record(*, session: Session, key: str, team_id: str, at: datetime | None = None) -> bool:
    """Insert a receipt for `key`; True if this is its first delivery. Does not commit.

    INSERT … ON CONFLICT DO NOTHING: on PostgreSQL a concurrent insert of the same key waits
    for the other transaction and then inserts nothing (SQLite serialises writers), so
    exactly one caller gets True.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = SlackReceipt.__table__  # type: ignore[attr-defined]
    statement = (
        insert(table)
        .values(delivery_key=key[:160], team_id=team_id[:32], received_at=as_utc(at or utcnow()))
        .on_conflict_do_nothing(index_elements=["delivery_key"])
        .returning(table.c.delivery_key)
    )
    return session.execute(statement).first() is not None


def record_all(
    *, session: Session, keys: list[str], team_id: str, at: datetime | None = None
) -> bool:
    """Insert a receipt for each of `keys` in one statement; True if none existed. No commit.

    On False some were inserted: the caller rolls back. Keys go in sorted, so two
    transactions inserting overlapping sets lock them in the same order (no deadlock).
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = SlackReceipt.__table__  # type: ignore[attr-defined]
    received = as_utc(at or utcnow())
    rows = [
        {"delivery_key": key[:160], "team_id": team_id[:32], "received_at": received}
        for key in sorted(set(keys))
    ]
    statement = (
        insert(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["delivery_key"])
        .returning(table.c.delivery_key)
    )
    return len(session.execute(statement).all()) == len(rows)


def seen(*, session: Session, key: str) -> bool:
    """Return whether `key` has a receipt."""
    return session.get(SlackReceipt, key[:160]) is not None


def prune(*, session: Session, before: datetime) -> int:
    """Forget receipts older than `before` (Slack stops retrying within minutes). No commit."""
    result = session.execute(
        delete(SlackReceipt)
        .where(col(SlackReceipt.received_at) < as_utc(before))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
