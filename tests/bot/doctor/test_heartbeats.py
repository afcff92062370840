"""The heartbeat check: a clock seen lately is fine, a silent or absent one is a problem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot.core.settings import load_settings
from bot.doctor.heartbeats import Watched, check_heartbeats, stale_after, watched
from db.heartbeats import beat

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
CLOCK = Watched("clock", "`gatebot clock`", timedelta(seconds=60))


def _beat(engine: Engine, at: datetime) -> None:
    with Session(engine) as session:
        beat(session=session, process="clock", now=at)
        session.commit()


def test_a_clock_seen_a_minute_ago_is_a_note(engine: Engine):
    _beat(engine, NOW - timedelta(seconds=70))

    problems, notes = check_heartbeats(engine=engine, expected=[CLOCK], now=NOW)

    assert problems == []
    assert len(notes) == 1 and notes[0].startswith("clock seen 70 s ago on ")


def test_a_clock_silent_for_twelve_minutes_is_a_problem_with_the_fix(engine: Engine):
    _beat(engine, NOW - timedelta(minutes=12, seconds=30))

    [problem], notes = check_heartbeats(engine=engine, expected=[CLOCK], now=NOW)

    assert notes == []
    assert problem.line.startswith("clock not seen for 12 min (last beat from ")
    assert problem.line.endswith("start it with `gatebot clock`")


def test_a_clock_that_never_ran_is_a_problem(engine: Engine):
    [problem], _ = check_heartbeats(engine=engine, expected=[CLOCK], now=NOW)

    assert problem.line == (
        "clock has never run against this database: start it with `gatebot clock`"
    )


def test_a_slow_interval_allows_a_longer_silence(engine: Engine):
    _beat(engine, NOW - timedelta(minutes=25))
    hourly = Watched("clock", "`gatebot clock`", timedelta(minutes=10))

    problems, _ = check_heartbeats(engine=engine, expected=[hourly], now=NOW)

    assert problems == []  # three missed 10-minute passes would be 30 min


def test_the_worker_is_watched_at_a_third_of_its_lease():
    long_lease = load_settings(_env_file=None, gatebot_job_lease_seconds=1800.0)

    by_process = {item.process: item for item in watched(long_lease)}

    assert by_process["worker"].start == "`gatebot worker`"
    assert by_process["worker"].interval == timedelta(minutes=10)
    assert stale_after(by_process["worker"].interval) == timedelta(minutes=30)
