"""Health: the queue's depth, and a worker or clock that has not run for longer than expected."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot.queue.health import Silence, queue_health, silence_notes, silent_processes
from bot.queue.service import enqueue
from bot.queue.tasks import task
from db import heartbeats
from db.columns import utcnow
from tests.live_app import LiveApp


@task("tests.health_noop")
def _noop() -> None:
    """Do nothing: a job to count."""


def test_a_process_that_never_beat_or_beat_long_ago_is_silent(engine: Engine):
    now = utcnow()
    with Session(engine) as session:
        assert [s.process for s in silent_processes(session=session, now=now)] == [
            "worker",
            "clock",
        ]
        heartbeats.beat(session=session, process="worker", now=now - timedelta(seconds=30))
        heartbeats.beat(session=session, process="clock", now=now - timedelta(minutes=10))
        session.commit()
        [clock] = silent_processes(session=session, now=now, clock_interval_seconds=60)
        assert silent_processes(session=session, now=now, clock_interval_seconds=600) == []
        notes = silence_notes(session=session, now=now)
    assert clock.process == "clock"
    assert clock.describe(now) == (
        "The clock (which posts gate prompts, reminders and digests) has not run for 10 min: "
        "what it does is waiting."
    )
    assert notes == (clock.describe(now),)


def test_a_long_silence_reads_in_hours_or_days_not_thousands_of_minutes():
    now = utcnow()
    worker = Silence(process="worker", last_seen=now - timedelta(days=6, minutes=3))
    clock = Silence(process="clock", last_seen=now - timedelta(hours=5, minutes=59))

    assert "has not run for 6 days: what it does is waiting." in worker.describe(now)
    assert "has not run for 5 h: what it does is waiting." in clock.describe(now)


def test_the_queue_health_counts_waiting_jobs_and_ages_the_oldest(engine: Engine):
    with Session(engine) as session:
        enqueue(session=session, task=_noop, now=utcnow() - timedelta(seconds=90))
        enqueue(session=session, task=_noop)
        session.commit()
        health = queue_health(session=session, now=utcnow())
    assert (health.waiting, health.running) == (2, 0)
    assert health.oldest_age_seconds is not None and 89 < health.oldest_age_seconds < 100


def test_healthz_reports_the_queue_and_the_silent_clock(live_app: LiveApp):
    # The app's embedded worker beats; no clock runs beside it in this test.
    with Session(live_app.engine) as session:
        enqueue(session=session, task=_noop, delay=timedelta(hours=1))  # waits: not yet due
        session.commit()
    with urllib.request.urlopen(f"{live_app.url}/healthz", timeout=5) as response:  # noqa: S310
        health = json.loads(response.read())
    assert health["ok"] is True and health["database"] == "ok"
    assert health["queue"]["waiting"] == 1 and health["queue"]["running"] == 0
    assert health["queue"]["oldest_age_seconds"] < 60
    assert list(health["silent"]) == ["clock"]
    assert "has never run" in health["silent"]["clock"]
