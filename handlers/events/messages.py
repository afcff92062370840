"""Messages to the app in its DM (the Messages tab): answered with what gatebot can do."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.help.service import answer_dm


def register(app: App) -> None:
    """Register the DM listener (Bolt acks events before the listener runs)."""
    app.event("message")(on_message)


def on_message(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """Answer a person's DM with the help; channel messages and bots' are left alone."""
    answer_dm(client=client, event=event, bot_user_id=context.bot_user_id)
