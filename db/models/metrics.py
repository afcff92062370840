"""Tables for shared metrics: the registry, the samples, and ingestion tokens."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from db.columns import utcnow


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC and always read back as aware UTC.

    SQLite has no time zones: SQLAlchemy writes the wall-clock digits and drops the offset,
    so a +02:00 time must be converted before binding, and the naive value it returns is UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc(nullable: bool = True, **kwargs: Any) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=nullable, **kwargs)


class AlertState:
    """A metric's escape-alert episode (plain strings: no database ENUM to migrate)."""

    OK = "ok"
    BREACH = "breach"


class Metric(SQLModel, table=True):
    """One shared metric of a project: its thresholds, owner and optional guardrail pairing."""

    __tablename__ = "metrics"
    __table_args__ = (Index("uq_metrics_project_name", "project_id", "name", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id")
    name: str = Field(max_length=64)  # a lowercase slug, e.g. "relevance_rating"
    display_name: str | None = Field(default=None, max_length=80)
    kind: str = Field(sa_type=String(16))  # bot.metrics.MetricKind
    unit: str = Field(default="", max_length=16)
    direction: str = Field(sa_type=String(16))  # bot.metrics.Direction
    warn_threshold: float | None = None
    breach_threshold: float | None = None  # the rollback trigger
    periods_in_row: int = 1
    stale_after_periods: int = 2
    owner: str | None = Field(default=None, max_length=32)  # a Slack user id

    # This metric guards `guardrail_of`: that primary's lift does not count if this drops more
    # than `guardrail_max_drop` (a fraction of its baseline when relative, else in its unit).
    guardrail_of: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("metrics.id", ondelete="SET NULL"), nullable=True),
    )
    guardrail_max_drop: float | None = None
    guardrail_relative: bool = True

    # The escape-alert episode (bot.metrics.flags.EpisodeState), kept between evaluations.
    alert_state: str = Field(default=AlertState.OK, sa_type=String(16))
    alert_since: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    alert_threshold: float | None = None
    alert_changed_at: datetime | None = Field(default=None, sa_column=_utc())

    created_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(False))


class MetricSample(SQLModel, table=True):
    """One reported value of a metric at an instant; (metric, instant) is unique."""

    __tablename__ = "metric_samples"
    __table_args__ = (
        # The unique key is also the range-scan index (metric = ? AND at BETWEEN ? AND ?).
        # On PostgreSQL it carries the value too, so the digest's scans never touch the heap.
        Index(
            "uq_metric_samples_metric_at",
            "metric_id",
            "at",
            unique=True,
            postgresql_include=["value"],
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    metric_id: int = Field(
        sa_column=Column(Integer, ForeignKey("metrics.id", ondelete="CASCADE"), nullable=False)
    )
    at: datetime = Field(sa_column=_utc(False))
    value: float
    received_at: datetime = Field(default_factory=utcnow, sa_column=_utc(False))


class IngestToken(SQLModel, table=True):
    """A bearer token for one project's API: post its metrics, or read its record; hashed."""

    __tablename__ = "ingest_tokens"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)  # sha256 hex of the whole token
    prefix: str = Field(max_length=16)  # the first characters, to tell tokens apart
    # What it may do (bot.metrics.tokens.Scope): "ingest" (post samples) or "read" (the
    # record). Tokens made before scopes existed were all for ingestion.
    scope: str = Field(
        default="ingest",
        sa_column=Column(String(16), nullable=False, server_default="ingest"),
    )
    created_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(False))
    revoked_at: datetime | None = Field(default=None, sa_column=_utc())
    last_used_at: datetime | None = Field(default=None, sa_column=_utc())
