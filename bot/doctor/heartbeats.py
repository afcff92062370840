"""Heartbeat checks: has each long-running process been seen lately?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot.core.settings import Settings
from bot.core.time import as_utc
from bot.doctor.problems import Problem
from db import heartbeats


@dataclass(frozen=True)
class Watched:
    """A process the doctor expects to beat, how to start it, and how often it beats."""

    process: str
    start: str
    interval: timedelta


def watched(settings: Settings) -> list[Watched]:
    """Return the processes a complete gatebot runs besides the web process."""
    # A worker beats every third of its job lease, as it renews the leases (bot.queue).
    worker_beat = timedelta(seconds=settings.gatebot_job_lease_seconds / 3)
    return [
        Watched("clock", "`gatebot clock`", timedelta(seconds=settings.gatebot_clock_interval)),
        Watched("worker", "`gatebot worker`", worker_beat),
    ]


def stale_after(interval: timedelta) -> timedelta:
    """Return how old a beat may be: a few missed passes, never under five minutes."""
    return max(3 * interval, timedelta(minutes=5))


def check_heartbeats(
    *, engine: Engine, expected: list[Watched], now: datetime | None = None
) -> tuple[list[Problem], list[str]]:
    """Return a problem per process not seen lately, and a note per process that was."""
    now = now or datetime.now(UTC)
    problems: list[Problem] = []
    notes: list[str] = []
    with Session(engine) as session:
        for item in expected:
            row = heartbeats.latest(session=session, process=item.process)
            if row is None:
                problems.append(
                    Problem(
                        f"{item.process} has never run against this database: "
                        f"start it with {item.start}"
                    )
                )
                continue
            age = now - as_utc(row.beat_at)
            if age > stale_after(item.interval):
                problems.append(
                    Problem(
                        f"{item.process} not seen for {_minutes(age)} (last beat from "
                        f"{row.host}, pid {row.pid}): start it with {item.start}"
                    )
                )
            else:
                notes.append(f"{item.process} seen {_ago(age)} ago on {row.host}")
    return problems, notes


def _minutes(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes >= 120:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def _ago(age: timedelta) -> str:
    seconds = max(0, int(age.total_seconds()))
    return f"{seconds} s" if seconds < 120 else _minutes(age)
