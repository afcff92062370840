"""Time as gatebot stores and compares it: aware UTC, from one source the demo can drive."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

Source = Callable[[], datetime]


def _wall_clock() -> datetime:
    return datetime.now(UTC)


_source: Source = _wall_clock


def utcnow() -> datetime:
    """Return an aware UTC now: the wall clock, unless a simulated one is in use."""
    return _source()


@contextmanager
def time_source(source: Source) -> Iterator[None]:
    """Read every `utcnow()` from `source` inside the block (the demo's simulated clock).

    Process-wide on purpose: the demo's app, worker and clock run on threads of one
    process, and every time they stamp must come from the same simulated clock. Slack's
    request signatures keep the wall clock: they carry Slack's own time.
    """
    global _source
    before, _source = _source, source
    try:
        yield
    finally:
        _source = before


def as_utc(moment: datetime) -> datetime:
    """Return `moment` as aware UTC; a naive value (SQLite's read-back) is taken as UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
