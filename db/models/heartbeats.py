"""Process heartbeats: when each long-running process (clock, worker, web) last showed life."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, String
from sqlmodel import Field, SQLModel


class Heartbeat(SQLModel, table=True):
    """The latest beat of one kind of process; whichever instance beat last owns the row.

    One row per process name, not per instance: the question asked of it ("has any clock
    run lately?") needs only the newest beat, and the table never grows.
    """

    __tablename__ = "heartbeats"

    process: str = Field(sa_column=Column(String(16), primary_key=True))
    beat_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    # Which instance beat last, for the operator chasing a process that stopped.
    host: str = Field(default="", max_length=64)
    pid: int = 0
