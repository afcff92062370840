"""Posts that land once: each carries an idempotency key, and a retry looks for it first.

chat.postMessage has no idempotency key of its own. A post whose answer never came back
(Slack slower than the client's timeout, a dropped connection, a process killed mid-call)
may or may not be in the channel, and posting it again on the next attempt is how
prompts, digests and saved hypotheses used to appear twice. So every post gatebot makes
carries its key in the message's metadata (event type `gatebot_post`), and a caller that
knows it is trying again (its row's attempts say so) has `post_once` read the channel's
history, or the thread's replies, for that key first: found, the post is done and its ts is
returned; not found, it is posted.

Only retries read: a first attempt has no twin to find, and conversations.history and
conversations.replies are rate limited (Tier 3; far lower for distributed apps outside the
Slack Marketplace). Reading needs the channels:history, groups:history and im:history
scopes. A workspace that installed gatebot before they were asked for (missing_scope), or a
public channel gatebot posts to without being in it (not_in_channel), cannot be read: the
retry then posts as before, at least once, and the log says why.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from slack_sdk import WebClient

from bot.core.time import as_utc
from bot.slack.failures import SlackFailure, call_slack

logger = logging.getLogger(__name__)

EVENT_TYPE = "gatebot_post"
# Slack stamps ts by its own clock: read from a little before the first attempt's time.
_SKEW = timedelta(minutes=5)
_PAGE = 200
_PAGES = 5  # a thousand messages since the first attempt: further back, post again
# The history cannot be read (scope, membership) or holds nothing of ours (no such thread):
# the retry posts, rather than never post.
_UNREADABLE = frozenset(
    {"missing_scope", "not_in_channel", "channel_not_found", "thread_not_found"}
)


@dataclass(frozen=True)
class Posted:
    """A post in Slack: its ts and channel, and whether a retry found it already there."""

    ts: str
    channel: str
    found: bool = False


def metadata(key: str) -> dict[str, Any]:
    """Return the message metadata that marks a post with its idempotency key."""
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}}


def key_of(message: dict[str, Any]) -> str | None:
    """Return the idempotency key a Slack message carries, if gatebot posted it."""
    meta = message.get("metadata") or {}
    if meta.get("event_type") != EVENT_TYPE:
        return None
    key = (meta.get("event_payload") or {}).get("key")
    return str(key) if key is not None else None


def post_once(
    *,
    client: WebClient,
    channel: str,
    key: str,
    text: str,
    retry: bool = False,
    since: datetime | None = None,
    thread_ts: str | None = None,
    **options: Any,
) -> Posted:
    """Post a message carrying `key`; on a `retry`, return the earlier post if it is there.

    `since` is when the first attempt was made (older messages are not read); `options`
    go to chat.postMessage (blocks, reply_broadcast, unfurl_links …). Raises SlackFailure.
    """
    if retry:
        found = find(client=client, channel=channel, key=key, since=since, thread_ts=thread_ts)
        if found is not None:
            logger.info(
                "post %s was already in %s (ts %s): not posted again", key, channel, found.ts
            )
            return found
    response = call_slack(
        lambda: client.chat_postMessage(
            channel=channel,
            text=text,
            thread_ts=thread_ts,
            metadata=metadata(key),
            **options,
        )
    )
    return Posted(ts=str(response["ts"]), channel=str(response.get("channel") or channel))


def find(
    *,
    client: WebClient,
    channel: str,
    key: str,
    since: datetime | None = None,
    thread_ts: str | None = None,
) -> Posted | None:
    """Return the post carrying `key` in the channel (or thread), None if there is none.

    Raises SlackFailure when Slack cannot be read now (try later); None when it never can.
    """
    try:
        conversation = _conversation(client, channel)
        for message in _messages(client, conversation, since=since, thread_ts=thread_ts):
            if key_of(message) == key:
                return Posted(ts=str(message["ts"]), channel=conversation, found=True)
    except SlackFailure as failure:
        if failure.transient or failure.code not in _UNREADABLE:
            raise
        logger.warning(
            "could not look for post %s in %s (%s): posting it", key, channel, failure.code
        )
    return None


def _conversation(client: WebClient, channel: str) -> str:
    """Return the conversation a post to `channel` lands in: a user id means their DM."""
    if channel[:1] not in ("U", "W"):
        return channel
    opened = call_slack(lambda: client.conversations_open(users=channel))
    return str((opened.get("channel") or {}).get("id") or channel)


def _messages(
    client: WebClient, channel: str, *, since: datetime | None, thread_ts: str | None
) -> Iterator[dict[str, Any]]:
    """Yield the conversation's (or thread's) messages since `since`, a page at a time."""
    oldest = f"{(as_utc(since) - _SKEW).timestamp():.6f}" if since is not None else None
    cursor: str | None = None
    for _ in range(_PAGES):
        page = call_slack(partial(_read, client, channel, thread_ts, oldest, cursor))
        yield from page.get("messages") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return


def _read(
    client: WebClient, channel: str, thread_ts: str | None, oldest: str | None, cursor: str | None
) -> Any:
    common: dict[str, Any] = {"channel": channel, "limit": _PAGE, "include_all_metadata": True}
    if oldest is not None:
        common["oldest"] = oldest
    if cursor is not None:
        common["cursor"] = cursor
    if thread_ts is not None:
        return client.conversations_replies(ts=thread_ts, **common)
    return client.conversations_history(**common)
