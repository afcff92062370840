"""Gate review buttons: Answer (on the prompt, its reminder and the nudge) and Record decision."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.gates import answers, decisions
from bot.gates.blocks.answers import answer_modal
from bot.gates.blocks.decision import decision_modal
from bot.gates.blocks.prompt import ANSWER, DECIDE
from bot.slack.workspace import RequestWorkspace
from handlers.ids import workspace_and_value


def register(app: App) -> None:
    """Register the button listeners."""
    app.action(ANSWER)(answer_gate)
    app.action(DECIDE)(decide_gate)


def answer_gate(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Open the gate's questions, pre-filled with this person's earlier answers."""
    ack()
    user_id = body["user"]["id"]
    workspace_id, review_id = workspace_and_value(workspace=workspace, action=action)
    form = answers.answer_form(
        session=session, workspace_id=workspace_id, review_id=review_id, user_id=user_id
    )
    client.views_open(trigger_id=body["trigger_id"], view=answer_modal(form))


def decide_gate(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Open the decision modal for a lead; anyone else gets a polite word, only to them."""
    ack()
    user_id = body["user"]["id"]
    workspace_id, review_id = workspace_and_value(workspace=workspace, action=action)
    review = decisions.decision_form(
        session=session, workspace_id=workspace_id, review_id=review_id, user_id=user_id
    )
    client.views_open(trigger_id=body["trigger_id"], view=decision_modal(review))
