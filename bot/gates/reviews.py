"""Gate reviews: open one exactly once, post it, remind once; one clock pass over every project.

Exactly once: the unique (project, gate, occurrence) row is the claim, inserted before
Slack hears anything. A clock killed after claiming leaves a CLAIMED row; once older than
the lease, another pass takes it over by a conditional UPDATE on `attempts` (rowcount
decides) and posts it. A clock dying after Slack accepted the post but before its commit
recording it (or a post whose answer timed out) leaves a prompt that may be in the channel:
the retry carries the same key and looks for it there first (bot.slack.posting). A transient
Slack failure puts the post off with backoff, 1, 2, 4 … minutes, for up to MAX_ATTEMPTS
attempts (about two hours, bot.claims.work), so a few minutes of Slack trouble delay a
prompt rather than fail it; a refusal (channel gone, bot removed) fails it at once.

Missed occurrences: up to `grace` late the prompt is sent once and says it is late; later
than that it is recorded as SKIPPED. A retry of a claimed prompt that Slack put off is not
a missed one: it is sent whatever the backoff added. Reminders: bot.gates.reminders. Which
sprints are due: bot.gates.schedule.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlmodel import Session

from bot.claims import work as clock_work
from bot.claims.work import MAX_ATTEMPTS
from bot.core.errors import InvalidInput
from bot.core.time import as_utc
from bot.gates import GateKind, add_working_hours, gate_for
from bot.gates.blocks.prompt import prompt_message, prompt_text
from bot.gates.days_off import days_off_for
from bot.gates.reminders import REMINDER_ATTEMPTS, send_reminder
from bot.gates.schedule import (
    SPRINT_PHASES,
    Planned,
    Schedule,
    calendar_for,
    floor,
    latest_boundary,
    latest_due,
    next_prompt,
    sprint_key,
)
from bot.slack.failures import SlackFailure
from bot.slack.posting import post_once
from db import reviews as queries
from db.models.gates import GateReview, Project, ReviewStatus

# The calendar and reminder sides are re-exported: one import for the whole ritual.
__all__ = [
    "MAX_ATTEMPTS",
    "SPRINT_PHASES",
    "Planned",
    "REMINDER_ATTEMPTS",
    "Schedule",
    "calendar_for",
    "floor",
    "latest_boundary",
    "latest_due",
    "next_prompt",
    "open_review",
    "post_review",
    "record_failure",
    "send_reminder",
    "sprint_key",
]

logger = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(hours=6)
DEFAULT_LEASE = timedelta(seconds=30)  # short is safe: a retake looks for the post first


def open_review(
    *,
    session: Session,
    client: WebClient,
    project: Project,
    gate_kind: GateKind,
    occurrence_key: str,
    due_at: datetime,
    now: datetime,
    clock_id: str,
    sprint_number: int | None = None,
) -> GateReview | None:
    """Claim an occurrence and post its prompt; None if it was already claimed. Commits."""
    review = queries.claim(
        session=session,
        review=GateReview(
            project_id=project.id,  # type: ignore[arg-type]
            gate_kind=GateKind(gate_kind).value,
            occurrence_key=occurrence_key,
            sprint_number=sprint_number,
            due_at=as_utc(due_at),
            claimed_at=as_utc(now),
            claimed_by=clock_id,
            attempts=1,
            channel_id=project.channel_id,
            created_at=as_utc(now),
        ),
    )
    session.commit()  # the claim is durable before Slack hears anything
    if review is not None:
        post_review(session=session, client=client, project=project, review=review, now=now)
    return review


def post_review(
    *, session: Session, client: WebClient, project: Project, review: GateReview, now: datetime
) -> str:
    """Post a claimed review and record the outcome: "posted", "failed" or "deferred". Commits."""
    now = as_utc(now)
    review.posted_at = now  # the prompt's blocks say "posted late" from it
    try:
        kind = GateKind(review.gate_kind)
        sprint = review.sprint_number or calendar_for(project).sprint_number(now)
        gate = gate_for(
            kind,
            context={"project": project.name, "sprint": sprint},
            overrides=(project.question_overrides or {}).get(kind.value),
        )
        # A retaken or put-off claim may have reached Slack before: look for it first.
        posted = post_once(
            client=client,
            channel=project.channel_id,
            key=f"gate-prompt:{review.id}",
            retry=review.attempts > 1,
            since=review.created_at,
            text=prompt_text(project=project, review=review, gate=gate),
            blocks=prompt_message(project=project, review=review, gate=gate),
            unfurl_links=False,
            unfurl_media=False,
        )
    except InvalidInput as error:  # the project's stored set-up cannot be asked as it is
        return record_failure(
            session=session,
            project=project,
            review=review,
            now=now,
            failure=SlackFailure(code="bad_setup", message=str(error), transient=False),
        )
    except SlackFailure as failure:
        return record_failure(
            session=session, project=project, review=review, now=now, failure=failure
        )
    review.status = ReviewStatus.POSTED
    review.message_ts = posted.ts
    review.channel_id = posted.channel
    review.error = None
    if project.reminder_hours > 0:
        off = days_off_for(project)  # the reminder waits out weekends, holidays and skips
        review.remind_at = as_utc(
            add_working_hours(
                now,
                project.reminder_hours,
                tz=project.timezone,
                weekdays=off.working_days,
                closed=lambda day: off.why(day) is not None,
            )
        )
    session.add(review)
    if project.last_error is not None:  # the channel works again: stop showing the old error
        queries.set_project_error(session=session, project=project, error=None, at=None)
    session.commit()
    return "posted"


def record_failure(
    *, session: Session, project: Project, review: GateReview, now: datetime, failure: SlackFailure
) -> str:
    """Record a post that did not go through: put off with backoff if transient. Commits."""
    return clock_work.record_failure(
        session=session, project=project, row=review, now=now, failure=failure
    )
