"""Reliability tables: Slack deliveries already seen, and posts kept until Slack takes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, String, Text
from sqlmodel import Field, SQLModel

from db.columns import aware_column, utcnow


class SlackReceipt(SQLModel, table=True):
    """One Slack delivery handled: an event id, a command's trigger, a submitted modal.

    The primary key is the dedupe: of two web processes handling the same delivery, only
    one inserts the row, and only that one acts on it. The clock prunes rows after a day.
    """

    __tablename__ = "slack_receipts"

    delivery_key: str = Field(sa_column=Column(String(160), primary_key=True))
    team_id: str = Field(default="", max_length=32)
    received_at: datetime = Field(
        default_factory=utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True),
    )


class OutboxStatus:
    """Where a kept post is (plain strings, as elsewhere: no ENUM to migrate)."""

    PENDING = "pending"  # waiting for its next attempt
    POSTED = "posted"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS or a refusal; the person was told
    SUPERSEDED = "superseded"  # a newer version of the same message went out first


class OutboxMessage(SQLModel, table=True):
    """A message Slack did not take when a person asked for it, posted later by the clock.

    `coalesce_key` names messages where only the latest version matters (a review's answer
    summary): a newer one replaces the pending one rather than queueing behind it.
    `record` says what to store once Slack gives the message its ts, e.g.
    {"kind": "hypothesis", "id": 5}.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        Index("ix_outbox_messages_coalesce", "coalesce_key", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    method: str = Field(default="chat.postMessage", max_length=32)  # or chat.update
    channel_id: str = Field(max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))
    blocks: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    thread_ts: str | None = Field(default=None, max_length=32)
    update_ts: str | None = Field(default=None, max_length=32)  # the message chat.update edits
    reply_broadcast: bool = False
    coalesce_key: str | None = Field(default=None, max_length=120)
    # The idempotency key its posts carry (bot/slack/posting.py); None on rows kept before it.
    post_key: str | None = Field(default=None, max_length=160)
    record: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    about: str = Field(default="a message", max_length=200)  # what the person is told it was
    notify_user: str | None = Field(default=None, max_length=32)  # told if it finally fails
    status: str = Field(default=OutboxStatus.PENDING, sa_type=String(16))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=aware_column(False))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    posted_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=aware_column(False))
    posted_at: datetime | None = Field(default=None, sa_column=aware_column())
