"""Hypotheses' slow work, run by the queue's workers: check and reply, save, post."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.hypotheses import service as hypotheses
from bot.hypotheses.blocks import (
    saved_confirmation,
    saved_post,
    verdict_fallback_text,
    verdict_message,
)
from bot.hypotheses.form import HypothesisFields
from bot.hypotheses.service import Checker, verdict_of
from bot.outbox import service as outbox
from bot.queue.service import enqueue, enqueue_next
from bot.queue.tasks import JobRef, task
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


# The Home sits above hypotheses: its task is queued by name, not imported (bot.home).
HOME_PUBLISH = "home.publish"


@task("hypotheses.check_and_reply")
def check_and_reply(
    *,
    session: Session,
    checker: Checker,
    respond: Respond,
    job: JobRef,
    team_id: str,
    channel_id: str,
    user_id: str,
    text: str,
) -> None:
    """Check the statement (slow: maybe an LLM), keep the draft, queue the author's verdict."""
    hypothesis = hypotheses.check_and_draft(
        session=session,
        checker=checker,
        team_id=team_id,
        channel_id=channel_id,
        author_id=user_id,
        text=text,
    )
    if not enqueue_next(
        session=session,
        after=job,
        task=reply_verdict,
        team_id=team_id,
        response_url=getattr(respond, "response_url", None),
        channel_id=channel_id,
        user_id=user_id,
        hypothesis_id=hypothesis.id,
    ):
        session.rollback()  # a run before this one's worker died drafted it already
        return
    session.commit()


@task("hypotheses.reply_verdict")
def reply_verdict(*, session: Session, respond: Respond, hypothesis_id: int) -> None:
    """Show the author the verdict on their draft, through the command's response_url."""
    hypothesis = session.get(Hypothesis, hypothesis_id)
    if hypothesis is None:
        return
    verdict = verdict_of(hypothesis)
    session.commit()  # end the read before waiting on Slack
    respond(
        blocks=verdict_message(hypothesis_id=hypothesis_id, text=hypothesis.text, verdict=verdict),
        text=verdict_fallback_text(verdict),
        response_type="ephemeral",
    )


def form_payload(form: HypothesisFields) -> dict[str, Any]:
    """Return the modal's fields as a job's JSON payload carries them."""
    return asdict(form)


@task("hypotheses.save_submission")
def save_submission(
    *,
    session: Session,
    checker: Checker,
    job: JobRef,
    team_id: str,
    channel_id: str,
    user_id: str,
    form: dict[str, str],
    replaces: int | None,
) -> None:
    """Check the assembled statement (slow: maybe an LLM), save it, queue its post."""
    outcome = hypotheses.submit_form(
        session=session,
        checker=checker,
        team_id=team_id,
        channel_id=channel_id,
        author_id=user_id,
        form=HypothesisFields(**form),
        replaces=replaces,
    )
    if not enqueue_next(
        session=session,
        after=job,
        task=post_saved,
        team_id=team_id,
        hypothesis_id=outcome.hypothesis.id,
        user_id=user_id,
    ):
        session.rollback()  # a run before this one's worker died saved it already
        return
    session.commit()


@task("hypotheses.post_saved")
def post_saved(
    *, session: Session, client: WebClient, job: JobRef, hypothesis_id: int, user_id: str
) -> None:
    """Post a saved hypothesis in its channel, tell its author, then redraw their Home."""
    hypothesis = session.get(Hypothesis, hypothesis_id)
    if hypothesis is None or hypothesis.message_ts:  # posted by a run before this one
        return
    # A run before this one may have died mid-post (Slack slow to answer): the post may be
    # in the channel with no ts recorded, so a retaken job looks for it first.
    delivery = announce_hypothesis(
        client=client, session=session, hypothesis=hypothesis, retry=job.attempts > 1
    )
    confirm_to_author(client=client, hypothesis=hypothesis, delivery=delivery)
    queue_home(session=session, team_id=_team_id(session, hypothesis), user_id=user_id)
    session.commit()


def queue_home(*, session: Session, team_id: str, user_id: str) -> None:
    """Queue a redraw of the person's Home (it lists their hypotheses). Does not commit."""
    enqueue(session=session, task=HOME_PUBLISH, team_id=team_id, user_id=user_id)
