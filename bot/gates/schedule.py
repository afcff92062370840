"""When sprint reviews are due: each project's sprint calendar, in its own time zone.

Which sprints are asked: a sprint boundary review goes out at each sprint start while a
project is in the model iteration phase (DOMAIN.md: "at each sprint boundary"); the other
phases get their gate once, when the project moves phase (/gate phase calls open_review).
Only the running sprint's boundary is considered, and only if it falls after the project's
last set-up change (created_at, updated_at): an edit, a resume or a phase change never
sends a back-dated prompt, and a sprint that ended while the clock was down is not asked.

Days off (bot.gates.days_off): a boundary on a public holiday or a day the team does not
work is asked on the next working day at the same local time, under the same occurrence
key. A boundary whose day, or whose moved day, was skipped with /gate skip is not asked but
recorded as skipped; so is one whose every day until the next sprint is a day off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from bot.core.time import as_utc
from bot.gates import Occurrence, Phase, SprintCalendar, local_datetime
from bot.gates.days_off import DaysOff, days_off_for
from db.models.gates import Project

SPRINT_PHASES = frozenset({Phase.ITERATION})
WORKDAY_OPENS = time(9)  # as add_working_hours' working day
_LOOKAHEAD = 400  # boundaries /gate status looks through for one that is asked


class Schedule(Protocol):
    """What the sprint calendar needs of a project: a Project, or a row of its columns."""

    sprint_start: date
    sprint_length_days: int
    timezone: str
    prompt_time: time
    created_at: datetime
    updated_at: datetime
    holiday_country: str | None
    holiday_subdivision: str | None
    working_days: list[int]
    skipped_dates: list[str]


def calendar_for(project: Schedule) -> SprintCalendar:
    """Return the project's sprint calendar as set up now."""
    return SprintCalendar(
        start=project.sprint_start,
        length_days=project.sprint_length_days,
        tz=project.timezone,
        prompt_time=project.prompt_time,
    )


@dataclass(frozen=True, kw_only=True)
class Planned:
    """A sprint boundary as the clock asks it: when (moved past days off), or why not."""

    occurrence: Occurrence  # `at` in UTC: when the prompt goes out, or would have
    boundary: date  # the sprint's first day, named in its occurrence key
    day: date  # the team's local day the prompt goes out: `boundary` unless moved
    skip: str | None = None  # why it is not asked, as people read it; None when it is
    skipped_date: date | None = None  # the /gate skip date that stops it, if that is why

    @property
    def moved(self) -> bool:
        """Return whether the prompt goes out on a later day than the sprint starts."""
        return self.day != self.boundary


def planned(
    *,
    project: Schedule,
    number: int,
    days_off: DaysOff | None = None,
    calendar: SprintCalendar | None = None,
) -> Planned:
    """Return when sprint `number`'s prompt goes out given the team's days off.

    `days_off` and `calendar` are the project's, passed in by a caller that already has them.
    """
    calendar = calendar or calendar_for(project)
    off = days_off or days_off_for(project)
    first, following = calendar.start_date(number), calendar.start_date(number + 1)
    at = calendar.boundary(number).astimezone(UTC)
    # Skipped dates do not move a prompt: skipping the day it would go out skips it.
    day = off.next_working_day(first, counting_skips=False)
    if day >= following:
        occurrence = Occurrence(number=number, at=at)
        why = f"every day of sprint {number} was a day off"
        return Planned(occurrence=occurrence, boundary=first, day=first, skip=why)
    if day != first:
        at = local_datetime(day, project.prompt_time, tz=calendar.zone).astimezone(UTC)
    skipped = next((d for d in (first, day) if d in off.skipped), None)
    return Planned(
        occurrence=Occurrence(number=number, at=at),
        boundary=first,
        day=day,
        skip=None if skipped is None else off.why(skipped),
        skipped_date=skipped,
    )


def latest_due(
    *, project: Schedule, now: datetime, days_off: DaysOff | None = None
) -> Planned | None:
    """Return the last sprint boundary due at or before `now`, or None before sprint 1."""
    calendar, instant = calendar_for(project), as_utc(now)
    off = days_off or days_off_for(project)
    number = calendar.sprint_number(instant)
    # A moved prompt stays inside its sprint, so the one due is this sprint's or the last's
    # (or, after a spring-forward gap pushed this one past midnight, the one before).
    for candidate in range(number, max(0, number - 3), -1):
        plan = planned(project=project, number=candidate, days_off=off, calendar=calendar)
        if plan.occurrence.at <= instant:  # both UTC: compared by instant, right at fall-back
            return plan
    return None


