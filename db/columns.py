"""Column helpers every table shares: aware UTC timestamps."""

from __future__ import annotations

from sqlalchemy import Column, DateTime

from bot.core.time import utcnow

__all__ = ["aware_column", "utcnow"]  # utcnow: every timestamp is stored in UTC, from one source


def aware_column(nullable: bool = True) -> Column:  # type: ignore[type-arg]
    """Return a timezone-aware timestamp column."""
    return Column(DateTime(timezone=True), nullable=nullable)
