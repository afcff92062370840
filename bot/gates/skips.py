"""/gate skip and /gate unskip: a date the team will not be prompted on, and who said so.

A skipped date is a day off (bot.gates.days_off): a sprint review due on it, by its own
date or after moving past holidays, is not asked; the clock records it as skipped, so
/gate status and history say so. Who skipped which date is kept in the record of edits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

import db.days_off as queries
from bot.core.errors import InvalidInput
from bot.core.time import as_utc
from bot.gates.days_off import days_off_for
from bot.gates.input import MAX_SPRINT_DAYS
from bot.gates.schedule import (
    SPRINT_PHASES,
    Planned,
    calendar_for,
    next_planned,
    planned,
    sprint_key,
)
from bot.gates.setup import for_channel
from bot.slack.mrkdwn import escape
from db.models.gates import Project

SKIPPED_BY = "skip:"  # claimed_by of a review not asked for a /gate skip, then who skipped
MAX_SKIPPED = 60  # dates skipped ahead at once: enough for a year of holidays and offsites
# Past skips are kept this long, so a boundary that fell on one is still recorded as skipped.
KEPT_AFTER = timedelta(days=MAX_SPRINT_DAYS)
FORMS = "2026-12-25 or 25 Dec"
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?$")


def day_words(day: date) -> str:
    """Return a date as people read it in the team's calendar, e.g. "Fri 25 Dec 2026"."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def parse_day(text: str, *, today: date) -> date:
    """Return the date in "2026-12-25", "25 Dec", "December 25, 2026"; a year-less date is
    the next one from `today`. Raises InvalidInput saying how to write it."""
    typed = " ".join(text.split()).casefold()
    try:
        return date.fromisoformat(typed)
    except ValueError:
        pass
    found = _DAY_MONTH.match(typed)
    day_text, month_text, year_text = found.groups() if found else (None, None, None)
    if found is None and (found := _MONTH_DAY.match(typed)):
        month_text, day_text, year_text = found.groups()
    month = _MONTHS.get(month_text or "")
    if found is None or month is None:
        raise InvalidInput(
            f"I can't read '{escape(text.strip()[:40])}' as a date: write it as {FORMS}."
        )
    year = int(year_text) if year_text else today.year
    try:
        day = date(year, month, int(day_text or 0))
        if not year_text and day < today:
            day = date(year + 1, month, day.day)
    except ValueError:
        raise InvalidInput(
            f"'{escape(text.strip()[:40])}' is not a day of the calendar: write it as {FORMS}."
        ) from None
    return day


@dataclass(frozen=True, kw_only=True)
class SkipResult:
    """What /gate skip or unskip did: the day, whether it changed, and the prompt it touches."""

    project: Project
    day: date
    changed: bool
    by: str | None  # who skipped it (for an unchanged skip: who did, earlier)
    prompt: Planned | None  # the sprint review due that day, if one is
    prompt_status: str | None  # where that review is, if the clock or a person got to it
    next_prompt: Planned | None  # the next review that will be asked, after this change


def skip(
    *,
    session: Session,
    workspace_id: int,
    channel_id: str,
    user_id: str,
    argument: str,
    now: datetime,
) -> SkipResult:
    """Skip a date (or `next`, the next prompt's): no review is asked on it. Commits."""
    project = _locked(session, workspace_id=workspace_id, channel_id=channel_id)
    today = _today(project, now)
    if argument.strip().casefold() == "next":
        upcoming = next_planned(project=project, now=now)
        if upcoming is None:
            raise InvalidInput(
                "No sprint review is scheduled to skip: they go out at each sprint start "
                "during Model iteration, while the prompts are not paused."
            )
        day = upcoming.day
    else:
        day = _future_day(argument, today=today, verb="skip")
    dates = _kept(project.skipped_dates, today=today)
    changed = day.isoformat() not in dates
    if changed:
        if len([d for d in dates if d >= today.isoformat()]) >= MAX_SKIPPED:
            raise InvalidInput(
                f"{MAX_SKIPPED} dates are skipped already: `/gate unskip` lists them, to free some."
            )
        project.skipped_dates = sorted([*dates, day.isoformat()])
        queries.record_skip(
            session=session, project=project, day=day, user_id=user_id, skipped=True, at=now
        )
        session.add(project)
    return _result(session, project, day=day, changed=changed, now=now)


