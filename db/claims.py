"""Exactly-once claims shared by the clock's rituals: gate reviews and weekly digests.

A ritual's row is its own claim: inserted on its unique key before Slack hears anything,
so of two clocks only one inserts it. A clock that dies after claiming leaves a CLAIMED
row; once older than the lease, another clock takes it over by a conditional UPDATE on
`attempts` (the row's version), and the rowcount says who won. A claim whose post Slack
put off (a transient failure) carries `next_attempt_at` instead: it is taken over, the
same way, once that time has come rather than after the lease.

Every datetime bound here is aware UTC: SQLite keeps DateTime(timezone=True) values as text
without an offset and hands them back naive, so reads go through `as_utc` and writes must
already be UTC (the stored text is compared as text).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import and_, delete, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from bot.core.time import as_utc

CLAIMED = "claimed"  # the one status every claim table shares: owned by a clock, not posted


class ClaimRow(Protocol):
    """What a claim table's row carries: its id, status and who holds it since when."""

    id: int | None
    status: str
    claimed_at: datetime
    claimed_by: str | None
    attempts: int
    next_attempt_at: datetime | None


Row = TypeVar("Row", bound=SQLModel)


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


def insert_claims(
    *, session: Session, model: type[Row], rows: Sequence[dict[str, Any]], key: Sequence[str]
) -> list[Row]:
    """Insert rows in one statement, skipping those whose `key` is taken; return the won.

    INSERT … ON CONFLICT DO NOTHING RETURNING: a concurrent clock's rows make ours no-ops
    rather than errors, so one statement claims a whole batch. Rows should come sorted by
    project id so two clocks lock the index in the same order and cannot deadlock.
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = model.__table__  # type: ignore[attr-defined]
    statement = (
        insert(table)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=list(key))
        .returning(table.c.id)
    )
    ids = [row[0] for row in session.execute(statement)]
    if not ids:
        return []
    won = session.exec(select(model).where(col(model.id).in_(ids)))  # type: ignore[attr-defined]
    return sorted(won, key=lambda row: row.id or 0)  # type: ignore[attr-defined]


def stale(
    *, session: Session, model: type[Row], before: datetime, now: datetime, limit: int = 500
) -> list[Row]:
    """Return rows still CLAIMED whose claim was taken before `before` (their clock died)
    or whose post, put off after a transient Slack failure, is due again by `now`."""
    table: Any = model
    waiting = col(table.next_attempt_at)
    return list(
        session.exec(
            select(model)
            .where(
                col(table.status) == CLAIMED,
                or_(
                    and_(waiting.is_(None), col(table.claimed_at) < as_utc(before)),
                    waiting <= as_utc(now),
                ),
            )
            .order_by(col(table.claimed_at), col(table.id))
            .limit(limit)
        )
    )


def retake(*, session: Session, row: ClaimRow, clock_id: str, now: datetime) -> bool:
    """Take over a stale claim; True for exactly one of several clocks trying at once.

    `attempts` is the version: whoever moves it from the value read wins, the rest
    update nothing. The backoff time is cleared: held again, the claim goes by the lease.
    """
    table: Any = type(row)
    result = session.execute(
        update(table)
        .where(
            col(table.id) == row.id,
            col(table.status) == CLAIMED,
            col(table.attempts) == row.attempts,
        )
        .values(
            claimed_by=clock_id,
            claimed_at=as_utc(now),
            attempts=row.attempts + 1,
            next_attempt_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return False
    row.claimed_by, row.claimed_at = clock_id, as_utc(now)
    row.attempts += 1
    row.next_attempt_at = None
    return True


def renew(*, session: Session, row: ClaimRow, clock_id: str, now: datetime) -> bool:
    """Extend our claim before posting; False if another clock has taken it meanwhile."""
    table: Any = type(row)
    result = session.execute(
        update(table)
        .where(
            col(table.id) == row.id,
            col(table.status) == CLAIMED,
            col(table.claimed_by) == clock_id,
            col(table.attempts) == row.attempts,
        )
        .values(claimed_at=as_utc(now))
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def release(*, session: Session, model: type[Row], ids: Sequence[int], clock_id: str) -> int:
    """Drop our unposted claims (the clock is stopping) so the next pass claims them afresh."""
    if not ids:
        return 0
    table: Any = model
    result = session.execute(
        delete(table)
        .where(
            col(table.id).in_(list(ids)),
            col(table.status) == CLAIMED,
            col(table.claimed_by) == clock_id,
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)
