"""/hypothesis: check a statement, list the channel's, open the form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.hypotheses import service as hypotheses
from bot.hypotheses.blocks import list_message, modal
from bot.hypotheses.flows import check_and_reply
from bot.hypotheses.service import Subcommand, parse_command
from bot.queue.service import enqueue
from bot.slack.mrkdwn import typed_back
from bot.slack.workspace import RequestWorkspace
from prompts import render


def register(app: App) -> None:
    """Register the slash commands."""
    app.command("/hypothesis")(hypothesis_command)


def hypothesis_command(
    ack: Ack,
    command: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Handle /hypothesis [text | list | help]."""
    parsed = parse_command(command.get("text", ""))
    if parsed.subcommand is Subcommand.HELP:
        ack(text=render("hypothesis_help.j2", unknown=parsed.unknown))
        return
    if parsed.subcommand is Subcommand.MODAL:
        ack()
        client.views_open(
            trigger_id=command["trigger_id"], view=modal(channel_id=command["channel_id"])
        )
        return
    if parsed.subcommand is Subcommand.LIST:
        ack()
        channel_id = command["channel_id"]
        rows, total = hypotheses.list_channel(
            session=session, workspace_id=workspace.id, channel_id=channel_id
        )
        blocks = list_message(rows, channel_id=channel_id, total=total)
        respond(blocks=blocks, text="Hypotheses")
        return

    if problem := hypotheses.statement_error(parsed.text):  # checked before the ack
        ack(text=f"{problem}\n{typed_back(f'/hypothesis {parsed.text}')}")
        return
    # Kept before the ack: once Slack hears "Checking…", the statement is on the queue.
    enqueue(
        session=session,
        task=check_and_reply,
        team_id=context.team_id or command["team_id"],
        response_url=command.get("response_url"),
        channel_id=command["channel_id"],
        user_id=command["user_id"],
        text=parsed.text,
    )
    session.commit()
    ack(text=":hourglass_flowing_sand: Checking your hypothesis…")
