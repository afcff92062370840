"""Reading ids from a click: the workspace it came from and the record its button names."""

from __future__ import annotations

from typing import Any

from bot.slack.workspace import RequestWorkspace


def workspace_and_value(*, workspace: RequestWorkspace, action: dict[str, Any]) -> tuple[int, int]:
    """Return (workspace id, the button's numeric value) for a block action."""
    return workspace.id, int(action["value"])
