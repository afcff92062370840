"""Posts a person asked for are kept when Slack cannot take them, and posted later by the clock.

Every WebClient already rides out rate limits and dropped connections (bot.app's retry
handlers). A post that still fails with something that may pass (5xx, a rate limit
longer than the retries, Slack unreachable) is not lost: `send` stores it in the outbox
and the person is told it will go out. Each clock pass posts what is due
(bot.outbox.drain), with backoff between attempts; after MAX_ATTEMPTS it gives up and
tells the person who asked. While the workspace has uninstalled gatebot its messages wait
untouched (db.outbox.due); after a reinstall they go out, unless overdue by MAX_OVERDUE:
those are dropped, the person told. A refusal that will repeat (channel archived, bot not
in the channel) is not kept: the caller tells the person what to fix, as before.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient
from sqlmodel import Session

import db.outbox as queries
from bot.core.reruns import is_rerun
from bot.core.time import as_utc
from bot.slack.failures import SlackFailure, call_slack
from bot.slack.posting import post_once
from db.columns import utcnow
from db.models.outbox import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # the first, when the person asked, then seven clock passes: about 2 hours
LEASE = timedelta(minutes=5)  # a clock that died mid-post: the message is tried again then
# A pass takes each message when due, so only one held back (its workspace had uninstalled
# gatebot, or every clock was down) is ever this overdue: posted now, it would land out of
# context in the channel, so it is dropped and its author told instead.
MAX_OVERDUE = timedelta(days=1)


class Delivered(StrEnum):
    """What became of a post."""

    POSTED = "posted"
    KEPT = "kept"  # Slack could not take it now; the clock posts it later
    REFUSED = "refused"  # Slack said no in a way that will repeat; nothing kept


@dataclass(frozen=True)
class Delivery:
    """The outcome of `send`: the message's ts when posted, Slack's failure otherwise."""

    outcome: Delivered
    ts: str | None = None
    failure: SlackFailure | None = None

    @property
    def posted(self) -> bool:
        """Return whether the message is in Slack now."""
        return self.outcome is Delivered.POSTED

    @property
    def kept(self) -> bool:
        """Return whether the message waits in the outbox."""
        return self.outcome is Delivered.KEPT


def backoff(attempts: int) -> timedelta:
    """Return the wait after `attempts` failed tries: 1, 2, 4 … minutes, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def send(
    *,
    session: Session,
    client: WebClient,
    message: OutboxMessage,
    now: datetime | None = None,
    retry: bool = False,
) -> Delivery:
    """Post `message` now; keep it in the outbox if Slack cannot take it yet. Commits.

    On success the ts goes where `message.record` says and any older kept version of the
    same message (its coalesce key) is retired, so a stale copy never follows it. `retry`:
    the work sending it ran before (a job retried), so a keyed post looks for itself first;
    a retaken job's run counts as such without saying so (bot.core.reruns).
    """
    retry = retry or is_rerun()
    now = as_utc(now or utcnow())
    # Keyed before the first attempt: if its answer is lost, the kept row's retry finds it.
    message.post_key = message.post_key or f"outbox:{uuid.uuid4().hex}"
    try:
        ts = post_call(client, message, retry=retry)
    except SlackFailure as failure:
        if not failure.transient:
            return Delivery(Delivered.REFUSED, failure=failure)
        message.attempts, message.last_error = 1, failure.message
        message.next_attempt_at = now + backoff(1)
        queries.keep(session=session, message=message)
        session.commit()
        logger.warning("kept %s for %s: %s", message.about, message.channel_id, failure)
        return Delivery(Delivered.KEPT, failure=failure)
    queries.record_ts(session=session, record=message.record, ts=ts)
    if message.coalesce_key:
        queries.supersede(session=session, coalesce_key=message.coalesce_key)
    session.commit()
    return Delivery(Delivered.POSTED, ts=ts)


def kept_note(*, channel_id: str) -> str:
    """Return what the person is told when their post waits in the outbox."""
    return (
        f"Slack is not answering right now, so gatebot will post it to <#{channel_id}> "
        "as soon as it can."
    )


def tell(*, client: WebClient, channel_id: str, user_id: str, text: str) -> bool:
    """Tell one person something, privately in the channel or else by DM; never raises."""
    for call in (
        lambda: client.chat_postEphemeral(channel=channel_id, user=user_id, text=text),
        lambda: client.chat_postMessage(channel=user_id, text=text),
    ):
        try:
            call_slack(call)
            return True
        except SlackFailure as failure:
            logger.info("could not tell %s in %s: %s", user_id, channel_id, failure)
    return False


def post_call(client: WebClient, message: OutboxMessage, *, retry: bool = False) -> str:
    """Make the Slack call `message` stands for, a post (once) or an update; return the ts.

    `retry`: an earlier attempt may have reached Slack, so a keyed post looks for it first.
    Raises SlackFailure.
    """
    if message.method == "chat.update":
        response = call_slack(
            lambda: client.chat_update(
                channel=message.channel_id,
                ts=message.update_ts or "",
                text=message.text,
                blocks=message.blocks,
            )
        )
        return str(response.get("ts") or message.update_ts or "")
    options: dict[str, Any] = {
        "blocks": message.blocks,
        "thread_ts": message.thread_ts,
        "reply_broadcast": message.reply_broadcast or None,
        "unfurl_links": False,
        "unfurl_media": False,
    }
    if message.post_key is None:  # kept before posts carried keys: posted as it was
        channel, text = message.channel_id, message.text
        response = call_slack(
            lambda: client.chat_postMessage(channel=channel, text=text, **options)
        )
        return str(response["ts"])
    return post_once(
        client=client,
        channel=message.channel_id,
        key=message.post_key,
        text=message.text,
        retry=retry,
        since=message.created_at,
        **options,
    ).ts
