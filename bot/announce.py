"""Posting saved hypotheses to their channel."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.blocks.hypothesis import saved_confirmation, saved_post
from bot.hypotheses import record_posted, verdict_of
from bot.mrkdwn import escape
from db.models import Hypothesis

logger = logging.getLogger(__name__)


def announce_hypothesis(*, client: WebClient, session: Session, hypothesis: Hypothesis) -> bool:
    """Post a saved hypothesis in its channel; False when Slack refuses (it stays saved)."""
    verdict = verdict_of(hypothesis)
    try:
        response = client.chat_postMessage(
            channel=hypothesis.channel_id,
            text=f"Hypothesis #{hypothesis.id}: {escape(hypothesis.text)}",
            blocks=saved_post(hypothesis=hypothesis, verdict=verdict),
            unfurl_links=False,
        )
    except SlackApiError as error:
        logger.warning(
            "could not post hypothesis %s to %s: %s",
            hypothesis.id,
            hypothesis.channel_id,
            error.response.get("error"),
        )
        return False
    record_posted(session=session, hypothesis=hypothesis, ts=str(response["ts"]))
    session.commit()
    return True


def confirm_to_author(*, client: WebClient, hypothesis: Hypothesis, posted: bool) -> None:
    """Tell the author their hypothesis is saved: in the channel if we are there, else by DM."""
    text = saved_confirmation(hypothesis=hypothesis, posted=posted)
    author = hypothesis.saved_by or hypothesis.author_id
    if posted:
        client.chat_postEphemeral(channel=hypothesis.channel_id, user=author, text=text)
    else:
        client.chat_postMessage(channel=author, text=text)
