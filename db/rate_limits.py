"""Metrics API requests counted per token in the database, so every web process shares one limit."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select

from db.claims import as_utc
from db.models.metrics import IngestToken
from db.models.security import IngestRateHit

_HITS = IngestRateHit.__table__  # type: ignore[attr-defined]
_TOKENS = IngestToken.__table__  # type: ignore[attr-defined]


def take(
    *, connection: Connection, token_id: int, limit: int, window: timedelta, now: datetime
) -> float:
    """Count a request unless `limit` were counted within `window`; return 0, or the seconds
    until one is allowed. Call inside a transaction; it commits with it.

    Requests of one token are serialised first, so two processes cannot both see room for
    one more: on PostgreSQL by locking the token's row; on SQLite the DELETE below takes the
    database's write lock before anything is counted.
    """
    now = as_utc(now)
    if connection.dialect.name == "postgresql":
        connection.execute(select(_TOKENS.c.id).where(_TOKENS.c.id == token_id).with_for_update())
    connection.execute(
        delete(_HITS).where(_HITS.c.token_id == token_id, _HITS.c.at <= now - window)
    )
    count, oldest = connection.execute(
        select(func.count(), func.min(_HITS.c.at)).where(_HITS.c.token_id == token_id)
    ).one()
    if count >= limit:
        return max((as_utc(oldest) + window - now).total_seconds(), 0.001)
    connection.execute(insert(_HITS).values(token_id=token_id, at=now))
    return 0.0
