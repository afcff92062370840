"""What /gate status and /gate history show: the sprint, the next prompt, the reviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

import db.projects as queries
from bot.gates import Occurrence
from bot.gates.schedule import calendar_for, moved_note, next_planned, sprint_key
from bot.gates.setup import for_channel
from bot.gates.skips import skipped_ahead
from bot.queue.health import silence_notes
from db.models.gates import GateReview, Project, ReviewStatus

OPEN_STATUSES = (ReviewStatus.CLAIMED, ReviewStatus.POSTED)
PAST_STATUSES = (
    ReviewStatus.POSTED,
    ReviewStatus.DECIDED,
    ReviewStatus.FAILED,
    ReviewStatus.SKIPPED,
)


@dataclass(frozen=True, kw_only=True)
class ReviewLine:
    """A review with how many answers it has, from how many people."""

    review: GateReview
    answers: int
    people: int


@dataclass(frozen=True, kw_only=True)
class ProjectStatus:
    """What /gate status shows."""

    project: Project
    sprint: int  # 0 before the first sprint starts
    sprint_day: int  # 1 on a sprint's first day; 0 before the first sprint
    next_prompt: Occurrence | None  # `at` in the team's time zone
    open_reviews: list[ReviewLine]
    silent: tuple[str, ...] = ()  # the worker or clock not seen running lately, in words
    open_total: int = 0  # open reviews in all, of which `open_reviews` are the newest
    moved: str | None = None  # why the next prompt goes out after its sprint's first day
    skipped: tuple[tuple[date, str], ...] = ()  # dates skipped from today, and who skipped each


OPEN_SHOWN = 10  # open reviews /gate status shows; the rest a page away
HISTORY_PAGE = 20  # reviews a page of /gate history (or of the open ones) shows


def status(*, session: Session, workspace_id: int, channel_id: str, now: datetime) -> ProjectStatus:
    """Return the channel's phase, sprint, next scheduled prompt and open reviews."""
    project = for_channel(session=session, workspace_id=workspace_id, channel_id=channel_id)
    calendar = calendar_for(project)
    plan = next_planned(project=project, now=now)
    upcoming, moved = None, None
    if plan is not None:
        upcoming = Occurrence(
            number=plan.occurrence.number, at=plan.occurrence.at.astimezone(calendar.zone)
        )
        key = sprint_key(project=project, number=plan.occurrence.number)
        moved = moved_note(project=project, occurrence_key=key, due_at=plan.occurrence.at)
    sprint, day = calendar.sprint_number(now), 0
    if sprint:
        day = (now.astimezone(calendar.zone).date() - calendar.start_date(sprint)).days + 1
    return ProjectStatus(
        project=project,
        sprint=sprint,
        sprint_day=day,
        next_prompt=upcoming,
        open_reviews=_lines(session, workspace_id, project, OPEN_STATUSES, limit=OPEN_SHOWN),
        silent=silence_notes(session=session, now=now),
        open_total=_count(session, workspace_id, project, OPEN_STATUSES),
        moved=moved,
        skipped=tuple(skipped_ahead(session=session, project=project, now=now)),
    )


@dataclass(frozen=True)
class ReviewPage:
    """A page of a channel's reviews: the project, the lines, where they start, how many."""

    project: Project
    lines: list[ReviewLine]
    offset: int
    total: int


def history(
    *, session: Session, workspace_id: int, channel_id: str, offset: int = 0, open_: bool = False
) -> ReviewPage:
    """Return a page of the channel's past (or open) reviews with their answers, newest first."""
    project = for_channel(session=session, workspace_id=workspace_id, channel_id=channel_id)
    statuses = OPEN_STATUSES if open_ else PAST_STATUSES
    lines = _lines(session, workspace_id, project, statuses, limit=HISTORY_PAGE, offset=offset)
    total = _count(session, workspace_id, project, statuses)
    return ReviewPage(project=project, lines=lines, offset=offset, total=total)


def _count(session: Session, workspace_id: int, project: Project, statuses: tuple[str, ...]) -> int:
    return queries.count_reviews(
        session=session, workspace_id=workspace_id, project_id=project.id or 0, statuses=statuses
    )


def _lines(
    session: Session,
    workspace_id: int,
    project: Project,
    statuses: tuple[str, ...],
    *,
    limit: int,
    offset: int = 0,
) -> list[ReviewLine]:
    rows = queries.reviews(
        session=session,
        workspace_id=workspace_id,
        project_id=project.id or 0,
        statuses=statuses,
        limit=limit,
        offset=offset,
    )
    counts = queries.answer_counts(
        session=session, workspace_id=workspace_id, review_ids=[r.id or 0 for r in rows]
    )
    lines = []
    for review in rows:
        answers, people = counts.get(review.id or 0, (0, 0))
        lines.append(ReviewLine(review=review, answers=answers, people=people))
    return lines
