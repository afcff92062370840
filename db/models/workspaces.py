"""The workspace and hypothesis tables."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from db.columns import utcnow


def _timestamp(**kwargs: Any) -> Column:  # type: ignore[type-arg]
    return Column(DateTime(timezone=True), nullable=False, **kwargs)


class Workspace(SQLModel, table=True):
    """A Slack workspace (team) that uses gatebot; every record hangs off one."""

    __tablename__ = "workspaces"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, unique=True, index=True)
    name: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    # Set when the app is uninstalled or its tokens revoked (the clock then skips the team);
    # cleared by a reinstall. The team's records stay either way.
    uninstalled_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class HypothesisStatus(StrEnum):
    """Where a hypothesis is in its life."""

    DRAFT = "draft"  # checked, shown to its author only, not yet on record
    OPEN = "open"  # saved and posted: the team is testing it
    DISCARDED = "discarded"


class Hypothesis(SQLModel, table=True):
    """A hypothesis written by someone in a channel, with its falsifiability verdict."""

    __tablename__ = "hypotheses"
    __table_args__ = (Index("ix_hypotheses_channel", "workspace_id", "channel_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id", index=True)
    channel_id: str = Field(max_length=32)
    author_id: str = Field(max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))

    # The structured fields, when written through the modal (or found by the check).
    change: str | None = Field(default=None, sa_column=Column(Text))
    population: str | None = Field(default=None, sa_column=Column(Text))
    outcome_metric: str | None = Field(default=None, sa_column=Column(Text))
    direction: str | None = Field(default=None, max_length=32)
    magnitude: str | None = Field(default=None, sa_column=Column(Text))
    time_window: str | None = Field(default=None, sa_column=Column(Text))
    reason: str | None = Field(default=None, sa_column=Column(Text))
    falsification: str | None = Field(default=None, sa_column=Column(Text))

    vague: bool
    missing: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    verdict: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    checker: str = Field(max_length=16)
    # A plain string column, not a database ENUM: new statuses then need no type migration.
    status: str = Field(default=HypothesisStatus.DRAFT, sa_type=String(16), index=True)

    # Where the saved hypothesis was posted, so later rituals can reply in its thread.
    message_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    saved_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    saved_by: str | None = Field(default=None, max_length=32)

    # The shared metric that decides this hypothesis, where it starts and what it promised.
    deciding_metric_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("metrics.id", ondelete="SET NULL", name="fk_hypotheses_deciding_metric"),
            nullable=True,
        ),
    )
    baseline_value: float | None = None
    target_value: float | None = None
    decide_by: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
