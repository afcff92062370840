"""Heartbeats: the latest beat per process is kept, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from db.heartbeats import beat, last_seen, latest
from db.models.heartbeats import Heartbeat

NOON = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_a_process_never_seen_has_no_last_beat(session: Session):
    assert last_seen(session=session, process="clock") is None


def test_the_latest_beat_per_process_is_kept(session: Session):
    beat(session=session, process="clock", now=NOON)
    beat(session=session, process="worker", now=NOON + timedelta(minutes=1))
    session.commit()
    beat(session=session, process="clock", now=NOON + timedelta(minutes=5))
    session.commit()

    assert last_seen(session=session, process="clock") == NOON + timedelta(minutes=5)
    assert last_seen(session=session, process="worker") == NOON + timedelta(minutes=1)
    assert last_seen(session=session, process="web") is None
    rows = session.exec(select(Heartbeat)).all()
    assert sorted(row.process for row in rows) == ["clock", "worker"]


def test_a_beat_records_the_host_and_pid_and_defaults_to_now(session: Session):
    before = datetime.now(UTC)

    beat(session=session, process="web")
    session.commit()

    seen = last_seen(session=session, process="web")
    assert seen is not None and before <= seen <= datetime.now(UTC)
    row = latest(session=session, process="web")
    assert row is not None and row.pid == os.getpid() and row.host


def test_a_naive_beat_is_taken_as_utc(session: Session):
    beat(session=session, process="clock", now=NOON.replace(tzinfo=None))
    session.commit()

    assert last_seen(session=session, process="clock") == NOON


def test_an_unknown_process_name_is_refused(session: Session):
    with pytest.raises(ValueError, match="unknown process 'cron'"):
        beat(session=session, process="cron")
