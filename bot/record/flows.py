"""`/gate export`: the channel's record as a CSV and a JSON file, sent to the person by DM.

The command only queues the export (its ack cannot wait on building and uploading files);
a worker builds both files from the one record and uploads them to the person's DM.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from sqlmodel import Session

from bot.core.errors import GatebotError, NotFound
from bot.gates import setup as projects
from bot.queue.service import enqueue
from bot.queue.tasks import task
from bot.record import files
from bot.record.service import Kind, Row, project_fields, record
from bot.slack.failures import call_slack
from bot.slack.mrkdwn import escape
from db.columns import utcnow
from db.models.gates import Project

logger = logging.getLogger(__name__)

QUEUED = (
    ":outbox_tray: Exporting this channel's record: a CSV and a JSON file will arrive in "
    "your DM with me."
)


def request_export(
    *, session: Session, workspace_id: int, team_id: str, channel_id: str, user_id: str
) -> str:
    """Queue the export of the channel's record for `user_id`; return what to tell them.

    A channel with no project is told how to set one up; nothing is queued.
    """
    try:
        project = projects.for_channel(
            session=session, workspace_id=workspace_id, channel_id=channel_id
        )
    except GatebotError as problem:
        return str(problem)
    enqueue(
        session=session,
        task=send_export,
        team_id=team_id,
        project_id=project.id,
        workspace_id=workspace_id,
        user_id=user_id,
    )
    session.commit()
    return QUEUED


def _summary(built: dict[Kind, list[Row]], project: Project) -> str:
    return (
        f"The record of *{escape(project.name)}* (<#{project.channel_id}>): "
        f"{files.counts(built)}. "
        "The CSV has one row per item with a `kind` column; the JSON has a list per kind."
    )


@task("record.send_export")
def send_export(
    *, session: Session, client: WebClient, project_id: int, workspace_id: int, user_id: str
) -> None:
    """Build the project's record as CSV and JSON and upload both to the person's DM."""
    project = session.get(Project, project_id)
    if project is None or project.workspace_id != workspace_id:
        raise NotFound("That project no longer exists, so there is nothing to export.")
    now = utcnow()
    built = record(session=session, project=project)
    about = project_fields(project)
    uploads = [
        {
            "content": files.render(fmt=fmt, project=about, record=built, exported_at=now),
            "filename": files.file_name(project=about, fmt=fmt, exported_at=now),
            "title": f"{project.name}: the record ({fmt.upper()})",
        }
        for fmt in files.FORMATS
    ]
    opened = call_slack(lambda: client.conversations_open(users=user_id))
    dm = str((opened.get("channel") or {}).get("id") or user_id)
    comment = _summary(built, project)
    call_slack(
        lambda: client.files_upload_v2(file_uploads=uploads, channel=dm, initial_comment=comment)
    )
    logger.info("exported project %s's record to %s", project_id, user_id)
