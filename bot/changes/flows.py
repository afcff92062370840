"""Post an edit's announcement to the project's channel: once, however often the job runs.

The post carries the edit's key and always looks for it first (the outbox's keyed post):
a job retried after its worker died, or run again, finds the message it already posted.
Edits are rare, so the one history read each costs is cheap. Slack struggling keeps the
post in the outbox for the clock; a refusal that will repeat goes to /gate status.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from sqlmodel import Session

import db.changes as queries
from bot.changes import FieldChange
from bot.changes.blocks import announcement
from bot.core.time import as_utc
from bot.outbox import service as outbox
from bot.queue.tasks import task
from bot.slack.mrkdwn import escape
from db.columns import utcnow
from db.models.gates import Project
from db.models.outbox import OutboxMessage
from db.reviews import set_project_error

logger = logging.getLogger(__name__)

_ABOUT_LIMIT = 200  # OutboxMessage.about's column


@task("changes.announce")
def announce(*, session: Session, client: WebClient, team_id: str, edit_key: str) -> None:
    """Post who changed what, before → after per field, to the edited project's channel."""
    rows = queries.of_edit(session=session, edit_key=edit_key)
    project = session.get(Project, rows[0].project_id) if rows else None
    if project is None:  # forgotten, or the project deleted, since: nobody to tell
        session.commit()
        logger.info("edit %s has nothing left to announce", edit_key)
        return
    first, channel_id = rows[0], project.channel_id
    text, blocks = announcement(
        subject_kind=first.subject_kind,
        subject=first.subject,
        changed_by=first.changed_by,
        changes=[FieldChange(row.field, row.before, row.after) for row in rows],
    )
    subject = escape(first.subject)
    message = OutboxMessage(
        team_id=team_id,
        channel_id=channel_id,
        text=text,
        blocks=blocks,
        post_key=edit_key,
        about=f"the change to `{subject}`"[:_ABOUT_LIMIT],
        notify_user=first.changed_by,
        created_at=as_utc(first.changed_at),  # a retry reads the channel from the edit on
    )
    session.commit()  # no read transaction held across the Slack calls
    delivery = outbox.send(session=session, client=client, message=message, retry=True)
    if delivery.outcome is outbox.Delivered.REFUSED and delivery.failure is not None:
        logger.warning("edit %s was not announced: %s", edit_key, delivery.failure)
        error = f"The change to `{subject}` was not announced: {delivery.failure.message}"
        set_project_error(session=session, project=project, error=error, at=utcnow())
        session.commit()
