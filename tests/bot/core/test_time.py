"""bot.core.time: every moment compared or stored is aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from bot.core.time import as_utc


def test_a_naive_moment_is_taken_as_utc():
    # SQLite hands back naive datetimes for what was stored as UTC.
    assert as_utc(datetime(2026, 3, 1, 9, 30)) == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_an_aware_moment_keeps_its_instant_and_reads_in_utc():
    paris = timezone(timedelta(hours=1))
    moved = as_utc(datetime(2026, 3, 1, 10, 30, tzinfo=paris))
    assert moved.tzinfo is UTC
    assert (moved.hour, moved.minute) == (9, 30)
