"""/digest: preview the weekly digest privately, post it now, choose its layout."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.core.errors import InvalidInput
from bot.digests import service as digest
from bot.digests.service import Action
from bot.digests.tasks import post, preview
from bot.metrics import registry as metric_registry
from bot.queue.service import enqueue
from prompts import render


def register(app: App) -> None:
    """Register the slash command."""
    app.command("/digest")(digest_command)


def digest_command(
    ack: Ack,
    command: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
    session: Session,
) -> None:
    """Handle /digest [preview | now | compact on|off | help]."""
    try:
        parsed = digest.parse_command(command.get("text", ""))
    except InvalidInput as problem:  # parsing is pure and fast: answer in the ack itself
        ack(text=str(problem))
        return
    if parsed.action is Action.HELP:
        ack(text=render("digest_help.j2", unknown=parsed.unknown))
        return
    ack()
    where = {
        "team_id": context.team_id or command["team_id"],
        "channel_id": command["channel_id"],
        "user_id": command["user_id"],
    }
    if parsed.action is Action.COMPACT:
        assert parsed.compact is not None
        _compact(session=session, respond=respond, compact=parsed.compact, **where)
        return
    # Reading twelve weeks of every metric and drawing a chart is slow: after the ack.
    job = preview if parsed.action is Action.PREVIEW else post
    enqueue(session=session, task=job, response_url=command.get("response_url"), **where)
    session.commit()


def _compact(
    *,
    session: Session,
    respond: Respond,
    compact: bool,
    team_id: str,
    channel_id: str,
    user_id: str,
) -> None:
    project = metric_registry.project_in(session=session, team_id=team_id, channel_id=channel_id)
    changed = digest.set_compact(session=session, project=project, compact=compact)
    session.commit()
    text = render(
        "digest_compact.j2",
        project=project.name,
        compact=compact,
        changed=changed,
        user_id=user_id,
    )
    respond(text=text, response_type="in_channel" if changed else "ephemeral")
