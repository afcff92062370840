"""Answer a direct message to the app with what gatebot does and where to start."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.slack.failures import SlackFailure, call_slack
from prompts import render

logger = logging.getLogger(__name__)


def is_from_a_person(event: dict[str, Any], *, bot_user_id: str | None) -> bool:
    """Return whether `event` is a new DM written by a person (not a bot, not an edit)."""
    if event.get("channel_type") != "im" or event.get("subtype"):
        return False  # edits, deletions, joins and bot_message carry a subtype
    if event.get("bot_id") or event.get("bot_profile"):
        return False  # any bot, gatebot's own replies included
    user = event.get("user")
    return bool(user) and user != bot_user_id


def answer_dm(*, client: WebClient, event: dict[str, Any], bot_user_id: str | None) -> bool:
    """Reply in the DM with the help text, unless the message is not a person's; True if sent."""
    if not is_from_a_person(event, bot_user_id=bot_user_id):
        return False
    text = render("dm_help.j2")
    try:
        call_slack(lambda: client.chat_postMessage(channel=event["channel"], text=text))
    except SlackFailure as error:  # nothing was asked of us but help; the log is enough
        logger.warning("could not answer a DM in %s: %s", event.get("channel"), error)
        return False
    return True
