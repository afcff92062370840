"""Who is mentioned when someone gatebot would page is away: the other lead, else a stand-in.

Statuses are read with users.info, once per person per clock pass (a `Statuses` lives for
one pass), so ten reminders for the same leads cost two calls. A lookup that fails (Slack
down, a deleted user, a missing scope) counts as present: mentioning someone who is away
costs a notification, dropping someone who is not costs the reminder.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient

from bot.gates.away import Status, is_away
from bot.slack.failures import SlackFailure, call_slack

logger = logging.getLogger(__name__)

USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")  # anything else must never become a mention


@dataclass(frozen=True, kw_only=True)
class Person:
    """Someone gatebot may mention: their id, the name they go by, their status."""

    user_id: str
    name: str = ""  # what Slack shows (display name, else real name); "" when unknown
    status: Status = field(default_factory=Status)
    away: bool = False


@dataclass(frozen=True, kw_only=True)
class Cover:
    """Who is paged when some of `wanted` are away, and why, for the words around it."""

    present: tuple[str, ...] = ()  # the wanted people who are not away, in order
    away: tuple[Person, ...] = ()  # the wanted people who are away
    standin: str | None = None  # who stands in for them: one of `present`, or someone else
    standins_set: bool = False  # the team named stand-ins (all away, if `standin` is None)

    @property
    def extra(self) -> tuple[str, ...]:
        """Return the stand-in when they are not among `present` already: one more to page."""
        return (self.standin,) if self.standin and self.standin not in self.present else ()


class Statuses:
    """Slack statuses read during one clock pass, each person's at most once per team."""

    def __init__(self, *, now: datetime) -> None:
        self.now = now
        self._people: dict[tuple[str, str], Person] = {}

    def person(self, *, client: WebClient, team_id: str, user_id: str) -> Person:
        """Return `user_id` as Slack describes them now; present if Slack cannot say."""
        key = (team_id, user_id)
        if key not in self._people:
            self._people[key] = self._look_up(client=client, user_id=user_id)
        return self._people[key]

    def lookup(self, *, client: WebClient, team_id: str) -> Callable[[str], Person]:
        """Return `person` for one team's client, as `cover_for` takes it."""
        return lambda user_id: self.person(client=client, team_id=team_id, user_id=user_id)

    def _look_up(self, *, client: WebClient, user_id: str) -> Person:
        try:
            user = call_slack(lambda: client.users_info(user=user_id)).get("user") or {}
        except SlackFailure as failure:
            logger.warning("no Slack status for %s, so not away: %s", user_id, failure.code)
            return Person(user_id=user_id)
        profile = user.get("profile") or {}
        status = Status.of(profile)
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name")
        return Person(
            user_id=user_id,
            name=str(name or user.get("name") or ""),
            status=status,
            away=is_away(status, now=self.now),
        )


def cover_for(
    *, wanted: Sequence[str], standins: Sequence[str], person: Callable[[str], Person]
) -> Cover:
    """Return who is paged for `wanted`: those present, and a stand-in if any is away.

    One of `wanted` who is present stands in for the others (the other lead); when all are
    away, the first of `standins` who is not. Statuses are read only as far as needed.
    """
    wanted = tuple(dict.fromkeys(u for u in wanted if USER_ID.fullmatch(u)))
    people = [person(u) for u in wanted]
    present = tuple(p.user_id for p in people if not p.away)
    away = tuple(p for p in people if p.away)
    if not away:
        return Cover(present=present)
    candidates = [u for u in dict.fromkeys(standins) if USER_ID.fullmatch(u) and u not in wanted]
    standin = present[0] if present else None
    if standin is None:
        standin = next((u for u in candidates if not person(u).away), None)
    return Cover(present=present, away=away, standin=standin, standins_set=bool(candidates))
