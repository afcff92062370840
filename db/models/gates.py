"""Tables for the gate rituals: projects, gate reviews (one per occurrence), answers."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Column,
    Date,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel

from db.columns import aware_column, utcnow


class Project(SQLModel, table=True):
    """A team's AI project: one Slack channel, its sprint calendar, leads and phase."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id", name="uq_projects_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id", index=True)
    name: str = Field(max_length=120)
    channel_id: str = Field(max_length=32)
    sprint_length_days: int = 14
    sprint_start: date = Field(sa_column=Column(Date, nullable=False))
    timezone: str = Field(default="UTC", max_length=64)
    prompt_time: time = Field(default=time(9, 30), sa_column=Column(Time, nullable=False))
    pm_lead: str | None = Field(default=None, max_length=32)
    ds_lead: str | None = Field(default=None, max_length=32)
    phase: str = Field(default="framing", sa_type=String(32))
    paused: bool = False
    # Per gate kind, question key -> the team's own wording (bot.gates.validate_overrides).
    question_overrides: dict[str, dict[str, str]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    reminder_hours: float = 24.0
    created_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=aware_column(False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=aware_column(False))
    # The last Slack error met while posting for this project, shown in /gate status.
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    last_error_at: datetime | None = Field(default=None, sa_column=aware_column())
    # The weekly digest: its weekday (0 = Monday) and time in `timezone`, and its layout.
    digest_weekday: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    digest_time: time = Field(
        default=time(9, 0),
        sa_column=Column(Time, nullable=False, server_default=text("'09:00:00'")),
    )
    digest_compact: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # The team's days off: public holidays of a country (and subdivision, as the `holidays`
    # package names them), its working days (0 = Monday) and dates skipped with /gate skip
    # (ISO dates). A prompt due on a day off moves to the next working day.
    holiday_country: str | None = Field(default=None, max_length=3)
    holiday_subdivision: str | None = Field(default=None, max_length=10)
    working_days: list[int] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4],
        sa_column=Column(JSON, nullable=False, server_default=text("'[0, 1, 2, 3, 4]'")),
    )
    skipped_dates: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default=text("'[]'"))
    )
    # Who is mentioned in place of an away lead, in order (after the other lead).
    standins: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default=text("'[]'"))
    )


class ReviewStatus:
    """Where one gate review occurrence is (plain strings: no database ENUM to migrate)."""

    CLAIMED = "claimed"  # a clock (or /gate now) owns it and is posting
    POSTED = "posted"  # the prompt is in the channel, answers are open
    FAILED = "failed"  # Slack refused the post; recorded, not retried forever
    SKIPPED = "skipped"  # missed while the clock was down, past the grace window
    DECIDED = "decided"  # the leads logged go / no-go / iterate / sunset


class GateReview(SQLModel, table=True):
    """One occurrence of a gate for a project; the unique key is the exactly-once claim."""

    __tablename__ = "gate_reviews"
    __table_args__ = (
        UniqueConstraint("project_id", "gate_kind", "occurrence_key", name="uq_reviews_occurrence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True)
    gate_kind: str = Field(max_length=32)
    occurrence_key: str = Field(max_length=64)  # "sprint-7", "phase-evaluation-…", "now-…"
    sprint_number: int | None = None
    due_at: datetime = Field(sa_column=aware_column(False))
    status: str = Field(default=ReviewStatus.CLAIMED, sa_type=String(16), index=True)
    claimed_at: datetime = Field(default_factory=utcnow, sa_column=aware_column(False))
    claimed_by: str | None = Field(default=None, max_length=64)
    attempts: int = 0
    # Set while a transient Slack failure puts the post off (backoff): retaken then, not
    # after the lease; NULL while a clock holds the claim.
    next_attempt_at: datetime | None = Field(default=None, sa_column=aware_column())
    posted_at: datetime | None = Field(default=None, sa_column=aware_column())
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    summary_ts: str | None = Field(default=None, max_length=32)  # the answers' summary in thread
    remind_at: datetime | None = Field(default=None, sa_column=aware_column())
    reminded_at: datetime | None = Field(default=None, sa_column=aware_column())  # the last claim
    # The posted reminder; NULL while unposted, so a claim whose post was lost is retaken.
    reminder_ts: str | None = Field(default=None, max_length=32)
    reminder_attempts: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    error: str | None = Field(default=None, sa_column=Column(Text))
    # Numbers some gates take (the evaluation gate's baseline, MDE, traffic) and what follows.
    inputs: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    decision: str | None = Field(default=None, max_length=16)
    decision_reason: str | None = Field(default=None, sa_column=Column(Text))
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_column=aware_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=aware_column(False))


class GateAnswer(SQLModel, table=True):
    """One person's answer to one question of a review; editing updates it in place."""

    __tablename__ = "gate_answers"
    __table_args__ = (
        UniqueConstraint("review_id", "question_key", "user_id", name="uq_answers_per_person"),
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="gate_reviews.id", index=True)
    question_key: str = Field(max_length=64)
    user_id: str = Field(max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))
    vague: bool | None = None  # None: the question is not one that must be falsifiable
    missing: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    verdict: dict[str, object] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, sa_column=aware_column(False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=aware_column(False))
