"""The work queue's table: one row per job a web process accepted and a worker runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, String, Text
from sqlmodel import Field, SQLModel

from db.columns import utcnow


class JobStatus:
    """Where a job is (plain strings, as elsewhere: no ENUM to migrate)."""

    QUEUED = "queued"  # waiting for a worker, from `run_after` on
    RUNNING = "running"  # leased by `locked_by` until `locked_until`
    DONE = "done"
    FAILED = "failed"  # gave up: a refusal, or MAX_ATTEMPTS unexpected errors; the person was told


def _aware(nullable: bool = True) -> Column:  # type: ignore[type-arg]
    return Column(DateTime(timezone=True), nullable=nullable)


class QueuedJob(SQLModel, table=True):
    """A registered task's name and its JSON payload, claimed by one worker at a time.

    `key`, when set, is unique: enqueueing the same key twice keeps the first job (a
    delivery Slack sent again). `attempts` counts the claims; it is also the row's version,
    so a worker whose lease ran out cannot finish a job another worker has retaken.
    """

    __tablename__ = "queued_jobs"
    __table_args__ = (
        Index("ix_queued_jobs_due", "status", "run_after"),
        Index("uq_queued_jobs_key", "key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    task: str = Field(max_length=80)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    key: str | None = Field(default=None, max_length=160)
    team_id: str = Field(default="", max_length=32)
    status: str = Field(default=JobStatus.QUEUED, sa_type=String(16))
    attempts: int = 0
    run_after: datetime = Field(default_factory=utcnow, sa_column=_aware(False))
    locked_by: str | None = Field(default=None, max_length=80)
    locked_until: datetime | None = Field(default=None, sa_column=_aware())
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_aware(False))
    finished_at: datetime | None = Field(default=None, sa_column=_aware())
