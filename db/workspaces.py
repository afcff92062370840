"""Queries on workspaces."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.models import Workspace


def get_by_team(*, session: Session, team_id: str) -> Workspace | None:
    """Return the workspace for a Slack team id, if gatebot has seen it."""
    return session.exec(select(Workspace).where(Workspace.team_id == team_id)).first()


def ensure(*, session: Session, team_id: str, name: str | None = None) -> Workspace:
    """Return the workspace for `team_id`, creating it on first contact.

    Two first requests from one team can race; the unique team_id decides, and the
    loser reads the winner's row.
    """
    if not team_id.strip():
        # Handlers read `context.team_id or ""`: were "" a workspace, every request that
        # lacks a team id would share its records.
        raise ValueError("a Slack request without a team id belongs to no workspace")
    workspace = get_by_team(session=session, team_id=team_id)
    if workspace is not None:
        return workspace
    try:
        with session.begin_nested():
            workspace = Workspace(team_id=team_id, name=name)
            session.add(workspace)
    except IntegrityError:
        workspace = get_by_team(session=session, team_id=team_id)
        assert workspace is not None
    return workspace
