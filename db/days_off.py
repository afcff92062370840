"""Queries on a project's skipped dates: who skipped which, kept in the record of edits.

A skip or unskip is one RecordChange (subject "days off", field "skipped"): the project's
skipped_dates says what is skipped now, the record says who did it and when.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import Session, col, select

from bot.core.time import as_utc
from db.models.changes import RecordChange
from db.models.gates import GateReview, Project

SUBJECT_KIND, SUBJECT, FIELD = "calendar", "days off", "skipped"


def record_skip(
    *, session: Session, project: Project, day: date, user_id: str, skipped: bool, at: datetime
) -> None:
    """Record that `user_id` skipped (or unskipped) `day` for the project. No commit."""
    iso, verb = day.isoformat(), "skip" if skipped else "unskip"
    session.add(
        RecordChange(
            workspace_id=project.workspace_id,
            project_id=project.id or 0,
            edit_key=f"{verb}:{project.id}:{iso}:{as_utc(at):%Y%m%dT%H%M%S%f}",
            subject_kind=SUBJECT_KIND,
            subject=SUBJECT,
            field=FIELD,
            before=None if skipped else iso,
            after=iso if skipped else None,
            changed_by=user_id,
            changed_at=as_utc(at),
        )
    )


def skippers(*, session: Session, project_ids: Iterable[int]) -> dict[tuple[int, date], str]:
    """Return who last skipped each date, by (project id, date)."""
    ids = sorted(set(project_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(RecordChange.project_id, RecordChange.after, RecordChange.changed_by)
        .where(
            col(RecordChange.project_id).in_(ids),
            RecordChange.subject_kind == SUBJECT_KIND,
            RecordChange.field == FIELD,
            col(RecordChange.after).is_not(None),
        )
        .order_by(col(RecordChange.id))
    )
    found: dict[tuple[int, date], str] = {}
    for project_id, after, user in rows:
        try:
            found[(project_id, date.fromisoformat(after or ""))] = user
        except ValueError:
            continue
    return found


def review_status(*, session: Session, project_id: int, occurrence_key: str) -> str | None:
    """Return the status of the project's sprint review under `occurrence_key`, if there is one."""
    return session.exec(
        select(GateReview.status).where(
            GateReview.project_id == project_id,
            GateReview.gate_kind == "sprint_review",
            GateReview.occurrence_key == occurrence_key,
        )
    ).first()
