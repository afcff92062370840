"""Gate modal submissions: the set-up, a person's answers, a lead's decision."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlmodel import Session

from bot.core.errors import GatebotError
from bot.gates import Decision, answers, decisions
from bot.gates import setup as projects
from bot.gates.blocks.answers import ANSWER_CALLBACK, read_answer_modal
from bot.gates.blocks.decision import DECISION_CALLBACK, decision_errors, read_decision_modal
from bot.gates.blocks.setup import (
    SETUP_CALLBACK,
    read_setup,
    read_setup_metadata,
    setup_block_errors,
)
from bot.gates.input import read_numbers
from bot.gates.tasks import announce_saved_setup, post_recorded_decision, record_answers
from bot.home import service as home
from bot.queue.service import enqueue
from bot.slack import dedupe
from bot.slack.workspace import RequestWorkspace
from db.columns import utcnow

NO_ANSWER = "Answer at least one question (or press Cancel)."


def register(app: App) -> None:
    """Register the modal listeners."""
    app.view(SETUP_CALLBACK)(submit_setup)
    app.view(ANSWER_CALLBACK)(submit_answers)
    app.view(DECISION_CALLBACK)(submit_decision)


def submit_setup(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Validate inline (one indexed read finds a channel taken), then save and tell the channel."""
    values = view["state"]["values"]
    form = read_setup(values)
    project_id, _ = read_setup_metadata(view.get("private_metadata", ""))
    if dedupe.submitted_before(session=session, body=body):  # sent again: already saved
        ack()
        return
    errors = projects.setup_errors(
        session=session, workspace_id=workspace.id, form=form, project_id=project_id
    )
    if errors and dedupe.submitted_before(session=session, body=body):
        ack()  # the same submission, saved meanwhile: its own project now holds the channel
        return
    if errors:
        shown = setup_block_errors(errors, state_values=values, blocks=view.get("blocks"))
        ack(response_action="errors", errors=shown)
        return
    if dedupe.first_submission(session=session, body=body, team_id=workspace.team_id):
        # A short write, with its receipt, before the ack; the notice waits on Slack: queued.
        user_id = body["user"]["id"]
        try:
            result = projects.save_setup(
                session=session,
                workspace_id=workspace.id,
                user_id=user_id,
                form=form,
                project_id=project_id,
            )
        except GatebotError:
            session.rollback()  # nothing saved: the receipt goes too
            ack()
            raise  # the person reads why by DM (bot.app's error handler)
        session.flush()  # the new project's id, for the notice's job
        enqueue(
            session=session,
            task=announce_saved_setup,
            team_id=workspace.team_id,
            project_id=result.project.id,
            created=result.created,
            changed=list(result.changed),
            user_id=user_id,
        )
    session.commit()
    ack()


def submit_answers(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
) -> None:
    """Check the numbers inline, then keep the answers, nudge vague ones, refresh the summary."""
    submitted = read_answer_modal(view)
    numbers = read_numbers(submitted.numbers, required=submitted.required)
    if errors := numbers.errors | answers.length_errors(submitted.texts):
        ack(response_action="errors", errors=errors)
        return
    if submitted.empty and not submitted.had_answers:
        ack(response_action="errors", errors={submitted.first_question: NO_ANSWER})
        return
    # Kept before the ack, with the receipt: the checks wait on the LLM (after the ack, on
    # a worker), but once Slack closed the modal the answers are on the queue.
    if dedupe.first_submission(session=session, body=body, team_id=context.team_id or ""):
        enqueue(
            session=session,
            task=record_answers,
            team_id=context.team_id or "",
            review_id=submitted.review_id,
            user_id=body["user"]["id"],
            texts=submitted.texts,
            claims=submitted.claims,
            numbers=numbers.values,
        )
    session.commit()
    ack()


def submit_decision(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Record a lead's decision, post it in the prompt's thread, then redraw their Home."""
    review_id, decision, reason = read_decision_modal(view)
    errors = decision_errors(decision=decision, reason=reason)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    if not dedupe.first_submission(session=session, body=body, team_id=context.team_id or ""):
        session.commit()
        ack()
        return
    # A short write, so it is on record before the ack; posting it waits on Slack: queued.
    user_id, now = body["user"]["id"], utcnow()
    try:
        decided = decisions.decide(
            session=session,
            workspace_id=workspace.id,
            review_id=review_id,
            user_id=user_id,
            decision=Decision(decision),
            reason=reason,
            now=now,
        )
    except GatebotError:
        session.rollback()  # nothing recorded: the receipt goes too, so they may submit again
        ack()
        raise  # the person reads why by DM (bot.app's error handler), as for any refusal
    enqueue(
        session=session,
        task=post_recorded_decision,
        team_id=workspace.team_id,
        workspace_id=workspace.id,
        review_id=review_id,
        user_id=user_id,
        decision=decided.decision.value,
        previous=decided.previous.value if decided.previous else None,
        decided_at=now.isoformat(),
    )
    enqueue(session=session, task=home.publish_task, team_id=workspace.team_id, user_id=user_id)
    session.commit()
    ack()
