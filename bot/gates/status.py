"""What /gate status and /gate history show: the sprint, the next prompt, the reviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

import db.projects as queries
from bot.gates import Occurrence
from bot.gates.schedule import calendar_for, next_prompt
from bot.gates.setup import for_channel
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


def status(*, session: Session, workspace_id: int, channel_id: str, now: datetime) -> ProjectStatus:
    """Return the channel's phase, sprint, next scheduled prompt and open reviews."""
    project = for_channel(session=session, workspace_id=workspace_id, channel_id=channel_id)
    calendar = calendar_for(project)
    upcoming = next_prompt(project=project, now=now)
    if upcoming is not None:
        upcoming = Occurrence(number=upcoming.number, at=upcoming.at.astimezone(calendar.zone))
    sprint, day = calendar.sprint_number(now), 0
    if sprint:
        day = (now.astimezone(calendar.zone).date() - calendar.start_date(sprint)).days + 1
    return ProjectStatus(
        project=project,
        sprint=sprint,
        sprint_day=day,
        next_prompt=upcoming,
        open_reviews=_lines(session, workspace_id, project, OPEN_STATUSES),
        silent=silence_notes(session=session, now=now),
    )


def history(
    *, session: Session, workspace_id: int, channel_id: str
) -> tuple[Project, list[ReviewLine]]:
    """Return the channel's project and its past reviews with their answers, newest first."""
    project = for_channel(session=session, workspace_id=workspace_id, channel_id=channel_id)
    return project, _lines(session, workspace_id, project, PAST_STATUSES)


def _lines(
    session: Session, workspace_id: int, project: Project, statuses: tuple[str, ...]
) -> list[ReviewLine]:
    rows = queries.reviews(
        session=session, workspace_id=workspace_id, project_id=project.id or 0, statuses=statuses
    )
    counts = queries.answer_counts(
        session=session, workspace_id=workspace_id, review_ids=[r.id or 0 for r in rows]
    )
    lines = []
    for review in rows:
        answers, people = counts.get(review.id or 0, (0, 0))
        lines.append(ReviewLine(review=review, answers=answers, people=people))
    return lines
