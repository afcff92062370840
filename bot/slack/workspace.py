"""The workspace a Slack request came from: put in Bolt's context once, looked up on first use."""

from __future__ import annotations

from sqlmodel import Session

from db import workspaces


class RequestWorkspace:
    """The request's workspace; the row is read (or made, on first contact) only when asked.

    Lazy because middleware runs before ack(): a listener that never needs the workspace,
    or needs it after acking, keeps the database out of Slack's 3 seconds.
    """

    def __init__(self, *, session: Session, team_id: str) -> None:
        self._session = session
        self.team_id = team_id
        self._id: int | None = None

    @property
    def id(self) -> int:
        """Return the workspace's id, creating the row on the team's first request."""
        if self._id is None:
            workspace = workspaces.ensure(session=self._session, team_id=self.team_id)
            if workspace.id is None:  # ensure() flushes, so a stored row always has one
                raise RuntimeError(f"workspace for {self.team_id} has no id")
            self._id = workspace.id
        return self._id
