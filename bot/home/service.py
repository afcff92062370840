"""The App Home: one person's projects in one workspace, what awaits them, where each stands.

What it shows is gathered by bot.home.gather; a project's work shows only to the people in its
channel (bot.home.membership). The Home is published when its tab opens, from its Refresh and
paging buttons, and after the person answers a review, decides one or saves a hypothesis, so
it never shows as waiting what they just did.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

import db.projects as project_queries
from bot.core.errors import NotFound
from bot.home import membership as home_membership
from bot.home.blocks import home_unavailable, home_view
from bot.home.gather import PAGE_SIZE, gather
from bot.home.model import AwaitingReview, Home, ProjectCard, following_phase
from db.models.gates import Project

__all__ = [
    "PAGE_SIZE",
    "AwaitingReview",
    "Home",
    "ProjectCard",
    "following_phase",
    "gather",
    "publish",
    "publish_job",
]

logger = logging.getLogger(__name__)


def project(*, session: Session, workspace_id: int, project_id: int) -> Project:
    """Return a project of this workspace for a Home button, or raise NotFound."""
    found = project_queries.get(session=session, workspace_id=workspace_id, project_id=project_id)
    if found is None:
        raise NotFound(
            "I can't find that project any more: it may have moved. Refresh the Home and try again."
        )
    return found


def require_member(
    *, session: Session, client: WebClient, team_id: str, user_id: str, channel_id: str
) -> None:
    """Raise NotAMember unless the person is in `channel_id`: a Home button opens a channel's
    work (a review's form, a hypothesis form, the digest) to its members only.

    Ends the session's read first: no transaction stays open while Slack is asked."""
    session.commit()
    membership = home_membership.of(
        session=session, client=client, team_id=team_id, user_id=user_id
    )
    membership.require(channel_id)


def publish(
    *,
    session: Session,
    client: WebClient,
    team_id: str,
    user_id: str,
    page: int = 1,
    view_hash: str | None = None,
    now: datetime | None = None,
) -> Home | None:
    """Gather the person's Home and publish it to their Home tab; return it (None if it could
    not be gathered: the tab then says so and offers Refresh, never goes blank).

    `view_hash` is the hash of the Home a button was pressed on: Slack then refuses this
    publish if a newer one went out meanwhile (hash_conflict), so a slow page never
    overwrites a fresher Home.
    """
    # Asked before any read, so no transaction waits on Slack.
    membership = home_membership.of(
        session=session, client=client, team_id=team_id, user_id=user_id
    )
    home: Home | None = None
    try:
        home = gather(
            session=session,
            team_id=team_id,
            user_id=user_id,
            membership=membership,
            page=page,
            now=now,
        )
        view = home_view(home)
    except Exception:  # a broken row or table must not leave the tab blank or stale unsaid
        logger.exception("the Home of %s could not be gathered", user_id)
        session.rollback()
        home, view = None, home_unavailable()
    session.commit()  # end the read before waiting on Slack
    try:
        client.views_publish(user_id=user_id, view=view, hash=view_hash)
    except SlackApiError as error:
        if error.response.get("error") != "hash_conflict":
            raise
        logger.info("a newer Home of %s was published meanwhile: this one is dropped", user_id)
    return home


def publish_job(*, session: Session, checker: object, **kwargs: object) -> None:
    """Publish a Home from BackgroundJobs (which hands every job a checker the Home needs not).

    A failure is logged, not sent to the person: the Home is a view they may not have asked
    for (it follows their acts), the last one stays, and Refresh tries again.
    """
    try:
        publish(session=session, **kwargs)  # type: ignore[arg-type]
    except Exception:
        logger.exception("the Home of %s could not be published", kwargs.get("user_id"))
