"""/hypothesis modal submission."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlmodel import Session

from bot.hypotheses.blocks import MODAL_CALLBACK, read_metadata, read_modal
from bot.hypotheses.flows import form_payload, save_submission
from bot.hypotheses.form import validate
from bot.queue.service import enqueue
from bot.slack import dedupe


def register(app: App) -> None:
    """Register the modal listeners."""
    app.view(MODAL_CALLBACK)(submit_hypothesis)


def submit_hypothesis(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    session: Session,
) -> None:
    """Validate inline, queue the check, save and post with the submission's receipt, ack."""
    form = read_modal(view["state"]["values"])
    errors = validate(form)  # pure and fast: safe before ack
    if errors:
        ack(response_action="errors", errors=errors)
        return
    channel_id, replaces = read_metadata(view.get("private_metadata", ""))
    # The receipt and the job commit together, before the ack: a crash after Slack heard
    # the ack leaves a job to run, and one before it leaves the modal open to submit again.
    if dedupe.first_submission(session=session, body=body, team_id=context.team_id or ""):
        enqueue(
            session=session,
            task=save_submission,
            team_id=context.team_id or "",
            channel_id=channel_id,
            user_id=body["user"]["id"],
            form=form_payload(form),
            replaces=replaces,
        )
    session.commit()
    ack()
