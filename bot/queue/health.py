"""Are the processes behind the Slack surface alive? The queue's depth and the heartbeats.

The web process only records and acks; a worker runs the jobs and the clock posts what is
due. Either can stop while the web still answers, and then nothing visibly fails: verdicts
and prompts just never come. So /healthz, `/gate status` and the Home ask here, and say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.core.settings import get_settings
from db import heartbeats, queue

# A worker beats every third of its lease (bot.queue.worker); a clock at every pass.
WORKER_SILENCE = timedelta(minutes=2)
CLOCK_PASSES_MISSED = 3  # passes in a row before the clock counts as stopped
CLOCK_SLACK = timedelta(minutes=2)  # a pass of many prompts takes a while


@dataclass(frozen=True)
class Silence:
    """A process that has not beaten for longer than expected (never: `last_seen` None)."""

    process: str
    last_seen: datetime | None

    def describe(self, now: datetime) -> str:
        """Return a sentence for a person: which part stopped and what it means for them."""
        what = {
            "worker": "the worker (which checks hypotheses and records answers)",
            "clock": "the clock (which posts gate prompts, reminders and digests)",
        }.get(self.process, self.process)
        if self.last_seen is None:
            return f"{what.capitalize()} has never run: what it does waits until it starts."
        return (
            f"{what.capitalize()} has not run for {_how_long(now - self.last_seen)}: "
            "what it does is waiting."
        )


def _how_long(silence: timedelta) -> str:
    """Return a silence as a person counts it: 10 min, 5 h, 6 days (never 8640 min)."""
    minutes = max(1, int(silence.total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def expected_silence(*, clock_interval_seconds: float) -> dict[str, timedelta]:
    """Return how long each process may go without a beat before it counts as stopped."""
    clock = timedelta(seconds=clock_interval_seconds) * CLOCK_PASSES_MISSED + CLOCK_SLACK
    return {"worker": WORKER_SILENCE, "clock": clock}


def silent_processes(
    *, session: Session, now: datetime, clock_interval_seconds: float | None = None
) -> list[Silence]:
    """Return the worker and the clock if either has not beaten within its expected time.

    `clock_interval_seconds` defaults to GATEBOT_CLOCK_INTERVAL, as the clock reads it.
    """
    if clock_interval_seconds is None:
        clock_interval_seconds = get_settings().gatebot_clock_interval
    silent = []
    for process, allowed in expected_silence(clock_interval_seconds=clock_interval_seconds).items():
        seen = heartbeats.last_seen(session=session, process=process)
        if seen is None or now - seen > allowed:
            silent.append(Silence(process=process, last_seen=seen))
    return silent


@dataclass(frozen=True)
class QueueHealth:
    """What /healthz reports of the queue: jobs waiting, running, and the oldest's age."""

    waiting: int
    running: int
    oldest_age_seconds: float | None

    def as_json(self) -> dict[str, object]:
        """Return the fields as /healthz shows them."""
        age = None if self.oldest_age_seconds is None else round(self.oldest_age_seconds, 1)
        return {"waiting": self.waiting, "running": self.running, "oldest_age_seconds": age}


def silence_notes(*, session: Session, now: datetime) -> tuple[str, ...]:
    """Return a sentence for each silent process, for /gate status and the Home."""
    return tuple(s.describe(now) for s in silent_processes(session=session, now=now))


def queue_health(*, session: Session, now: datetime) -> QueueHealth:
    """Return the queue's depth and the age of its oldest unfinished job."""
    depth = queue.depth(session=session)
    return QueueHealth(
        waiting=depth.waiting, running=depth.running, oldest_age_seconds=depth.oldest_age(now)
    )
