"""The Home tab's buttons: paging, Answer, Write a hypothesis, Digest preview.

Answer, Write a hypothesis and Digest preview open a channel's work, so each first checks
that the person is in that channel (bot.home.membership, cached): a Home drawn before they
left it still has the buttons.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlmodel import Session

from bot.core.errors import GatebotError, user_message
from bot.digests import service as digest
from bot.gates import answers
from bot.gates.blocks.answers import answer_modal
from bot.home import service as home
from bot.home.blocks import (
    HOME_ANSWER,
    HOME_DIGEST,
    HOME_HYPOTHESIS,
    HOME_PICK_CHANNEL,
    HOME_WRITE,
    PAGE_ACTIONS,
)
from bot.home.modals import channel_picker, digest_loading, digest_preview, notice
from bot.hypotheses.blocks import modal as hypothesis_modal
from bot.slack.jobs import BackgroundJobs
from bot.slack.workspace import RequestWorkspace
from db.columns import utcnow
from handlers.ids import workspace_and_value


def register(app: App) -> None:
    """Register the Home's button listeners."""
    for action_id in PAGE_ACTIONS:
        app.action(action_id)(turn_page)
    app.action(HOME_ANSWER)(answer_review)
    app.action(HOME_HYPOTHESIS)(write_for_project)
    app.action(HOME_WRITE)(pick_channel)
    app.action(HOME_PICK_CHANNEL)(write_in_channel)
    app.action(HOME_DIGEST)(preview_digest)


def turn_page(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    jobs: BackgroundJobs,
) -> None:
    """Publish the page the button names (Previous, Next, or Refresh's own page), over the
    Home it was pressed on only: a newer Home published meanwhile is not overwritten."""
    ack()
    try:
        page = int(action.get("value") or 1)
    except ValueError:  # a value we never wrote: show the first page rather than nothing
        page = 1
    jobs.submit(
        home.publish_job,
        client=client,
        team_id=context.team_id or "",
        user_id=body["user"]["id"],
        page=page,
        view_hash=(body.get("view") or {}).get("hash"),
    )


def _require_member(
    session: Session, client: WebClient, context: BoltContext, body: dict[str, Any], channel: str
) -> None:
    home.require_member(
        session=session,
        client=client,
        team_id=context.team_id or "",
        user_id=body["user"]["id"],
        channel_id=channel,
    )


def _explain(client: WebClient, body: dict[str, Any], title: str, problem: GatebotError) -> None:
    """Open a modal saying why the button cannot do its work: the Home has no thread to reply in."""
    client.views_open(trigger_id=body["trigger_id"], view=notice(title, str(problem)))


def answer_review(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Open the gate's answer modal: the same one the prompt's Answer button opens."""
    ack()
    workspace_id, review_id = workspace_and_value(workspace=workspace, action=action)
    try:
        form = answers.answer_form(
            session=session,
            workspace_id=workspace_id,
            review_id=review_id,
            user_id=body["user"]["id"],
        )
        _require_member(session, client, context, body, form.review.project.channel_id)
    except GatebotError as problem:  # decided since the Home was drawn, not this workspace's,
        # or the person is not in the review's channel
        _explain(client, body, "Gate review", problem)
        return
    client.views_open(trigger_id=body["trigger_id"], view=answer_modal(form))


def write_for_project(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    workspace: RequestWorkspace,
) -> None:
    """Open the hypothesis form for the project's channel."""
    ack()
    workspace_id, project_id = workspace_and_value(workspace=workspace, action=action)
    try:
        project = home.project(session=session, workspace_id=workspace_id, project_id=project_id)
        _require_member(session, client, context, body, project.channel_id)
    except GatebotError as problem:
        _explain(client, body, "Write a hypothesis", problem)
        return
    client.views_open(
        trigger_id=body["trigger_id"], view=hypothesis_modal(channel_id=project.channel_id)
    )


def pick_channel(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """Ask which channel a hypothesis is for: from the Home there is none to go by."""
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=channel_picker())


def write_in_channel(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
) -> None:
    """Turn the channel picker into the hypothesis form for the channel picked."""
    ack()
    channel_id = str(action.get("selected_conversation") or "")
    if not channel_id:
        return
    try:
        _require_member(session, client, context, body, channel_id)
    except GatebotError as problem:  # a public channel they can pick but are not in
        view = notice("Write a hypothesis", str(problem))
    else:
        view = hypothesis_modal(channel_id=channel_id)
    client.views_update(view_id=body["view"]["id"], view=view)


def preview_digest(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    workspace: RequestWorkspace,
    jobs: BackgroundJobs,
) -> None:
    """Open the digest preview at once, then fill it in after reading the project's weeks."""
    ack()
    workspace_id, project_id = workspace_and_value(workspace=workspace, action=action)
    try:
        project = home.project(session=session, workspace_id=workspace_id, project_id=project_id)
    except GatebotError as problem:
        _explain(client, body, "Digest preview", problem)
        return
    session.commit()  # the job reads in its own session: end this read before waiting on Slack
    # Open now, while the trigger is fresh (3 s); twelve weeks of metrics are read after.
    opened = client.views_open(trigger_id=body["trigger_id"], view=digest_loading(project))
    jobs.submit(
        fill_digest_preview,
        client=client,
        view_id=opened["view"]["id"],
        team_id=context.team_id or "",
        workspace_id=workspace_id,
        project_id=project_id,
        user_id=body["user"]["id"],
    )


def fill_digest_preview(
    *,
    session: Session,
    checker: object,
    client: WebClient,
    view_id: str,
    team_id: str,
    workspace_id: int,
    project_id: int,
    user_id: str,
) -> None:
    """Replace the loading modal with the digest as it would be posted now, or why not
    (the person must be in the project's channel: checked here, once the modal is open)."""
    try:
        project = home.project(session=session, workspace_id=workspace_id, project_id=project_id)
        home.require_member(
            session=session,
            client=client,
            team_id=team_id,
            user_id=user_id,
            channel_id=project.channel_id,
        )
        built = digest.build(
            session=session, project=project, now=utcnow(), compact=False, posted=False
        )
        view = digest_preview(project, built.message)
    except Exception as error:  # the modal is open and waiting: say what happened there
        view = notice("Digest preview", user_message(error))
    client.views_update(view_id=view_id, view=view)
