"""Slack deliveries acted on once, however often Slack (or a person's client) sends them.

Slack re-sends an event it thinks was not acknowledged (X-Slack-Retry-Num). The first
delivery inserts a receipt under its key (db.receipts); a repeat finds the key taken and is
acknowledged without running any listener. The database decides, so this holds across
several web processes.

Everything is recorded before it is acted on: at most once. If acting then fails, the
person is told (bot.slack.listeners) and asks again, which is a new delivery. Events are
recorded here, before any listener; a modal submission by its listener once it passed
validation (`first_submission`), because one that failed validation is legitimately
submitted again. Slash commands and clicks are not: Slack never re-sends them, a double
click is two deliveries anyway (the conditional writes behind each button handle it), and
a database write before every ack would tax the path that must stay fastest.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from sqlmodel import Session

from db import receipts

logger = logging.getLogger(__name__)

KEEP_RECEIPTS = timedelta(days=1)  # Slack retries an event within minutes; a day is ample
# "Now" commands (/gate now, /digest now): a repeat this soon is the same request again.
REPEAT_WINDOW = timedelta(seconds=60)
_SLICE = 30  # seconds; an ask holds the slices its next REPEAT_WINDOW touches


def install(app: App) -> None:
    """Add the middleware that drops repeated deliveries; after the session middleware."""
    app.use(_skip_repeats)


def delivery_key(body: dict[str, Any]) -> str | None:
    """Return what identifies this delivery across re-sends, or None for what is not deduped.

    An event's id is Slack's own, and a retry repeats it. The team is part of the key so
    that no id another workspace sends can ever shadow this one's.
    """
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body.get('team_id') or ''}:{body['event_id']}"
    return None


def first_submission(*, session: Session, body: dict[str, Any], team_id: str) -> bool:
    """Record a modal's accepted submission; False if it was handled already. Commits.

    Call right after ack(), once the submission passed validation: one that failed
    validation stays open and is legitimately submitted again. Keyed by the view's id:
    each modal Slack opens has its own, and the same submission sent again (a resend, or
    Submit pressed again after a slow answer) carries it.
    """
    key = _view_key(body)
    if key is None:
        return True
    first = receipts.record(session=session, key=key, team_id=team_id)
    session.commit()
    if not first:
        logger.info("ignored a repeated modal submission %s", key)
    return first


def first_ask(*, session: Session, what: str, team_id: str, now: datetime) -> bool:
    """Record that `what` was asked at `now`; False if it was asked within a minute. Commits.

    A key by the second let the same command sent twice a second apart ask twice. Instead
    each ask takes receipts for the three 30-second slices from its own to one covering a
    minute later, in one insert: an ask less than a minute after another needs a slice the
    first holds and finds it taken, so of the two exactly one goes ahead, on either
    database and across web processes. Asks 60 to 90 s apart may count as one; 90 s, never.
    """
    first = int(now.timestamp()) // _SLICE
    slices = range(first, first + int(REPEAT_WINDOW.total_seconds()) // _SLICE + 1)
    keys = [f"ask:{what}:{s}" for s in slices]
    if receipts.record_all(session=session, keys=keys, team_id=team_id, at=now):
        session.commit()
        return True
    session.rollback()
    logger.info("ignored %s asked again within %s", what, REPEAT_WINDOW)
    return False


def submitted_before(*, session: Session, body: dict[str, Any]) -> bool:
    """Return whether this modal's submission was already handled (a read: safe before ack)."""
    key = _view_key(body)
    return key is not None and receipts.seen(session=session, key=key)


def _view_key(body: dict[str, Any]) -> str | None:
    view_id = (body.get("view") or {}).get("id")
    team = body.get("team")
    team_id = team.get("id") if isinstance(team, dict) else ""
    return f"view:{team_id}:{view_id}" if view_id else None


def prune(*, session: Session, now: datetime) -> int:
    """Forget receipts older than KEEP_RECEIPTS; the clock calls this. Commits."""
    removed = receipts.prune(session=session, before=now - KEEP_RECEIPTS)
    session.commit()
    return removed


def _team_of(body: dict[str, Any], context: BoltContext) -> str:
    team = body.get("team")
    return str(
        context.team_id or body.get("team_id") or (team.get("id") if isinstance(team, dict) else "")
    )


def _skip_repeats(
    body: dict[str, Any],
    context: BoltContext,
    next: Any,  # noqa: A002 (Bolt's name)
) -> BoltResponse | None:
    key = delivery_key(body)
    if key is None:
        next()
        return None
    session: Session = context["session"]
    first = receipts.record(session=session, key=key, team_id=_team_of(body, context))
    session.commit()  # durable before the listener acts, so a concurrent repeat sees it
    if first:
        next()
        return None
    session.close()  # no listener runs, so Bolt's completion hook will not close it
    logger.info("ignored a repeated Slack delivery %s", key)
    return BoltResponse(status=200, body="")
