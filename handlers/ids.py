"""Reading ids from a click: the workspace it came from and the record its button names."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from sqlmodel import Session

from db import workspaces


def workspace_and_value(
    *, session: Session, context: BoltContext, action: dict[str, Any]
) -> tuple[int, int]:
    """Return (workspace id, the button's numeric value) for a block action."""
    workspace = workspaces.ensure(session=session, team_id=context.team_id or "")
    return workspace.id, int(action["value"])
