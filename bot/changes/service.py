"""Keep an edit on the record and queue its announcement, in the edit's own transaction.

So the edit, its record rows and the job that announces it commit together: a crash
before the commit keeps none of them, one after it leaves a job a worker runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

import db.changes as queries
from bot.changes import FieldChange, moved
from bot.changes.flows import announce
from bot.queue.service import enqueue
from db.columns import saved_id, utcnow
from db.models.changes import RecordChange
from db.models.gates import Project


def record_edit(
    *,
    session: Session,
    project: Project,
    team_id: str,
    subject_kind: str,
    subject: str,
    changes: Iterable[FieldChange],
    changed_by: str,
    now: datetime | None = None,
) -> str | None:
    """Keep one row per changed field and queue one announcement; return the edit's key.

    None when nothing changed: no row, no post. Does not commit.
    """
    changed = moved(changes)
    if not changed:
        return None
    # One key per edit: the record rows share it, and it keys the job and the post, so a
    # job retried or run again finds the post it made rather than making another.
    edit_key = f"edit:{subject_kind}:{uuid.uuid4().hex}"
    at = now or utcnow()
    queries.add(
        session=session,
        rows=(
            RecordChange(
                workspace_id=project.workspace_id,
                project_id=saved_id(project),
                edit_key=edit_key,
                subject_kind=subject_kind,
                subject=subject,
                field=change.field,
                before=change.before,
                after=change.after,
                changed_by=changed_by,
                changed_at=at,
            )
            for change in changed
        ),
    )
    enqueue(
        session=session,
        task=announce,
        team_id=team_id,
        key=f"announce:{edit_key}",
        edit_key=edit_key,
    )
    return edit_key
