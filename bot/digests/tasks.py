"""Digests' slow work, run by the queue's workers: `/digest preview` and `/digest now`.

Reading twelve weeks of every metric and drawing a chart is slow: never before the ack.
"""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.digests import service as digest
from bot.digests.flows import post_now
from bot.metrics import registry as metric_registry
from bot.queue.tasks import task
from bot.slack.packing import pack
from db.columns import utcnow


@task("digests.preview")
def preview(
    *,
    session: Session,
    respond: Respond,
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
    # Past one message's budget the preview goes on in more ephemeral messages, in order:
    # Slack would refuse it whole (msg_blocks_too_long), and an ephemeral has no thread.
    for part in pack([*message.blocks, *message.thread], below=True):
        respond(text=message.text, blocks=part, response_type="ephemeral", replace_original=False)


@task("digests.post_now")
def post(
    *,
    session: Session,
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
