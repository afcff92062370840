"""Column helpers every table shares: aware UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime


def utcnow() -> datetime:
    """Return an aware UTC now; every timestamp is stored in UTC."""
    return datetime.now(UTC)


def aware_column(nullable: bool = True) -> Column:  # type: ignore[type-arg]
    """Return a timezone-aware timestamp column."""
    return Column(DateTime(timezone=True), nullable=nullable)
