"""Queries on ingestion tokens; every one is scoped to a project, except the lookup by hash."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from db.models.metrics import IngestToken


def add_token(*, session: Session, token: IngestToken) -> IngestToken:
    """Store a new ingestion token."""
    session.add(token)
    session.flush()
    return token


def token_by_hash(*, session: Session, token_hash: str) -> IngestToken | None:
    """Return the token with this hash, revoked or not."""
    return session.exec(select(IngestToken).where(IngestToken.token_hash == token_hash)).first()


def active_tokens(*, session: Session, project_id: int) -> list[IngestToken]:
    """Return a project's tokens that are not revoked, oldest first."""
    return list(
        session.exec(
            select(IngestToken)
            .where(IngestToken.project_id == project_id, col(IngestToken.revoked_at).is_(None))
            .order_by(col(IngestToken.created_at), col(IngestToken.id))
        )
    )


def revoke_tokens(
    *, session: Session, project_id: int, now: datetime, prefix: str | None = None
) -> list[IngestToken]:
    """Revoke a project's active tokens (only those starting with `prefix`, if given)."""
    revoked = [
        token
        for token in active_tokens(session=session, project_id=project_id)
        if prefix is None or token.prefix.startswith(prefix)
    ]
    for token in revoked:
        token.revoked_at = now
        session.add(token)
    session.flush()
    return revoked


def touch_token(*, session: Session, token_id: int, now: datetime, every: timedelta) -> None:
    """Record that a token was used, at most once per `every`.

    Writing on every request would queue concurrent batches of one pipeline on the
    token's row lock; a minute's precision is all "last used" needs.
    """
    session.execute(
        update(IngestToken)
        .where(
            col(IngestToken.id) == token_id,
            or_(
                col(IngestToken.last_used_at).is_(None),
                col(IngestToken.last_used_at) < now - every,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
