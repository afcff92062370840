"""The weekly digest's table: one row per digest posted (or missed), its key the claim."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.columns import aware_column, utcnow


class DigestStatus:
    """Where one digest run is (plain strings, as the gate reviews': no ENUM to migrate)."""

    CLAIMED = "claimed"  # a clock (or /digest now) owns it and is posting
    POSTED = "posted"
    FAILED = "failed"  # Slack refused it; recorded on the project, not retried forever
    SKIPPED = "skipped"  # missed while the clock was down, past the grace window


class DigestRun(SQLModel, table=True):
    """One digest of a project; (project, week_key) unique is the once-a-week claim.

    `week_key` is the ISO week in the project's time zone ("2026-W48") for the scheduled
    digest, and "now-<UTC second>" for one posted on request, which never takes the
    week's scheduled slot.
    """

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("project_id", "week_key", name="uq_digest_runs_week"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    week_key: str = Field(max_length=64)
    due_at: datetime = Field(sa_column=aware_column(False))
    status: str = Field(default=DigestStatus.CLAIMED, sa_type=String(16), index=True)
    claimed_at: datetime = Field(default_factory=utcnow, sa_column=aware_column(False))
    claimed_by: str | None = Field(default=None, max_length=64)
    attempts: int = 0
    # As GateReview's: when a post Slack put off is tried again; NULL while a clock holds it.
    next_attempt_at: datetime | None = Field(default=None, sa_column=aware_column())
    requested_by: str | None = Field(default=None, max_length=32)  # who ran /digest now
    compact: bool = False  # the layout it was posted in
    posted_at: datetime | None = Field(default=None, sa_column=aware_column())
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    chart_file_id: str | None = Field(default=None, max_length=32)
    # What the header said, e.g. {"breach": 1, "warn": 2, "ok": 17, "quiet": 0}.
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_column=aware_column(False))
