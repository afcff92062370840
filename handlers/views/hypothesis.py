"""/hypothesis modal submission."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlmodel import Session

from bot.home import service as home
from bot.hypotheses import service as hypotheses
from bot.hypotheses.blocks import MODAL_CALLBACK, read_metadata, read_modal
from bot.hypotheses.flows import announce_hypothesis, confirm_to_author
from bot.hypotheses.form import HypothesisFields, validate
from bot.hypotheses.service import Checker
from bot.slack import dedupe
from bot.slack.jobs import BackgroundJobs


def register(app: App) -> None:
    """Register the modal listeners."""
    app.view(MODAL_CALLBACK)(submit_hypothesis)


def submit_hypothesis(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    jobs: BackgroundJobs,
) -> None:
    """Validate inline, then assemble, check, save and post the hypothesis after the ack."""
    form = read_modal(view["state"]["values"])
    errors = validate(form)  # pure and fast: safe before ack
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    if not dedupe.first_submission(session=session, body=body, team_id=context.team_id or ""):
        return
    channel_id, replaces = read_metadata(view.get("private_metadata", ""))
    jobs.submit(
        save_and_post,
        client=client,
        team_id=context.team_id or "",
        channel_id=channel_id,
        user_id=body["user"]["id"],
        form=form,
        replaces=replaces,
    )


def save_and_post(
    *,
    session: Session,
    checker: Checker,
    client: WebClient,
    team_id: str,
    channel_id: str,
    user_id: str,
    form: HypothesisFields,
    replaces: int | None,
) -> None:
    """Check the assembled statement (slow: maybe an LLM), save it, post it, tell the author."""
    outcome = hypotheses.submit_form(
        session=session,
        checker=checker,
        team_id=team_id,
        channel_id=channel_id,
        author_id=user_id,
        form=form,
        replaces=replaces,
    )
    session.commit()
    delivery = announce_hypothesis(client=client, session=session, hypothesis=outcome.hypothesis)
    confirm_to_author(client=client, hypothesis=outcome.hypothesis, delivery=delivery)
    # Already on the job pool: the author's Home shows the hypothesis, in this same job.
    home.publish_job(
        session=session, checker=checker, client=client, team_id=team_id, user_id=user_id
    )
