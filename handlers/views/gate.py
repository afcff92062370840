"""Gate modal submissions: the set-up, a person's answers, a lead's decision."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlmodel import Session

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
from bot.gates.flows import announce_setup, post_decision, publish_summary, send_nudge
from bot.gates.input import read_numbers
from bot.home import service as home
from bot.hypotheses.service import Checker
from bot.slack import dedupe
from bot.slack.jobs import BackgroundJobs
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
    if errors:
        shown = setup_block_errors(errors, state_values=values, blocks=view.get("blocks"))
        ack(response_action="errors", errors=shown)
        return
    ack()
    if not dedupe.first_submission(session=session, body=body, team_id=workspace.team_id):
        return
    user_id = body["user"]["id"]
    result = projects.save_setup(
        session=session,
        workspace_id=workspace.id,
        user_id=user_id,
        form=form,
        project_id=project_id,
    )
    session.commit()
    announce_setup(session=session, client=client, result=result, user_id=user_id)


def submit_answers(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    jobs: BackgroundJobs,
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
    ack()
    if not dedupe.first_submission(session=session, body=body, team_id=context.team_id or ""):
        return
    # The checks wait on the LLM, each up to GATEBOT_LLM_TIMEOUT: on a listener thread they
    # would hold one that other requests need for their acks, so they go to the job pool.
    jobs.submit(
        record_answers,
        client=client,
        team_id=context.team_id or "",
        review_id=submitted.review_id,
        user_id=body["user"]["id"],
        texts=submitted.texts,
        claims=submitted.claims,
        numbers=numbers.values,
    )


def record_answers(
    *,
    session: Session,
    checker: Checker,
    client: WebClient,
    team_id: str,
    review_id: int,
    user_id: str,
    texts: dict[str, str],
    claims: list[str],
    numbers: dict[str, float] | None,
) -> None:
    """Check and keep the answers, nudge the author on vague ones, refresh the summary."""
    now = utcnow()
    recorded = answers.submit_answers(
        session=session,
        checker=checker,
        team_id=team_id,
        review_id=review_id,
        user_id=user_id,
        texts=texts,
        claims=claims,
        numbers=numbers,
        now=now,
    )
    session.commit()
    send_nudge(client=client, recorded=recorded, user_id=user_id)
    publish_summary(
        session=session,
        client=client,
        workspace_id=recorded.review.project.workspace_id,
        review_id=recorded.review.id,
        now=now,
    )
    # Already on the job pool: their Home stops asking for these answers, in this same job.
    home.publish_job(
        session=session, checker=checker, client=client, team_id=team_id, user_id=user_id
    )


def submit_decision(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    workspace: RequestWorkspace,
    jobs: BackgroundJobs,
) -> None:
    """Record a lead's decision, post it in the prompt's thread, then redraw their Home."""
    review_id, decision, reason = read_decision_modal(view)
    errors = decision_errors(decision=decision, reason=reason)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    if not dedupe.first_submission(session=session, body=body, team_id=context.team_id or ""):
        return
    user_id, now = body["user"]["id"], utcnow()
    decided = decisions.decide(
        session=session,
        workspace_id=workspace.id,
        review_id=review_id,
        user_id=user_id,
        decision=Decision(decision),
        reason=reason,
        now=now,
    )
    session.commit()
    post_decision(session=session, client=client, decided=decided, user_id=user_id, now=now)
    jobs.submit(home.publish_job, client=client, team_id=workspace.team_id, user_id=user_id)
