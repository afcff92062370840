"""Reminders: one per unanswered gate review, in the prompt's thread, exactly once.

A conditional UPDATE claims a reminder (db.reviews.claim_reminder); the claim stands until
the post's ts is stored, so a clock that dies in between leaves it to be retaken after the
lease, as prompts are. A transient Slack failure (or a bug) releases the claim and puts the
reminder off with the outbox's backoff, 1, 2, 4 … minutes up to an hour, for up to
REMINDER_ATTEMPTS attempts (about two hours), so a Slack incident of a few minutes delays
the reminder rather than dropping it. When gatebot gives up, or Slack refuses for good, the
error goes on the project, where /gate status shows it.

A reminder is for the leads; one whose Slack status says they are away is not mentioned,
and the other lead, else the team's first stand-in who is not away, is (bot.gates.standins),
the reminder saying why. The key stays the review's: whoever it names, it is posted once.

Every time written here is the real time of the write (ClockWork.stamp), never the pass's
start: a pass that reaches the reminders minutes after it began would otherwise write
claims that already look stale, and an overlapping clock would claim and post them again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlmodel import Session

from bot.claims.work import ClockWork
from bot.core.time import as_utc
from bot.gates.blocks.prompt import lead_ids, reminder_message, reminder_text
from bot.gates.schedule import working_again_at
from bot.gates.standins import Cover, Statuses, cover_for
from bot.outbox.service import MAX_ATTEMPTS, backoff
from bot.slack.failures import SlackFailure
from bot.slack.posting import post_once
from db import reviews as queries
from db.models.gates import GateReview, Project

logger = logging.getLogger(__name__)

REMINDER_ATTEMPTS = MAX_ATTEMPTS  # as the outbox: 8 attempts, about two hours of backoff


def remind_due(*, work: ClockWork, report: object) -> None:
    """Send every reminder that is due; part of each clock pass. Commits.

    Counts "reminded", "deferred" and "failed" on `report` (a PassReport).
    """
    session = work.session
    due = queries.due_reminders(
        session=session, now=work.stamp(), lease=work.lease, attempts=REMINDER_ATTEMPTS
    )
    session.commit()
    statuses = Statuses(now=work.stamp())  # one users.info per person for the whole pass
    for review, project, team_id in due:
        if work.stop.is_set():
            return
        if (later := working_again_at(project=project, now=work.stamp())) is not None:
            # A day off (skipped after the prompt went out, or reached by a retry's backoff).
            queries.put_off_reminder(
                session=session,
                review_id=review.id or 0,
                attempts=review.reminder_attempts,
                at=later,
            )
            session.commit()
            continue
        client = work.client(team_id)
        if isinstance(client, SlackFailure):
            continue  # nothing claimed yet: the next pass tries again
        try:
            # Statuses first: read after the claim, they would eat into its lease, and a slow
            # Slack could let another clock retake and post the reminder meanwhile.
            person = statuses.lookup(client=client, team_id=team_id)
            found = cover_for(wanted=lead_ids(project), standins=project.standins, person=person)
            outcome = send_reminder(
                session=session,
                client=client,
                project=project,
                review=review,
                now=work.stamp(),
                lease=work.lease,
                cover=found,
            )
        except Exception:  # one reminder's bug or lost connection must not stop the others
            logger.exception("the reminder of review %s failed", review.id)
            session.rollback()
            outcome = "deferred"  # still claimed: retaken after the lease, as an attempt
        if outcome != "taken":
            work.tally(report, outcome)


def send_reminder(
    *,
    session: Session,
    client: WebClient,
    project: Project,
    review: GateReview,
    now: datetime,
    lease: timedelta,
    cover: Cover | None = None,
) -> str:
    """Remind the leads in the prompt's thread once: "reminded", "deferred", "failed" or
    "taken" (another clock has it). Commits.

    `now` is the real time: it stamps the claim, which other clocks judge stale by it.
    `cover` says which leads are away and who stands in for them; None mentions the leads.
    """
    seen = review.reminder_attempts
    won = queries.claim_reminder(
        session=session,
        review_id=review.id or 0,
        now=as_utc(now),
        lease=lease,
        attempts=REMINDER_ATTEMPTS,
        version=seen,
    )
    session.commit()
    if not won:
        return "taken"
    try:
        response = post_once(
            client=client,
            channel=review.channel_id or project.channel_id,
            thread_ts=review.message_ts,
            key=f"gate-reminder:{review.id}",
            retry=seen > 0,  # an earlier attempt may be in the thread already
            since=review.posted_at,
            text=reminder_text(project=project, review=review, cover=cover),
            blocks=reminder_message(project=project, review=review, cover=cover),
        )
    except SlackFailure as failure:
        return _not_sent(
            session=session,
            project=project,
            review=review,
            failure=failure,
            attempt=seen + 1,
            now=as_utc(now),
        )
    queries.settle_reminder(session=session, review_id=review.id or 0, ts=response.ts)
    session.commit()
    return "reminded"


def _not_sent(
    *,
    session: Session,
    project: Project,
    review: GateReview,
    failure: SlackFailure,
    attempt: int,
    now: datetime,
) -> str:
    """Put the reminder off with backoff, or give it up and say why on the project. Commits."""
    review_id = review.id or 0
    if failure.transient and attempt < REMINDER_ATTEMPTS:
        at = now + backoff(attempt)
        queries.release_reminder(session=session, review_id=review_id, attempts=attempt, at=at)
        review.error = failure.message
        session.add(review)
        session.commit()
        logger.warning("reminder of review %s put off until %s: %s", review_id, at, failure)
        return "deferred"
    error = f"the reminder was not posted: {failure.message}"
    if failure.transient:
        error += f" (gave up after {attempt} attempts)"
    queries.settle_reminder(session=session, review_id=review_id, give_up=True)
    review.error = error
    session.add(review)
    queries.set_project_error(session=session, project=project, error=error, at=now)
    session.commit()
    logger.warning("gave up on the reminder of review %s: %s", review_id, failure)
    return "failed"
