"""Slack's refusals of payloads past its limits, so the stand-in refuses what Slack would.

Blocks and views are parsed with slack_sdk's own models (which know each element's
limits); on top, a message's blocks may carry at most 12,000 characters of text in all,
the limit behind Slack's msg_blocks_too_long.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack.packing import MESSAGE, MODAL, text_size

_MESSAGES = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"})
_VIEWS = frozenset({"views.open", "views.push", "views.update", "views.publish"})


def refusal(method: str, args: dict[str, Any]) -> str | None:
    """Return the error Slack answers `method` with for these `args`, or None if it takes them."""
    if method in _MESSAGES and isinstance(args.get("blocks"), list):
        blocks = args["blocks"]
        if len(blocks) > MESSAGE.blocks or not _parse(blocks):
            return "invalid_blocks"
        if text_size(blocks) > MESSAGE.text:
            return "msg_blocks_too_long"
    if method in _VIEWS and isinstance(args.get("view"), dict):
        view = args["view"]
        blocks = view.get("blocks") or []
        if len(blocks) > MODAL.blocks or not _parse(blocks):  # Home tabs take 100 too
            return "invalid_blocks"
        try:
            if blocks:  # slack_sdk wants one block at least; Slack takes an empty Home
                View(**view).validate_json()
        except (SlackObjectFormationError, TypeError):
            return "invalid_arguments"
    return None


def _parse(blocks: list[Any]) -> bool:
    for block in blocks:
        parsed = Block.parse(block) if isinstance(block, dict) else None
        if parsed is None:
            return False
        try:
            parsed.validate_json()
        except SlackObjectFormationError:
            return False
    return True