def latest_boundary(*, project: Schedule, now: datetime) -> Occurrence | None:
    """Return the last sprint boundary due at or before `now` (UTC), or None before sprint 1."""
    plan = latest_due(project=project, now=now)
    return plan.occurrence if plan is not None else None


def next_prompt(*, project: Project, now: datetime) -> Occurrence | None:
    """Return the next sprint review the clock will post, or None if none is scheduled.

    Moved past days off; a skipped boundary is passed over for the one after it.
    """
    plan = next_planned(project=project, now=now)
    return plan.occurrence if plan is not None else None


def next_planned(*, project: Project, now: datetime, asked: bool = True) -> Planned | None:
    """Return the next boundary after `now` that the clock will ask (any, if not `asked`)."""
    if project.paused or project.phase not in SPRINT_PHASES:
        return None
    calendar, off = calendar_for(project), days_off_for(project)
    after = max(as_utc(now), floor(project) - timedelta(microseconds=1))
    number = max(1, (calendar.sprint_number(after) or 1) - 1)
    for _ in range(_LOOKAHEAD):
        plan = planned(project=project, number=number, days_off=off, calendar=calendar)
        if plan.occurrence.at > after and not (asked and plan.skip):
            return plan
        number += 1
    return None  # every boundary for years ahead skipped: nothing is scheduled


def sprint_key(*, project: Schedule, number: int) -> str:
    """Return sprint `number`'s occurrence key, named by its start date: "sprint-2026-03-02".

    Not "sprint-7": re-running set-up with a new start date renumbers the sprints, and a
    numbered key would then match an old review and silence the new sprint's prompt.
    """
    return f"sprint-{calendar_for(project).start_date(number):%Y-%m-%d}"


def working_again_at(*, project: Project, now: datetime) -> datetime | None:
    """Return when the team's next working day opens (09:00 local) if `now` falls on a day
    off, else None: a reminder that comes due on one waits until then."""
    calendar = calendar_for(project)
    today = as_utc(now).astimezone(calendar.zone).date()
    off = days_off_for(project)
    if off.why(today) is None:
        return None
    day = off.next_working_day(today)
    return local_datetime(day, WORKDAY_OPENS, tz=calendar.zone).astimezone(UTC)


def key_date(occurrence_key: str) -> date | None:
    """Return the sprint start a clock occurrence key names ("sprint-2026-12-25"), or None."""
    prefix, _, day = occurrence_key.partition("-")
    if prefix != "sprint":
        return None  # "now-…", "phase-…": asked by a person, never moved
    try:
        return date.fromisoformat(day)
    except ValueError:
        return None


def moved_note(*, project: Project, occurrence_key: str, due_at: datetime) -> str | None:
    """Return why a sprint prompt goes out after its sprint's first day, or None if it does not.

    E.g. "Moved from Fri 25 Dec to Tue 29 Dec, the next working day: Fri 25 Dec is Christmas
    Day (GB); Mon 28 Dec is Boxing Day (GB)." Only days the team would work name a reason:
    a weekend in between needs none. Mrkdwn (holiday names are escaped).
    """
    boundary = key_date(occurrence_key)
    day = as_utc(due_at).astimezone(calendar_for(project).zone).date()
    if boundary is None or day <= boundary:
        return None
    off = days_off_for(project)
    between = (boundary + timedelta(days=n) for n in range(1, (day - boundary).days))
    named = [boundary, *(d for d in between if d.weekday() in off.working_days)]
    reasons = [f"{_short(d)} is {off.why(d, counting_skips=False) or 'a day off'}" for d in named]
    return (
        f"Moved from {_short(boundary)} to {_short(day)}, the next working day: "
        + "; ".join(reasons)
        + "."
    )


def _short(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def floor(project: Schedule) -> datetime:
    """Return the moment before which the clock never asks: the project's last set-up change."""
    return max(as_utc(project.created_at), as_utc(project.updated_at))
