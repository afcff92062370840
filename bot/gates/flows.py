"""What gatebot says in Slack around a gate review: set-up notice, nudge, summary, decision.

The prompt itself is bot.gates.reviews'. Slack failures here never lose what was stored: a post
Slack cannot take yet waits in the outbox (bot.outbox) for the clock; a refusal is logged and
shown in /gate status, and the person is told another way where it matters.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

import db.answers as queries
from bot.core.time import utcnow
from bot.gates import time_zone
from bot.gates.answers import Recorded, load, thread_answers
from bot.gates.blocks.answers import nudge_message, nudge_text
from bot.gates.blocks.decision import decision_message, decision_text
from bot.gates.blocks.setup import setup_modal, setup_notice
from bot.gates.blocks.summary import all_answers_modal, summary_message, summary_text
from bot.gates.decisions import Decided
from bot.gates.setup import SetupResult
from bot.outbox import service as outbox
from bot.slack.failures import SlackFailure, call_slack
from db.models import Workspace
from db.models.gates import Project
from db.models.outbox import OutboxMessage
from db.reviews import set_project_error

logger = logging.getLogger(__name__)


def open_setup(
    *, client: WebClient, project: Project | None, channel_id: str, user_id: str, trigger_id: str
) -> None:
    """Open the set-up modal at once; for a new project, then fill in the profile's time zone.

    The trigger_id dies 3 s after the command, so users.info waits until the modal is open.
    """
    zone = time_zone(project.timezone if project else "UTC")
    view = setup_modal(
        channel_id=channel_id,
        project=project,
        timezone=None,
        today=utcnow().astimezone(zone).date(),
    )
    opened = call_slack(lambda: client.views_open(trigger_id=trigger_id, view=view))
    if project is not None:  # editing: the team's own time zone is in the modal already
        return
    tz = profile_timezone(client=client, user_id=user_id) or "UTC"
    today = utcnow().astimezone(time_zone(tz)).date()
    view = setup_modal(channel_id=channel_id, project=None, timezone=tz, today=today)
    with suppress(SlackFailure):  # closed or submitted already: nothing left to fill in
        call_slack(
            lambda: client.views_update(
                view_id=opened["view"]["id"], hash=opened["view"].get("hash"), view=view
            )
        )


def profile_timezone(*, client: WebClient, user_id: str) -> str | None:
    """Return the time zone on a person's Slack profile, or None if Slack does not say."""
    try:
        user = call_slack(lambda: client.users_info(user=user_id)).get("user") or {}
    except SlackFailure as failure:
        logger.info("no time zone for %s: %s", user_id, failure.code)
        return None
    return str(user.get("tz") or "") or None


def announce_setup(
    *, session: Session, client: WebClient, result: SetupResult, user_id: str
) -> bool:
    """Tell the channel about a set-up or edit; kept if Slack is struggling, DM if it refuses."""
    project = result.project
    text = setup_notice(
        project=project, user_id=user_id, created=result.created, changed=result.changed
    )
    message = OutboxMessage(
        team_id=_team_id(session, project.workspace_id),
        channel_id=project.channel_id,
        text=text,
        about=f"the set-up notice of {project.name}",
        notify_user=user_id,
    )
    delivery = outbox.send(session=session, client=client, message=message)
    if delivery.kept:
        note = ":white_check_mark: Saved. " + outbox.kept_note(channel_id=project.channel_id)
        outbox.tell(client=client, channel_id=project.channel_id, user_id=user_id, text=note)
    elif delivery.failure is not None:
        note = f"{text}\n\n:warning: I could not post this in <#{project.channel_id}>: "
        note += delivery.failure.message
        call_slack(lambda: client.chat_postMessage(channel=user_id, text=note))
    return delivery.posted


def send_nudge(*, client: WebClient, recorded: Recorded, user_id: str) -> None:
    """Show the answerer, and only them, which answers read as vague and how to sharpen them."""
    if not recorded.nudges:
        return
    review = recorded.review
    blocks = nudge_message(review=review, nudges=recorded.nudges)
    text = nudge_text(recorded.nudges)
    channel = review.review.channel_id or review.project.channel_id
    try:
        call_slack(
            lambda: client.chat_postEphemeral(
                channel=channel, user=user_id, text=text, blocks=blocks
            )
        )
    except SlackFailure:  # e.g. they answered from a thread they follow but left the channel
        call_slack(lambda: client.chat_postMessage(channel=user_id, text=text, blocks=blocks))


