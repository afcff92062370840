"""API tokens: shown once, stored only as a hash, revocable, scoped to one project and one use.

A token's scope says what it may do: post metric samples ("ingest", every token made before
scopes existed) or read the project's record ("read"). Neither can do the other's work, so a
dashboard's read token leaked cannot write values, nor a pipeline's token read answers.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

import db.ingest_tokens as queries
from bot.core.errors import GatebotError, InvalidInput
from bot.core.logs import INGEST_TOKEN_SCHEME
from bot.slack.mrkdwn import escape
from db.columns import utcnow
from db.models.metrics import IngestToken

SCHEME = INGEST_TOKEN_SCHEME  # recognisable in logs and by secret scanners
PREFIX_LENGTH = len(SCHEME) + 8  # what people see to tell tokens apart
MAX_ACTIVE = 10
MAX_LENGTH = 128  # anything longer is not ours; do not hash megabytes from a header
TOUCH_EVERY = timedelta(minutes=1)


class Scope(StrEnum):
    """What a token may do."""

    INGEST = "ingest"  # POST /api/v1/metrics
    READ = "read"  # GET /api/v1/projects/{id}/…


class Unauthorized(GatebotError):
    """The request carries no token, or one that is unknown or revoked."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


class Forbidden(GatebotError):
    """A valid token used for what its scope does not allow."""


def hash_token(token: str) -> str:
    """Return the sha256 hex digest a token is stored and looked up by.

    A fast hash is enough: the token is 256 random bits, not a password to brute-force.
    """
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class NewToken:
    """A token just created: the row and the only copy of the plaintext."""

    row: IngestToken
    plaintext: str


def create(
    *,
    session: Session,
    project_id: int,
    created_by: str | None,
    now: datetime | None = None,
    scope: Scope = Scope.INGEST,
) -> NewToken:
    """Create a token for the project; its plaintext is returned once and never stored."""
    active = queries.active_tokens(session=session, project_id=project_id)
    if len(active) >= MAX_ACTIVE:
        raise InvalidInput(
            f"This project already has {len(active)} active API tokens: revoke unused "
            "ones with `/metric token revoke &lt;prefix&gt;` (see `/metric token list`)."
        )
    plaintext = SCHEME + secrets.token_urlsafe(32)
    row = IngestToken(
        project_id=project_id,
        token_hash=hash_token(plaintext),
        prefix=plaintext[:PREFIX_LENGTH],
        created_by=created_by,
        created_at=now or utcnow(),
        scope=scope.value,
    )
    return NewToken(row=queries.add_token(session=session, token=row), plaintext=plaintext)


def authenticate(
    *,
    session: Session,
    authorization: str | None,
    now: datetime | None = None,
    scope: Scope = Scope.INGEST,
) -> IngestToken:
    """Return the active token an `Authorization: Bearer …` header names, if `scope` is its.

    Raises Unauthorized (no token, unknown, revoked) or Forbidden (another scope's token).
    """
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(
            "Send the project's ingestion token as `Authorization: Bearer gbt_…` "
            "(create one in Slack with /metric token).",
            missing=True,
        )
    row = None
    if token.startswith(SCHEME) and len(token) <= MAX_LENGTH:
        row = queries.token_by_hash(session=session, token_hash=hash_token(token))
    if row is None:
        raise Unauthorized("This ingestion token is not valid: check it was copied whole.")
    if row.revoked_at is not None:
        raise Unauthorized(
            f"The ingestion token {row.prefix}… was revoked: create a new one with /metric token."
        )
    if row.scope != scope:
        raise Forbidden(
            f"The token {row.prefix}… is a {row.scope} token; this needs a {scope} token "
            f"(create one with `/metric token {scope}`)."
        )
    assert row.id is not None
    queries.touch_token(session=session, token_id=row.id, now=now or utcnow(), every=TOUCH_EVERY)
    return row


def revoke(
    *, session: Session, project_id: int, prefix: str | None = None, now: datetime | None = None
) -> list[IngestToken]:
    """Revoke the project's active tokens, or those starting with `prefix`; raise if none."""
    prefix = (prefix or "").strip().rstrip("….") or None
    shown = escape(prefix[:40]) if prefix else ""  # what was typed goes back into mrkdwn
    if prefix is not None and len(prefix) < len(SCHEME) + 4:
        raise InvalidInput(
            f"`{shown}` is too short to pick a token: give the prefix `/metric token list` "
            "shows, e.g. `gbt_Ab3dE9xQ`."
        )
    revoked = queries.revoke_tokens(
        session=session, project_id=project_id, prefix=prefix, now=now or utcnow()
    )
    if not revoked:
        which = f"starting with `{shown}`" if prefix else ""
        raise InvalidInput(f"No active ingestion token {which} in this project.".replace("  ", " "))
    return revoked


def active(*, session: Session, project_id: int) -> list[IngestToken]:
    """Return the project's active tokens, oldest first."""
    return queries.active_tokens(session=session, project_id=project_id)
