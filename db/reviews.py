"""Queries for gate reviews: claims by unique key or conditional UPDATE, and what is due.

The claim mechanics are db.claims', shared with the weekly digest. Every datetime bound
here is aware UTC (bot.core.time.as_utc).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, exists, or_, update
from sqlalchemy import select as columns_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from bot.core.time import as_utc
from db import claims
from db.columns import saved_id
from db.models import Workspace
from db.models.gates import GateAnswer, GateReview, Project, ReviewStatus

_CHUNK = 500  # rows per IN list or multi-row INSERT: well under SQLite's variable limit


def schedules_in(*, session: Session, phases: Iterable[str]) -> list[Row[Any]]:
    """Return the calendar columns and team id of every active project in `phases`.

    Projects of uninstalled workspaces are left out (`installed`): nothing is claimed for
    them, so nothing fails; their reviews resume when the team installs gatebot again.

    Plain rows, not Project objects: a pass reads every project, and building 10,000 ORM
    objects costs more than the query; only the projects with something due are loaded.
    """
    return list(
        session.execute(
            # SQLAlchemy's select: sqlmodel's is typed for at most four columns.
            columns_select(
                col(Project.id),
                col(Project.sprint_start),
                col(Project.sprint_length_days),
                col(Project.timezone),
                col(Project.prompt_time),
                col(Project.created_at),
                col(Project.updated_at),
                col(Project.holiday_country),
                col(Project.holiday_subdivision),
                col(Project.working_days),
                col(Project.skipped_dates),
                col(Workspace.team_id),
            )
            .join(Workspace, col(Workspace.id) == col(Project.workspace_id))
            .where(
                col(Project.phase).in_(list(phases)), col(Project.paused).is_(False), installed()
            )
            .order_by(col(Project.id))
        )
    )


def installed() -> Any:
    """The condition on a query joined to workspaces: gatebot is installed there (not removed).

    An uninstalled workspace (app_uninstalled, tokens_revoked) has no token to post with;
    the clock leaves its work unclaimed, quietly, until a reinstall clears uninstalled_at.
    """
    return col(Workspace.uninstalled_at).is_(None)


def projects_by_id(*, session: Session, ids: Iterable[int]) -> dict[int, Project]:
    """Return the projects with `ids`, by id."""
    wanted, found = sorted(set(ids)), dict[int, Project]()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(
            (saved_id(project), project)
            for project in session.exec(select(Project).where(col(Project.id).in_(chunk)))
        )
    return found


def existing_keys(
    *, session: Session, gate_kind: str, wanted: Sequence[tuple[int, str]]
) -> set[tuple[int, str]]:
    """Return which (project id, occurrence key) pairs of `gate_kind` already have a review."""
    pairs = set(wanted)
    keys = sorted({occurrence for _, occurrence in pairs})
    found: set[tuple[int, str]] = set()
    for start in range(0, len(keys), _CHUNK):
        # By key alone: one boundary date is shared by many projects, so a few keys cover a
        # pass, and this one scan is much faster than probing a row-value IN pair by pair.
        rows = session.execute(
            select(col(GateReview.project_id), col(GateReview.occurrence_key)).where(
                col(GateReview.gate_kind) == gate_kind,
                col(GateReview.occurrence_key).in_(keys[start : start + _CHUNK]),
            )
        )
        found.update(pair for pair in ((p, k) for p, k in rows) if pair in pairs)
    return found


def claim(*, session: Session, review: GateReview) -> GateReview | None:
    """Insert `review` as the claim on its occurrence; None when another claim exists."""
    try:
        with session.begin_nested():
            session.add(review)
    except IntegrityError:
        return None
    return review


def claim_many(*, session: Session, rows: Sequence[dict[str, Any]]) -> list[GateReview]:
    """Insert reviews in one statement, skipping occurrences already claimed; return the won."""
    return claims.insert_claims(
        session=session,
        model=GateReview,
        rows=rows,
        key=("project_id", "gate_kind", "occurrence_key"),
    )


def stale_claims(
    *, session: Session, before: datetime, now: datetime, limit: int = 500
) -> list[GateReview]:
    """Return reviews still CLAIMED and stale: claimed before `before` (their clock died),
    or put off after a transient Slack failure until `now` or earlier (db.claims.stale)."""
    return claims.stale(session=session, model=GateReview, before=before, now=now, limit=limit)


def retake(*, session: Session, review: GateReview, clock_id: str, now: datetime) -> bool:
    """Take over a stale claim; True for exactly one of several clocks trying at once."""
    return claims.retake(session=session, row=review, clock_id=clock_id, now=now)


def renew(*, session: Session, review: GateReview, clock_id: str, now: datetime) -> bool:
    """Extend our claim before posting; False if another clock has taken it meanwhile."""
    return claims.renew(session=session, row=review, clock_id=clock_id, now=now)


def release(*, session: Session, review_ids: Sequence[int], clock_id: str) -> int:
    """Drop our unposted claims (the clock is stopping) so the next pass claims them afresh."""
    return claims.release(session=session, model=GateReview, ids=review_ids, clock_id=clock_id)


def set_project_error(
    *, session: Session, project: Project, error: str | None, at: datetime | None
) -> None:
    """Record (or clear) the project's last Slack error for /gate status; updated_at stays."""
    values = {"last_error": error, "last_error_at": as_utc(at) if at else None}
    session.execute(
        update(Project)
        .where(col(Project.id) == project.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    # Mirror it on the object without marking it dirty: it may belong to the caller's session.
    for name, value in values.items():
        set_committed_value(project, name, value)


def _reminder_open(*, now: datetime, lease: timedelta, attempts: int) -> list[Any]:
    """Conditions for a reminder any clock may claim: never claimed, or claimed by a clock
    whose post was lost (no ts after the lease), with attempts left."""
    return [
        col(GateReview.status) == ReviewStatus.POSTED,
        col(GateReview.reminder_ts).is_(None),
        col(GateReview.reminder_attempts) < attempts,
        or_(
            col(GateReview.reminded_at).is_(None),
            col(GateReview.reminded_at) < as_utc(now) - lease,
        ),
    ]


def due_reminders(
    *, session: Session, now: datetime, lease: timedelta, attempts: int, limit: int = 500
) -> list[tuple[GateReview, Project, str]]:
    """Return posted, unanswered reviews of active, installed projects due a reminder."""
    answered = exists().where(col(GateAnswer.review_id) == col(GateReview.id))
    rows = session.exec(
        select(GateReview, Project, Workspace.team_id)
        .join(Project, col(Project.id) == col(GateReview.project_id))
        .join(Workspace, col(Workspace.id) == col(Project.workspace_id))
        .where(
            *_reminder_open(now=now, lease=lease, attempts=attempts),
            col(GateReview.remind_at) <= as_utc(now),
            col(Project.paused).is_(False),
            installed(),
            ~answered,
        )
        .order_by(col(GateReview.remind_at), col(GateReview.id))
        .limit(limit)
    )
    return [(review, project, team_id) for review, project, team_id in rows]


def claim_reminder(
    *,
    session: Session,
    review_id: int,
    now: datetime,
    lease: timedelta,
    attempts: int,
    version: int | None = None,
) -> bool:
    """Claim a review's reminder; True for exactly one clock, and only while still unanswered.

    The UPDATE's conditions are re-checked under the row lock, so of two clocks racing for
    the same reminder only one matches; `version` (the reminder_attempts the caller read)
    also keeps a clock from claiming one another clock has claimed and put off meanwhile.
    `now` must be the real time: it is written as the claim's time, judged stale by others.
    """
    answered = exists().where(col(GateAnswer.review_id) == review_id)
    conditions = _reminder_open(now=now, lease=lease, attempts=attempts)
    if version is not None:
        conditions.append(col(GateReview.reminder_attempts) == version)
    result = session.execute(
        update(GateReview)
        .where(
            col(GateReview.id) == review_id,
            *conditions,
            col(GateReview.remind_at) <= as_utc(now),
            ~answered,
        )
        .values(reminded_at=as_utc(now), reminder_attempts=col(GateReview.reminder_attempts) + 1)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def release_reminder(*, session: Session, review_id: int, attempts: int, at: datetime) -> bool:
    """Drop our claim on a reminder whose post failed and put it off until `at`. No commit.

    Only while the claim is still ours (`attempts`, the count our claim set, unchanged and
    nothing posted): a clock that took it over meanwhile keeps it.
    """
    result = session.execute(
        update(GateReview)
        .where(
            col(GateReview.id) == review_id,
            col(GateReview.reminder_attempts) == attempts,
            col(GateReview.reminder_ts).is_(None),
        )
        .values(reminded_at=None, remind_at=as_utc(at))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def settle_reminder(
    *, session: Session, review_id: int, ts: str | None = None, give_up: bool = False
) -> None:
    """Record the posted reminder's ts, or (`give_up`) cancel it for good. No commit.

    Given up, its remind_at is cleared: no reminder is due any more, whatever the attempts.
    """
    values: dict[str, Any] = {"reminder_ts": ts} if ts else {}
    if give_up:
        values["remind_at"] = None
    if not values:
        return
    session.execute(
        update(GateReview)
        .where(col(GateReview.id) == review_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def put_off_reminder(*, session: Session, review_id: int, attempts: int, at: datetime) -> None:
    """Move an unclaimed, unposted reminder to `at` (a day off came between). No commit.

    Only while nobody has claimed it since it was read (`attempts` unchanged, no claim).
    """
    session.execute(
        update(GateReview)
        .where(
            col(GateReview.id) == review_id,
            col(GateReview.reminder_attempts) == attempts,
            col(GateReview.reminder_ts).is_(None),
            col(GateReview.reminded_at).is_(None),
        )
        .values(remind_at=as_utc(at))
        .execution_options(synchronize_session=False)
    )
