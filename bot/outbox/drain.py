"""The clock's side of the outbox (bot.outbox.service): post what is due, with backoff, at most
MAX_ATTEMPTS times, and tell the author when gatebot gives up.

Exactly once, as the clock's own posts: a clock takes each attempt by a conditional UPDATE
(db.outbox.take) leasing the message for LEASE from the time of the take, so two clocks
never post the same message; one that dies mid-post leaves it to be tried again after the
lease. Every failure counts as an attempt, Slack's or gatebot's own (a bug, the database),
so nothing is posted again and again for ever.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlmodel import Session

import db.outbox as queries
from bot.outbox.service import LEASE, MAX_ATTEMPTS, MAX_OVERDUE, backoff, post_call, tell
from bot.slack.failures import SlackFailure
from db.claims import as_utc
from db.models.outbox import OutboxMessage

logger = logging.getLogger(__name__)


@dataclass
class OutboxReport:
    """What one drain did."""

    posted: int = 0
    deferred: int = 0
    failed: int = 0


def drain(
    *,
    session: Session,
    client_for: Callable[[str], WebClient | SlackFailure],
    now: datetime,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] | None = None,
) -> OutboxReport:
    """Post every kept message that is due at `now`; part of each clock pass. Commits.

    `clock` tells the time as the drain goes on (by default `now` plus the time spent).
    Each lease and backoff starts from it, not from `now`: a drain running longer than
    LEASE would otherwise take messages whose lease had already run out, and a second
    clock would take and post them again while this one was still posting.
    """
    report = OutboxReport()
    now = as_utc(now)
    clock = clock or _running_from(now)
    due = queries.due(session=session, now=now, max_attempts=MAX_ATTEMPTS)
    session.commit()  # no read transaction held across Slack calls
    for message in due:
        if stop is not None and stop.is_set():
            break
        message_id, taken_at = message.id, as_utc(clock())
        held_back = taken_at - as_utc(message.next_attempt_at) > MAX_OVERDUE  # before take()
        until = taken_at + LEASE
        won = queries.take(session=session, message=message, until=until, max_attempts=MAX_ATTEMPTS)
        session.commit()
        if not won:
            continue  # another clock has it
        try:
            outcome = _attempt(
                session=session,
                client_for=client_for,
                message=message,
                clock=clock,
                held_back=held_back,
            )
        except Exception as error:  # one message's bug or lost database must not stop the others
            logger.exception("outbox message %s failed", message_id)
            session.rollback()
            outcome = _after_error(
                session=session, client_for=client_for, message=message, error=error, clock=clock
            )
        setattr(report, outcome, getattr(report, outcome) + 1)
    if any((report.posted, report.deferred, report.failed)):
        logger.info("outbox: %s", report)
    return report


def _running_from(now: datetime) -> Callable[[], datetime]:
    started = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - started)


def _attempt(
    *,
    session: Session,
    client_for: Callable[[str], WebClient | SlackFailure],
    message: OutboxMessage,
    clock: Callable[[], datetime],
    held_back: bool,
) -> str:
    client = client_for(message.team_id)
    if held_back:
        return _expire(session=session, client=client, message=message)
    if message.attempts > MAX_ATTEMPTS:  # the last failure could not even be recorded
        error = message.last_error or "posting it kept failing"
        return _give_up(session=session, client=client, message=message, error=error)
    try:
        if isinstance(client, SlackFailure):
            raise client
        # Every drain attempt follows one that failed, perhaps after Slack took the post.
        ts = post_call(client, message, retry=True)
    except SlackFailure as failure:
        if failure.transient and message.attempts < MAX_ATTEMPTS:
            at = as_utc(clock()) + backoff(message.attempts)
            queries.retry_later(session=session, message=message, error=failure.message, at=at)
            session.commit()
            return "deferred"
        return _give_up(session=session, client=client, message=message, error=failure.message)
    _record_posted(session=session, message=message, ts=ts, now=clock())
    return "posted"


def _record_posted(*, session: Session, message: OutboxMessage, ts: str, now: datetime) -> None:
    """Record the post and its ts; if that fails, mark the row posted alone. Commits.

    Slack has the message either way: leaving the row pending would post it again.
    """
    try:
        queries.posted(session=session, message=message, ts=ts, now=now)
        session.commit()
    except Exception:
        logger.exception(
            "outbox message %s is in Slack (ts %s); recording it failed", message.id, ts
        )
        session.rollback()
        note = "posted, but where its ts belongs could not be updated"
        queries.mark_posted(session=session, message=message, ts=ts, now=now, note=note)
        session.commit()  # if this fails too, drain counts it as a failed attempt


def _after_error(
    *,
    session: Session,
    client_for: Callable[[str], WebClient | SlackFailure],
    message: OutboxMessage,
    error: Exception,
    clock: Callable[[], datetime],
) -> str:
    """Count a failure outside Slack (a bug, the database) as an attempt, as a transient one.

    So it is retried with backoff and given up after MAX_ATTEMPTS, never repeated for ever.
    If even that cannot be recorded, the lease stands: the message is taken again after it.
    """
    try:
        why = f"an error inside gatebot ({type(error).__name__})"
        if message.attempts < MAX_ATTEMPTS:
            at = as_utc(clock()) + backoff(message.attempts)
            queries.retry_later(session=session, message=message, error=why, at=at)
            session.commit()
            return "deferred"
        try:
            client = client_for(message.team_id)
        except Exception:  # nobody can be told; the failure is still recorded
            client = SlackFailure(code="no_client", message=why, transient=True)
        return _give_up(session=session, client=client, message=message, error=why)
    except Exception:
        logger.exception("could not record the failed attempt at an outbox message")
        session.rollback()
        return "deferred"


def _give_up(
    *, session: Session, client: WebClient | SlackFailure, message: OutboxMessage, error: str
) -> str:
    queries.failed(session=session, message=message, error=error)
    session.commit()
    if not isinstance(client, SlackFailure):
        _tell_author(client=client, message=message)
    logger.warning("gave up on outbox message %s: %s", message.id, error)
    return "failed"


def _expire(*, session: Session, client: WebClient | SlackFailure, message: OutboxMessage) -> str:
    error = "not posted: it was held back over a day (gatebot was not installed, or not running)"
    queries.failed(session=session, message=message, error=error)
    session.commit()
    logger.warning("dropped outbox message %s of team %s: %s", message.id, message.team_id, error)
    if message.notify_user and not isinstance(client, SlackFailure):
        text = (
            f":information_source: I did not post {message.about} to <#{message.channel_id}>: "
            "it was held back more than a day while I could not post, so it would arrive out of "
            "context. Everything you saved is still in gatebot."
        )
        tell(client=client, channel_id=message.channel_id, user_id=message.notify_user, text=text)
    return "failed"


def _tell_author(*, client: WebClient, message: OutboxMessage) -> None:
    if not message.notify_user:
        return
    text = (
        f":warning: I could not post {message.about} to <#{message.channel_id}>: "
        f"{message.last_error}. I tried {min(message.attempts, MAX_ATTEMPTS)} times and have "
        "stopped. Everything you saved is still in gatebot."
    )
    tell(client=client, channel_id=message.channel_id, user_id=message.notify_user, text=text)
