"""Gate review buttons: Answer, Record decision, and Show all answers (of the summary)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.gates import answers, decisions, flows, status
from bot.gates.blocks.answers import answer_modal
from bot.gates.blocks.decision import decision_modal
from bot.gates.blocks.prompt import ANSWER, DECIDE
from bot.gates.blocks.status import HISTORY_PAGE_ACTION, OPEN_PAGE_ACTION, history_message
from bot.gates.blocks.summary import SHOW_ANSWERS
from bot.slack.paging import action_ids, read_offset
from bot.slack.workspace import RequestWorkspace
from handlers.ids import workspace_and_value


def register(app: App) -> None:
    """Register the button listeners."""
    app.action(ANSWER)(answer_gate)
    app.action(DECIDE)(decide_gate)
    app.action(SHOW_ANSWERS)(show_answers)
    app.action(OPEN_PAGE_ACTION)(turn_review_page)
    for action_id in (*action_ids(HISTORY_PAGE_ACTION), *action_ids(OPEN_PAGE_ACTION)):
        app.action(action_id)(turn_review_page)


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


def show_answers(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Show every answer to one question of the summary, a page at a time."""
    ack()
    flows.show_answers(
        session=session,
        client=client,
        workspace_id=workspace.id,
        value=str(action["value"]),
        trigger_id=str(body.get("trigger_id") or ""),
        view_id=(body.get("view") or {}).get("id"),
    )


def turn_review_page(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Show the page of past or open reviews a button names, in place of the list."""
    ack()
    open_ = str(action["action_id"]).startswith(OPEN_PAGE_ACTION)
    page = status.history(
        session=session,
        workspace_id=workspace.id,
        channel_id=str((body.get("channel") or {}).get("id") or ""),
        offset=read_offset(action.get("value")),
        open_=open_,
    )
    # "Show all" on /gate status keeps the status; the pages replace each other.
    replace = action["action_id"] != OPEN_PAGE_ACTION
    blocks = history_message(page, open_=open_)
    respond(replace_original=replace, blocks=blocks, text=f"Reviews: {page.project.name}")
