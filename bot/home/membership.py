"""Which channels a person is in, as Slack says: the Home shows a project's work only to them.

A project's hypotheses, metrics and reviews belong to its channel, and a private channel's to
its members alone. Leading a project, or having once written in it, is no key: someone who
left the channel (or was never in it) sees the project's name and status, nothing more.

Slack's users.conversations lists a person's channels (scopes channels:read, groups:read; a
private channel only when the bot is in it too, as it is in every project channel it posts
to). A Home publish asks once, paging by cursor; the answer is kept for CACHE_SECONDS so the
Home's buttons and the republish after an act do not ask again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlmodel import Session

from bot.core.errors import GatebotError
from bot.slack.mrkdwn import escape
from db.session import engine_of

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60.0
PAGE_LIMIT = 999  # users.conversations' largest page
MAX_PAGES = 100  # a cursor that never ends must not hold a thread for ever
SCOPES_MISSING = (
    "gatebot's install lacks the `channels:read` and `groups:read` permissions, so I can't "
    "check which channels you're in. A workspace admin can reinstall gatebot to grant them."
)


class NotAMember(GatebotError):
    """The person is not in the project's channel, or it could not be checked."""


@dataclass(frozen=True)
class Membership:
    """The channels a person is in; `channels` is None when Slack could not say (`problem`)."""

    channels: frozenset[str] | None
    problem: str | None = None

    def allows(self, channel_id: str) -> bool:
        """Return whether the person may see the work of `channel_id`'s project."""
        return self.channels is not None and channel_id in self.channels

    def require(self, channel_id: str) -> None:
        """Raise NotAMember, in words the person can act on, unless they are in the channel."""
        if self.channels is None:
            raise NotAMember(
                f"I couldn't check that you're in <#{channel_id}>, and its work is for its "
                f"members: {self.problem} Try again in a minute."
            )
        if channel_id not in self.channels:
            raise NotAMember(
                f"You're not in <#{channel_id}>, so its hypotheses, reviews and metrics are for "
                "its members. Join the channel (or ask a member to add you), then try again."
            )


class MembershipCache:
    """Memberships by (team, user), each kept `ttl` seconds; failures are never kept."""

    def __init__(self, *, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, str], tuple[float, Membership]] = {}

    def get(self, *, client: WebClient, team_id: str, user_id: str) -> Membership:
        """Return the person's membership, from the cache or Slack (no lock held while asking)."""
        key, now = (team_id, user_id), self._clock()
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and now - kept[0] < self._ttl:
            return kept[1]
        found = fetch(client=client, user_id=user_id)
        if found.channels is not None:
            with self._lock:
                self._kept[key] = (now, found)
        return found


# One cache per database engine, i.e. per app: the tests run many apps in one process, and
# one app's people must not see another's memberships.
_CACHES: WeakKeyDictionary[Engine, MembershipCache] = WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def of(*, session: Session, client: WebClient, team_id: str, user_id: str) -> Membership:
    """Return the channels `user_id` of `team_id` is in, cached for this app."""
    engine = engine_of(session)
    with _CACHES_LOCK:
        cache = _CACHES.get(engine)
        if cache is None:
            cache = _CACHES[engine] = MembershipCache()
    return cache.get(client=client, team_id=team_id, user_id=user_id)


def fetch(*, client: WebClient, user_id: str) -> Membership:
    """Ask Slack for every public and private channel the person is in (not archived)."""
    channels: set[str] = set()
    cursor: str | None = None
    try:
        for _ in range(MAX_PAGES):
            reply = client.users_conversations(
                user=user_id,
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=PAGE_LIMIT,
                cursor=cursor,
            )
            channels.update(str(c["id"]) for c in reply.get("channels") or [])
            cursor = (reply.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                return Membership(frozenset(channels))
        logger.warning("users.conversations for %s did not end after %d pages", user_id, MAX_PAGES)
        return Membership(None, "Slack listed your channels without end.")
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown")
        logger.warning("users.conversations for %s failed: %s", user_id, code)
        if code == "missing_scope":
            return Membership(None, SCOPES_MISSING)
        return Membership(None, f"Slack didn't say which channels you're in (`{escape(code)}`).")
    except Exception:  # Slack unreachable, a timeout: the Home still shows what it can
        logger.exception("users.conversations for %s failed", user_id)
        return Membership(None, "I couldn't reach Slack to see which channels you're in.")
