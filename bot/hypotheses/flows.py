"""Posting saved hypotheses to their channel."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from sqlmodel import Session

from bot.hypotheses.blocks import saved_confirmation, saved_post
from bot.hypotheses.service import verdict_of
from bot.outbox import service as outbox
from bot.slack.mrkdwn import escape
from db.models import Hypothesis, Workspace
from db.models.outbox import OutboxMessage

logger = logging.getLogger(__name__)


def announce_hypothesis(
    *, client: WebClient, session: Session, hypothesis: Hypothesis, retry: bool = False
) -> outbox.Delivery:
    """Post a saved hypothesis in its channel; kept for the clock if Slack cannot take it now.

    `retry`: the job posting it ran before, so the post looks for itself in the channel first.
    """
    verdict = verdict_of(hypothesis)
    delivery = outbox.send(
        session=session,
        client=client,
        retry=retry,
        message=OutboxMessage(
            team_id=_team_id(session, hypothesis),
            channel_id=hypothesis.channel_id,
            text=f"Hypothesis #{hypothesis.id}: {escape(hypothesis.text)}",
            blocks=saved_post(hypothesis=hypothesis, verdict=verdict),
            record={"kind": "hypothesis", "id": hypothesis.id},
            post_key=f"hypothesis:{hypothesis.id}",
            about=f"hypothesis #{hypothesis.id}",
            notify_user=hypothesis.saved_by or hypothesis.author_id,
        ),
    )
    if delivery.posted:
        hypothesis.message_ts = delivery.ts  # stored by outbox.send; mirrored for the caller
    elif delivery.failure is not None:
        logger.warning(
            "could not post hypothesis %s to %s: %s",
            hypothesis.id,
            hypothesis.channel_id,
            delivery.failure.code,
        )
    return delivery


def confirmation(*, hypothesis: Hypothesis, delivery: outbox.Delivery) -> str:
    """Return the author's note after saving: posted, kept for later, or refused."""
    if delivery.kept:
        return f":white_check_mark: Saved hypothesis #{hypothesis.id}. " + outbox.kept_note(
            channel_id=hypothesis.channel_id
        )
    return saved_confirmation(hypothesis=hypothesis, posted=delivery.posted)


def confirm_to_author(
    *, client: WebClient, hypothesis: Hypothesis, delivery: outbox.Delivery
) -> None:
    """Tell the author their hypothesis is saved: in the channel if we are there, else by DM."""
    text = confirmation(hypothesis=hypothesis, delivery=delivery)
    author = hypothesis.saved_by or hypothesis.author_id
    if delivery.posted:
        client.chat_postEphemeral(channel=hypothesis.channel_id, user=author, text=text)
    elif delivery.kept:  # Slack is struggling: tell them however we can, never fail here
        outbox.tell(client=client, channel_id=hypothesis.channel_id, user_id=author, text=text)
    else:
        client.chat_postMessage(channel=author, text=text)


def _team_id(session: Session, hypothesis: Hypothesis) -> str:
    workspace = session.get(Workspace, hypothesis.workspace_id)
    return workspace.team_id if workspace else ""
