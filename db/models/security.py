"""Security tables: Slack signatures already used, and ingestion requests counted per token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, String
from sqlmodel import Field, SQLModel


class SeenSignature(SQLModel, table=True):
    """A Slack request signature accepted once; the same one again is a replay.

    Slack's scheme has no nonce: a captured request stays valid for the five minutes its
    timestamp allows. The primary key makes the first web process to see a signature the
    only one to accept it; the row is useless once the timestamp is out of the window.
    """

    __tablename__ = "seen_signatures"

    signature: str = Field(sa_column=Column(String(64), primary_key=True))
    expires_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )


class IngestRateHit(SQLModel, table=True):
    """One metrics API request counted against its token's limit, for a minute.

    Every web process counts into this table, so N processes allow the limit once, not N
    times; each request prunes its token's hits older than the window.
    """

    __tablename__ = "ingest_rate_hits"
    __table_args__ = (Index("ix_ingest_rate_hits_token_at", "token_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    token_id: int
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