def unskip(
    *,
    session: Session,
    workspace_id: int,
    channel_id: str,
    user_id: str,
    argument: str,
    now: datetime,
) -> SkipResult:
    """Ask again on a skipped date. Commits."""
    project = _locked(session, workspace_id=workspace_id, channel_id=channel_id)
    today = _today(project, now)
    day = _future_day(argument, today=today, verb="unskip")
    dates = _kept(project.skipped_dates, today=today)
    changed = day.isoformat() in dates
    if changed:
        project.skipped_dates = [d for d in dates if d != day.isoformat()]
        queries.record_skip(
            session=session, project=project, day=day, user_id=user_id, skipped=False, at=now
        )
        session.add(project)
    return _result(session, project, day=day, changed=changed, now=now)


def skipped_ahead(*, session: Session, project: Project, now: datetime) -> list[tuple[date, str]]:
    """Return the dates skipped from today on, with who skipped each ("" if unknown)."""
    today = _today(project, now)
    days = sorted(d for d in days_off_for(project).skipped if d >= today)
    who = queries.skippers(session=session, project_ids=[project.id or 0])
    return [(day, who.get((project.id or 0, day), "")) for day in days]


def skip_row_fields(*, plan: Planned, skipped_by: str | None) -> dict[str, Any]:
    """Return what a skipped review's row says about why: who skipped it, or the days off."""
    if plan.skipped_date is not None:
        return {"claimed_by": f"{SKIPPED_BY}{skipped_by or ''}", "error": "skipped"}
    return {"error": plan.skip} if plan.skip else {}


def _locked(session: Session, *, workspace_id: int, channel_id: str) -> Project:
    project = for_channel(session=session, workspace_id=workspace_id, channel_id=channel_id)
    # Two skips at once must not write over each other's list: read it again, locked.
    session.refresh(project, with_for_update=True)
    return project


def _today(project: Project, now: datetime) -> date:
    return as_utc(now).astimezone(calendar_for(project).zone).date()


def _future_day(argument: str, *, today: date, verb: str) -> date:
    if not argument.strip():
        also = " or `/gate skip next` (the next prompt's date)" if verb == "skip" else ""
        raise InvalidInput(
            f"Say which date to {verb}, e.g. `/gate {verb} 2026-12-25` or `/gate {verb} 25 Dec`"
            f"{also}."
        )
    day = parse_day(argument, today=today)
    if day < today:
        raise InvalidInput(
            f"{day_words(day)} is past: only today or a later date can be {verb}ped "
            f"(it is {day_words(today)} in the team's time zone)."
        )
    return day


def _kept(dates: list[str], *, today: date) -> list[str]:
    oldest = (today - KEPT_AFTER).isoformat()
    return sorted({d for d in dates or [] if d >= oldest})


def _result(
    session: Session, project: Project, *, day: date, changed: bool, now: datetime
) -> SkipResult:
    session.commit()
    who = queries.skippers(session=session, project_ids=[project.id or 0])
    prompt = _prompt_on(project, day)
    status = None
    if prompt is not None:
        key = sprint_key(project=project, number=prompt.occurrence.number)
        status = queries.review_status(
            session=session, project_id=project.id or 0, occurrence_key=key
        )
    return SkipResult(
        project=project,
        day=day,
        changed=changed,
        by=who.get((project.id or 0, day)),
        prompt=prompt,
        prompt_status=status,
        next_prompt=next_planned(project=project, now=now),
    )


def _prompt_on(project: Project, day: date) -> Planned | None:
    """Return the sprint review that falls on `day` (by its date or moved there), if any."""
    if project.phase not in SPRINT_PHASES:
        return None  # sprint reviews are asked in Model iteration only
    calendar = calendar_for(project)
    number = (day - calendar.start).days // calendar.length_days + 1
    off = days_off_for(project)
    for candidate in (number, number - 1):  # a moved prompt stays inside its own sprint
        if candidate >= 1:
            plan = planned(project=project, number=candidate, days_off=off)
            if day in (plan.boundary, plan.day):
                return plan
    return None
