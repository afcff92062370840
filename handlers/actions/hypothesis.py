"""/hypothesis buttons: Save, Edit, Discard, and the list's pages."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.home import service as home
from bot.hypotheses import service as hypotheses
from bot.hypotheses.blocks import (
    DISCARD,
    EDIT,
    LIST_PAGE_ACTION,
    SAVE,
    list_message,
    modal,
    status_note,
)
from bot.hypotheses.flows import announce_hypothesis, confirmation
from bot.queue.service import enqueue
from bot.slack.paging import action_ids, read_offset
from bot.slack.workspace import RequestWorkspace
from handlers.ids import workspace_and_value


def register(app: App) -> None:
    """Register the button listeners."""
    app.action(SAVE)(save_hypothesis)
    app.action(EDIT)(edit_hypothesis)
    app.action(DISCARD)(discard_hypothesis)
    for action_id in action_ids(LIST_PAGE_ACTION):
        app.action(action_id)(turn_list_page)


def save_hypothesis(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Put the draft on record and post it to the channel, once however often Save is clicked;
    then redraw the author's Home, which lists it."""
    ack()
    workspace_id, hypothesis_id = workspace_and_value(workspace=workspace, action=action)
    outcome = hypotheses.save(
        session=session,
        workspace_id=workspace_id,
        hypothesis_id=hypothesis_id,
        user_id=body["user"]["id"],
    )
    session.commit()
    if not outcome.changed:
        respond(text=status_note(outcome.hypothesis), replace_original=True)
        return
    delivery = announce_hypothesis(client=client, session=session, hypothesis=outcome.hypothesis)
    respond(
        text=confirmation(hypothesis=outcome.hypothesis, delivery=delivery), replace_original=True
    )
    team_id, user_id = context.team_id or "", body["user"]["id"]
    enqueue(session=session, task=home.publish_task, team_id=team_id, user_id=user_id)
    session.commit()


def edit_hypothesis(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Open the modal pre-filled from the draft."""
    ack()
    workspace_id, hypothesis_id = workspace_and_value(workspace=workspace, action=action)
    hypothesis = hypotheses.draft_to_edit(
        session=session,
        workspace_id=workspace_id,
        hypothesis_id=hypothesis_id,
        user_id=context.user_id or "",
    )
    client.views_open(
        trigger_id=body["trigger_id"],
        view=modal(
            channel_id=hypothesis.channel_id,
            form=hypotheses.prefill(hypothesis),
            replaces=hypothesis.id,
        ),
    )


def discard_hypothesis(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Throw the draft away."""
    ack()
    workspace_id, hypothesis_id = workspace_and_value(workspace=workspace, action=action)
    outcome = hypotheses.discard(
        session=session,
        workspace_id=workspace_id,
        hypothesis_id=hypothesis_id,
        user_id=body["user"]["id"],
    )
    session.commit()
    text = "Discarded. Nothing was saved." if outcome.changed else status_note(outcome.hypothesis)
    respond(text=text, replace_original=True)


def turn_list_page(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Replace the /hypothesis list with the page its button names."""
    ack()
    channel_id = str((body.get("channel") or {}).get("id") or "")
    offset = read_offset(action.get("value"))
    rows, total = hypotheses.list_channel(
        session=session, workspace_id=workspace.id, channel_id=channel_id, offset=offset
    )
    blocks = list_message(rows, channel_id=channel_id, offset=offset, total=total)
    respond(replace_original=True, blocks=blocks, text="Hypotheses")
