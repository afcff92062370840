"""The record of edits people should hear about: a metric's thresholds, owner or guardrail,
a gate's question. One row per changed field; the fields of one edit share its edit_key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.columns import aware_column, utcnow


class RecordChange(SQLModel, table=True):
    """One field of one edit: who changed what, when, from what to what (as people read it)."""

    __tablename__ = "record_changes"
    __table_args__ = (
        UniqueConstraint("edit_key", "field", name="uq_record_changes_edit_field"),
        Index("ix_record_changes_project", "project_id", "changed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id", index=True)
    project_id: int = Field(foreign_key="projects.id")
    # Also the announcement's idempotency key: one post per edit, however often it is retried.
    edit_key: str = Field(max_length=64)
    subject_kind: str = Field(max_length=16)  # "metric", "gate_question", "hypothesis"
    subject: str = Field(max_length=160)  # e.g. "relevance_rating", "sprint_review: assumption"
    field: str = Field(max_length=32)  # e.g. "breach", "owner", "wording"
    # Plain text as people read it (formatted by bot.metrics.format, not mrkdwn); None: unset.
    before: str | None = Field(default=None, sa_column=Column(Text))
    after: str | None = Field(default=None, sa_column=Column(Text))
    changed_by: str = Field(max_length=32)
    changed_at: datetime = Field(default_factory=utcnow, sa_column=aware_column(False))
