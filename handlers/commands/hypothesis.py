"""/hypothesis: check a statement, list the channel's, open the form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.hypotheses import service as hypotheses
from bot.hypotheses.blocks import list_message, modal, verdict_fallback_text, verdict_message
from bot.hypotheses.service import Checker, Subcommand, parse_command
from bot.slack.jobs import BackgroundJobs
from bot.slack.replies import reliable
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
    jobs: BackgroundJobs,
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

    ack(text=":hourglass_flowing_sand: Checking your hypothesis…")
    jobs.submit(
        check_and_reply,
        # The verdict comes seconds later: a lost response_url post would leave "Checking…".
        respond=reliable(
            respond, client=client, channel_id=command["channel_id"], user_id=command["user_id"]
        ),
        team_id=context.team_id or command["team_id"],
        channel_id=command["channel_id"],
        user_id=command["user_id"],
        text=parsed.text,
    )


def check_and_reply(
    *,
    session: Session,
    checker: Checker,
    respond: Respond,
    team_id: str,
    channel_id: str,
    user_id: str,
    text: str,
) -> None:
    """Check the statement (slow: maybe an LLM), keep the draft, show the author the verdict."""
    hypothesis = hypotheses.check_and_draft(
        session=session,
        checker=checker,
        team_id=team_id,
        channel_id=channel_id,
        author_id=user_id,
        text=text,
    )
    session.commit()
    verdict = hypotheses.verdict_of(hypothesis)
    respond(
        blocks=verdict_message(hypothesis_id=hypothesis.id, text=hypothesis.text, verdict=verdict),
        text=verdict_fallback_text(verdict),
        response_type="ephemeral",
    )
