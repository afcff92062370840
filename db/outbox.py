"""Queries on the outbox: keep a message, find what is due, take it once, record the outcome.

Every datetime bound here is aware UTC (see db.claims.as_utc): SQLite hands timestamps
back naive, and compares the stored text as text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, update
from sqlmodel import Session, SQLModel, col, select

from db.claims import as_utc
from db.models import Hypothesis, Workspace
from db.models.gates import GateReview
from db.models.outbox import OutboxMessage, OutboxStatus

# What a kept message's `record` may ask for once Slack gives it a ts: the row and column.
_RECORDS: dict[str, tuple[type[SQLModel], str]] = {
    "hypothesis": (Hypothesis, "message_ts"),
    "summary": (GateReview, "summary_ts"),
}


def keep(*, session: Session, message: OutboxMessage) -> OutboxMessage:
    """Store a message to post later; an older pending version with its coalesce key is retired."""
    if message.coalesce_key:
        supersede(session=session, coalesce_key=message.coalesce_key)
    session.add(message)
    session.flush()
    return message


def supersede(*, session: Session, coalesce_key: str, before_id: int | None = None) -> int:
    """Retire pending messages with `coalesce_key` (ids below `before_id`): a newer one went."""
    query = update(OutboxMessage).where(
        col(OutboxMessage.coalesce_key) == coalesce_key,
        col(OutboxMessage.status) == OutboxStatus.PENDING,
    )
    if before_id is not None:
        query = query.where(col(OutboxMessage.id) < before_id)
    result = session.execute(
        query.values(status=OutboxStatus.SUPERSEDED).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def due(
    *, session: Session, now: datetime, max_attempts: int, limit: int = 200
) -> list[OutboxMessage]:
    """Return pending messages whose next attempt is due, oldest first.

    A message already taken more than `max_attempts` times is never due again, whatever
    left it pending (see bot.outbox.drain). Messages of a workspace that uninstalled
    gatebot wait, untouched (no attempt used), until it is installed again (bot.outbox.service
    decides then whether they are still worth it).
    """
    uninstalled = exists().where(
        col(Workspace.team_id) == col(OutboxMessage.team_id),
        col(Workspace.uninstalled_at).is_not(None),
    )
    return list(
        session.exec(
            select(OutboxMessage)
            .where(
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                col(OutboxMessage.next_attempt_at) <= as_utc(now),
                col(OutboxMessage.attempts) <= max_attempts,
                ~uninstalled,
            )
            .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
            .limit(limit)
        )
    )


def take(*, session: Session, message: OutboxMessage, until: datetime, max_attempts: int) -> bool:
    """Claim a due message for one attempt; True for exactly one of several clocks.

    `attempts` is the version, as in db.claims. The next attempt moves to `until` (the
    lease): if this clock dies mid-post, another tries again then. A message taken more
    than `max_attempts` times is not taken again.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message.id,
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.attempts) == message.attempts,
            col(OutboxMessage.attempts) <= max_attempts,
        )
        .values(attempts=message.attempts + 1, next_attempt_at=as_utc(until))
        .execution_options(synchronize_session=False)
    )
    if int(result.rowcount) != 1:  # type: ignore[attr-defined]
        return False
    message.attempts += 1
    message.next_attempt_at = as_utc(until)
    return True


def posted(*, session: Session, message: OutboxMessage, ts: str, now: datetime) -> None:
    """Mark a message posted and store its ts where its `record` says. No commit."""
    message.status, message.posted_ts, message.posted_at = OutboxStatus.POSTED, ts, as_utc(now)
    message.last_error = None
    session.add(message)
    record_ts(session=session, record=message.record, ts=ts)
    if message.coalesce_key and message.id is not None:
        supersede(session=session, coalesce_key=message.coalesce_key, before_id=message.id)


def mark_posted(
    *, session: Session, message: OutboxMessage, ts: str, now: datetime, note: str
) -> bool:
    """Mark a message we hold posted, nothing else: `posted` failed after Slack took it. No commit.

    Conditional on our take (its `attempts`), so it never overwrites another clock's outcome.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message.id,
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.attempts) == message.attempts,
        )
        .values(status=OutboxStatus.POSTED, posted_ts=ts, posted_at=as_utc(now), last_error=note)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def retry_later(*, session: Session, message: OutboxMessage, error: str, at: datetime) -> None:
    """Keep a message pending until `at`, noting why this attempt failed. No commit."""
    message.last_error, message.next_attempt_at = error, as_utc(at)
    session.add(message)


def failed(*, session: Session, message: OutboxMessage, error: str) -> None:
    """Give up on a message. No commit."""
    message.status, message.last_error = OutboxStatus.FAILED, error
    session.add(message)


def record_ts(*, session: Session, record: dict[str, Any] | None, ts: str) -> None:
    """Store a posted message's ts on the row `record` names. No commit."""
    if not record or record.get("kind") not in _RECORDS:
        return
    model, column = _RECORDS[record["kind"]]
    table: Any = model
    session.execute(
        update(table)
        .where(col(table.id) == int(record["id"]))
        .values({column: ts})
        .execution_options(synchronize_session=False)
    )
