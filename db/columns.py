"""Column helpers every table shares: aware UTC timestamps, the id of a saved row."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Column, DateTime

from bot.core.time import utcnow

# utcnow: every timestamp is stored in UTC, from the one source the demo can drive.
__all__ = ["aware_column", "saved_id", "utcnow"]


def aware_column(nullable: bool = True) -> Column:  # type: ignore[type-arg]
    """Return a timezone-aware timestamp column."""
    return Column(DateTime(timezone=True), nullable=nullable)


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def saved_id(row: _Row) -> int:
    """Return the id of a row that was saved: the database gives it on the first flush.

    A table's `id` is `int | None` only because a row built in Python has none yet; asking a
    saved row for it narrows the type once instead of at every caller.
    """
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it was never saved")
    return row.id
