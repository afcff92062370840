"""/gate: set up a channel's gate reviews, see their status, pause, ask now, move phase, history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.gates import questions as gate_questions
from bot.gates import setup as projects
from bot.gates import status as project_status
from bot.gates.blocks.status import (
    ask_problem,
    help_text,
    history_message,
    pause_note,
    phase_note,
    status_message,
)
from bot.gates.flows import open_setup
from bot.gates.input import Subcommand, parse_command
from bot.gates.skip_flows import SkipReply, skip_reply, unskip_reply
from bot.record.flows import request_export
from bot.slack.workspace import RequestWorkspace
from db.columns import utcnow


def register(app: App) -> None:
    """Register the slash command."""
    app.command("/gate")(gate_command)


def gate_command(
    ack: Ack,
    command: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Handle /gate [setup | status | pause | resume | now [gate] | phase <phase> | history |
    skip <date> | unskip [date] | export]."""
    parsed = parse_command(command.get("text", ""))
    if parsed.subcommand is Subcommand.HELP:
        ack(text=help_text(unknown=parsed.unknown))
        return
    if parsed.subcommand is Subcommand.EXPORT:
        # Queued before the ack, which says so: once Slack hears it, the export is kept.
        ack(
            text=request_export(
                session=session,
                workspace_id=workspace.id,
                team_id=workspace.team_id,
                channel_id=str(command["channel_id"]),
                user_id=str(command["user_id"]),
            )
        )
        return
    ack()
    _SUBCOMMANDS[parsed.subcommand](
        Request(session, client, respond, workspace.id, command, parsed.argument)
    )


@dataclass(frozen=True)
class Request:
    """One /gate invocation, as each sub-command needs it."""

    session: Session
    client: WebClient
    respond: Respond
    workspace_id: int
    command: dict[str, Any]
    argument: str

    @property
    def channel_id(self) -> str:
        """Return the channel the command was typed in."""
        return str(self.command["channel_id"])

    @property
    def user_id(self) -> str:
        """Return who typed it."""
        return str(self.command["user_id"])


def _setup(request: Request) -> None:
    project = projects.get_project(
        session=request.session, workspace_id=request.workspace_id, channel_id=request.channel_id
    )
    open_setup(
        client=request.client,
        project=project,
        channel_id=request.channel_id,
        user_id=request.user_id,
        trigger_id=request.command["trigger_id"],
    )


def _status(request: Request) -> None:
    status = project_status.status(
        session=request.session,
        workspace_id=request.workspace_id,
        channel_id=request.channel_id,
        now=utcnow(),
    )
    request.respond(blocks=status_message(status), text=f"Gate reviews: {status.project.name}")


def _history(request: Request) -> None:
    page = project_status.history(
        session=request.session, workspace_id=request.workspace_id, channel_id=request.channel_id
    )
    request.respond(blocks=history_message(page), text=f"History: {page.project.name}")


def _pause_or_resume(paused: bool) -> Callable[[Request], None]:
    def run(request: Request) -> None:
        change = projects.set_paused(
            session=request.session,
            workspace_id=request.workspace_id,
            channel_id=request.channel_id,
            paused=paused,
        )
        request.session.commit()
        request.respond(
            response_type="in_channel" if change.changed else "ephemeral",
            text=pause_note(
                project=change.project,
                user_id=request.user_id,
                paused=paused,
                changed=change.changed,
            ),
        )

    return run


def _now(request: Request) -> None:
    asked = projects.ask_now(
        session=request.session,
        client=request.client,
        workspace_id=request.workspace_id,
        channel_id=request.channel_id,
        gate=request.argument,
        now=utcnow(),
    )
    if problem := ask_problem(asked):  # otherwise the prompt in the channel is the answer
        request.respond(text=problem)


def _phase(request: Request) -> None:
    asked = projects.move_to_phase(
        session=request.session,
        client=request.client,
        workspace_id=request.workspace_id,
        channel_id=request.channel_id,
        phase=request.argument,
        now=utcnow(),
    )
    request.respond(
        response_type="in_channel" if asked.moved else "ephemeral",
        text=phase_note(asked=asked, user_id=request.user_id),
    )
    if asked.moved and (problem := ask_problem(asked)):
        request.respond(text=problem)


def _question(request: Request) -> None:
    request.respond(
        text=gate_questions.reword(
            session=request.session,
            workspace_id=request.workspace_id,
            team_id=str(request.command["team_id"]),
            channel_id=request.channel_id,
            user_id=request.user_id,
            argument=request.argument,
        )
    )


def _days_off(reply_for: Callable[..., SkipReply]) -> Callable[[Request], None]:
    def run(request: Request) -> None:
        reply = reply_for(
            session=request.session,
            workspace_id=request.workspace_id,
            channel_id=request.channel_id,
            user_id=request.user_id,
            argument=request.argument,
            now=utcnow(),
        )
        request.respond(
            response_type="in_channel" if reply.in_channel else "ephemeral", text=reply.text
        )

    return run


_SUBCOMMANDS: dict[Subcommand, Callable[[Request], None]] = {
    Subcommand.SETUP: _setup,
    Subcommand.STATUS: _status,
    Subcommand.HISTORY: _history,
    Subcommand.PAUSE: _pause_or_resume(True),
    Subcommand.RESUME: _pause_or_resume(False),
    Subcommand.NOW: _now,
    Subcommand.PHASE: _phase,
    Subcommand.QUESTION: _question,
    Subcommand.SKIP: _days_off(skip_reply),
    Subcommand.UNSKIP: _days_off(unskip_reply),
}