def publish_summary(
    *, session: Session, client: WebClient, workspace_id: int, review_id: int, now: datetime
) -> None:
    """Post the answers' summary in the prompt's thread, or update it there. Commits.

    Call after committing the answers: the review's row lock is taken first in a fresh
    transaction, so concurrent answerers publish one after the other and the last
    update carries every answer.
    """
    if not queries.lock_review(session=session, workspace_id=workspace_id, review_id=review_id):
        return
    review = load(session=session, workspace_id=workspace_id, review_id=review_id)
    row = review.review
    if row.message_ts is None:  # no prompt in the channel: no thread to summarise in
        session.commit()
        return
    answers = thread_answers(session=session, workspace_id=workspace_id, review_id=review_id)
    blocks, text = (
        summary_message(review=review, answers=answers),
        summary_text(review=review, answers=answers),
    )
    channel = row.channel_id or review.project.channel_id
    message = OutboxMessage(
        team_id=_team_id(session, workspace_id),
        channel_id=channel,
        text=text,
        blocks=blocks,
        thread_ts=row.message_ts,
        # Only the latest summary matters: a newer one replaces a kept one.
        coalesce_key=f"summary:{review_id}",
        post_key=f"gate-summary:{review_id}",
        about=f"the answers' summary of the {review.gate.kind.label}",
        record={"kind": "summary", "id": review_id},  # a new summary's ts goes on the review
    )
    if row.summary_ts:
        message.method, message.update_ts, message.record = "chat.update", row.summary_ts, None
    delivery = outbox.send(session=session, client=client, message=message, now=now)
    failure = delivery.failure
    if failure is not None and failure.code == "message_not_found" and row.summary_ts:
        # Someone deleted the summary: post a fresh one rather than none.
        message.method, message.update_ts = "chat.postMessage", None
        message.record = {"kind": "summary", "id": review_id}
        delivery = outbox.send(session=session, client=client, message=message, now=now)
    if delivery.outcome is outbox.Delivered.REFUSED and delivery.failure is not None:
        _record(session, review.project, delivery.failure, now)
        return
    if delivery.posted and message.method == "chat.postMessage":
        set_committed_value(row, "summary_ts", delivery.ts)  # stored by outbox.send
    session.commit()


def show_answers(
    *,
    session: Session,
    client: WebClient,
    workspace_id: int,
    value: str,
    trigger_id: str,
    view_id: str | None,
) -> None:
    """Open (or turn the page of) the modal of every answer to one question of a review."""
    review_id, number, page = (int(part) for part in value.split(":"))
    review = load(session=session, workspace_id=workspace_id, review_id=review_id)
    answers = thread_answers(session=session, workspace_id=workspace_id, review_id=review_id)
    session.commit()  # no read transaction held across the Slack call
    number = min(max(number, 1), len(review.gate.questions))
    view = all_answers_modal(review=review, number=number, answers=answers, page=page)
    if view_id:  # Next or Previous inside the modal
        call_slack(lambda: client.views_update(view_id=view_id, view=view))
    else:
        call_slack(lambda: client.views_open(trigger_id=trigger_id, view=view))


def post_decision(
    *, session: Session, client: WebClient, decided: Decided, user_id: str, now: datetime
) -> None:
    """Post the decision in the prompt's thread, also sent to the channel, then the summary."""
    review = decided.review
    row = review.review
    if row.message_ts is not None:
        channel = row.channel_id or review.project.channel_id
        message = OutboxMessage(
            team_id=_team_id(session, review.project.workspace_id),
            channel_id=channel,
            thread_ts=row.message_ts,
            reply_broadcast=True,  # stakeholders who skip threads still see what was decided
            text=decision_text(decided=decided, user_id=user_id),
            blocks=decision_message(decided=decided, user_id=user_id),
            about=f"your decision on the {review.gate.kind.label}",
            # A review's decisions differ by when they were made (a lead may revise one).
            post_key=f"gate-decision:{review.id}:{row.decided_at:%Y%m%dT%H%M%S.%f}",
            notify_user=user_id,
        )
        delivery = outbox.send(session=session, client=client, message=message, now=now)
        if delivery.kept:
            note = ":white_check_mark: Decision recorded. " + outbox.kept_note(channel_id=channel)
            outbox.tell(client=client, channel_id=channel, user_id=user_id, text=note)
        elif delivery.failure is not None:
            _record(session, review.project, delivery.failure, now)
    if row.summary_ts:
        publish_summary(
            session=session,
            client=client,
            workspace_id=review.project.workspace_id,
            review_id=review.id,
            now=now,
        )


def _team_id(session: Session, workspace_id: int) -> str:
    workspace = session.get(Workspace, workspace_id)
    return workspace.team_id if workspace else ""


def _record(session: Session, project: Project, failure: SlackFailure, now: datetime) -> None:
    logger.warning("project %s: Slack refused a thread message: %s", project.id, failure)
    session.rollback()
    set_project_error(session=session, project=project, error=failure.message, at=now)
    session.commit()
