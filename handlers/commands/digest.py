"""/digest: preview the weekly digest privately, post it now, choose its layout."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.core.errors import InvalidInput
from bot.digests import service as digest
from bot.digests.flows import post_now
from bot.digests.service import Action
from bot.metrics import registry as metric_registry
from bot.slack.jobs import BackgroundJobs
from bot.slack.replies import reliable
from db.columns import utcnow
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
    jobs: BackgroundJobs,
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
    job = preview_job if parsed.action is Action.PREVIEW else post_job
    reply = reliable(
        respond, client=client, channel_id=where["channel_id"], user_id=where["user_id"]
    )
    jobs.submit(job, respond=reply, client=client, **where)


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


def preview_job(
    *,
    session: Session,
    checker: object,
    respond: Respond,
    client: WebClient,
    team_id: str,
    channel_id: str,
    user_id: str,
) -> None:
    """Show the caller, and only them, the digest as it would be posted now (whole layout)."""
    project = metric_registry.project_in(session=session, team_id=team_id, channel_id=channel_id)
    built = digest.build(
        session=session, project=project, now=utcnow(), compact=False, posted=False
    )
    message = built.message
    respond(
        text=message.text,
        blocks=message.blocks,
        response_type="ephemeral",
        replace_original=False,
    )


def post_job(
    *,
    session: Session,
    checker: object,
    respond: Respond,
    client: WebClient,
    team_id: str,
    channel_id: str,
    user_id: str,
) -> None:
    """Post the digest in the channel now; tell the caller only if it did not go out."""
    project = metric_registry.project_in(session=session, team_id=team_id, channel_id=channel_id)
    run = post_now(session=session, client=client, project=project, user_id=user_id, now=utcnow())
    if run is None:
        respond(text="A digest was just posted for this project: look in the channel.")
    elif run.status != "posted" or run.error:
        problem = run.error or "Slack did not accept it"
        respond(text=f":warning: The digest did not go out as it should: {problem}")
