"""Security tables: Slack signatures already used, and ingestion requests counted per token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, String
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
