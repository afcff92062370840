"""When sprint reviews are due: each project's sprint calendar, in its own time zone.

Which sprints are asked: a sprint boundary review goes out at each sprint start while a
project is in the model iteration phase (DOMAIN.md: "at each sprint boundary"); the other
phases get their gate once, when the project moves phase (/gate phase calls open_review).
Only the running sprint's boundary is considered, and only if it falls after the project's
last set-up change (created_at, updated_at): an edit, a resume or a phase change never
sends a back-dated prompt, and a sprint that ended while the clock was down is not asked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from bot.gates import Occurrence, Phase, SprintCalendar
from db.models.gates import Project
from db.reviews import as_utc

SPRINT_PHASES = frozenset({Phase.ITERATION})


class Schedule(Protocol):
    """What the sprint calendar needs of a project: a Project, or a row of its columns."""

    sprint_start: date
    sprint_length_days: int
    timezone: str
    prompt_time: time
    created_at: datetime
    updated_at: datetime


def calendar_for(project: Schedule) -> SprintCalendar:
    """Return the project's sprint calendar as set up now."""
    return SprintCalendar(
        start=project.sprint_start,
        length_days=project.sprint_length_days,
        tz=project.timezone,
        prompt_time=project.prompt_time,
    )


def latest_boundary(*, project: Schedule, now: datetime) -> Occurrence | None:
    """Return the last sprint boundary at or before `now` (UTC), or None before sprint 1."""
    calendar, instant = calendar_for(project), as_utc(now)
    number = calendar.sprint_number(instant)
    while number >= 1:
        # Compare in UTC: two datetimes in one zone compare by wall clock, wrong at fall-back.
        at = calendar.boundary(number).astimezone(UTC)
        if at <= instant:
            return Occurrence(number=number, at=at)
        number -= 1
    return None


def next_prompt(*, project: Project, now: datetime) -> Occurrence | None:
    """Return the next sprint review the clock will post, or None if none is scheduled."""
    if project.paused or project.phase not in SPRINT_PHASES:
        return None
    calendar = calendar_for(project)
    after = max(as_utc(now), floor(project) - timedelta(microseconds=1))
    number = calendar.sprint_number(after) or 1
    while (at := calendar.boundary(number).astimezone(UTC)) <= after:
        number += 1
    return Occurrence(number=number, at=at)


def sprint_key(*, project: Schedule, number: int) -> str:
    """Return sprint `number`'s occurrence key, named by its start date: "sprint-2026-03-02".

    Not "sprint-7": re-running set-up with a new start date renumbers the sprints, and a
    numbered key would then match an old review and silence the new sprint's prompt.
    """
    return f"sprint-{calendar_for(project).start_date(number):%Y-%m-%d}"


def floor(project: Schedule) -> datetime:
    """Return the moment before which the clock never asks: the project's last set-up change."""
    return max(as_utc(project.created_at), as_utc(project.updated_at))
