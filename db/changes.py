"""Queries on the record of announced edits: write an edit's fields, read them back by its key."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from db.models.changes import RecordChange


def add(*, session: Session, rows: Iterable[RecordChange]) -> None:
    """Keep the fields of one edit. No commit: they commit with the edit itself."""
    session.add_all(list(rows))
    session.flush()


def of_edit(*, session: Session, edit_key: str) -> list[RecordChange]:
    """Return the fields of one edit, in the order they were written."""
    query = select(RecordChange).where(RecordChange.edit_key == edit_key)
    return list(session.exec(query.order_by(col(RecordChange.id))))
