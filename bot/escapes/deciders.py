"""Who decides on a rollback: the escape gate's answer to "who decides", else the leads.

The gate's answers are free text. Mentions Slack completed in them (`<@U123>`) are people
to page; everything else is the team's own words, shown escaped. When the answer names
nobody in Slack (or the escape gate was never answered) the PM and DS leads stand in, so
an alert always pages someone who can pull the trigger.

A decider whose Slack status says away is still paged (the alert waits for them too), and
so is a stand-in: another decider who is not away, else a lead, else the team's first
stand-in who is not (bot.gates.standins).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from bot.gates import GateKind
from bot.gates.standins import Cover, Person, cover_for
from bot.slack.blocks import clip
from bot.slack.mrkdwn import escape
from db.models.gates import GateAnswer, GateReview, Project

DECIDER_KEY = "decider"  # the escape gate's "Who decides?" (bot.gates.catalog)
ANSWER_LIMIT = 400  # an alert quotes the answer; the gate itself keeps the whole text

USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")  # anything else must never become a mention
_MENTION = re.compile(r"<@([UW][A-Z0-9]{1,31})(?:\|[^>]*)?>")


@dataclass(frozen=True, kw_only=True)
class Deciders:
    """The people an escape alert pages as deciders, and the escape gate's own words."""

    users: tuple[str, ...] = ()  # Slack user ids to mention and DM
    answer: str | None = None  # the gate's answer as mrkdwn: escaped, its mentions kept live
    leads_stand_in: bool = False  # `users` are the project's leads, not named by the gate
    cover: Cover | None = None  # who of `users` is away, and who stands in for them

    @property
    def paged(self) -> tuple[str, ...]:
        """Return everyone the alert mentions and DMs: the deciders, then any stand-in."""
        return self.users + (self.cover.extra if self.cover else ())


def latest_decider_answer(*, session: Session, project_id: int) -> str | None:
    """Return the most recently written answer to the escape gate's "who decides", if any."""
    text = session.exec(
        select(GateAnswer.text)
        .join(GateReview, col(GateReview.id) == col(GateAnswer.review_id))
        .where(
            GateReview.project_id == project_id,
            GateReview.gate_kind == GateKind.ESCAPE.value,
            GateAnswer.question_key == DECIDER_KEY,
        )
        .order_by(col(GateAnswer.updated_at).desc(), col(GateAnswer.id).desc())
        .limit(1)
    ).first()
    return (text or "").strip() or None


def mentioned_users(text: str) -> tuple[str, ...]:
    """Return the Slack users `text` mentions, in order, each once."""
    return tuple(dict.fromkeys(_MENTION.findall(text)))


def answer_mrkdwn(text: str) -> str:
    """Return `text` escaped for mrkdwn, except well-formed user mentions, which stay live."""
    # Clip the raw text: a mention cut in half no longer matches and is simply escaped.
    text = clip(" ".join(text.split()), ANSWER_LIMIT)
    parts, last = [], 0
    for found in _MENTION.finditer(text):
        parts += [escape(text[last : found.start()]), f"<@{found.group(1)}>"]
        last = found.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def leads(project: Project) -> tuple[str, ...]:
    """Return the project's PM and DS leads that are Slack user ids, each once."""
    found = (project.pm_lead, project.ds_lead)
    return tuple(dict.fromkeys(u for u in found if u and USER_ID.fullmatch(u)))


def deciders_for(*, session: Session, project: Project) -> Deciders:
    """Return who decides for `project`: the users the escape gate names, else its leads."""
    assert project.id is not None
    text = latest_decider_answer(session=session, project_id=project.id)
    named = mentioned_users(text) if text else ()
    answer = answer_mrkdwn(text) if text else None
    if named:
        return Deciders(users=named, answer=answer)
    return Deciders(users=leads(project), answer=answer, leads_stand_in=True)


def with_standin(
    deciders: Deciders, *, project: Project, person: Callable[[str], Person]
) -> Deciders:
    """Return `deciders` with a stand-in for those who are away; unchanged if none is."""
    if not deciders.users:
        return deciders
    fallbacks = [*leads(project), *(project.standins or [])]
    found = cover_for(wanted=deciders.users, standins=fallbacks, person=person)
    return replace(deciders, cover=found) if found.away else deciders
