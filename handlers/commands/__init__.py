"""Slack commands, one module per feature; each exposes register(app)."""

from slack_bolt import App

from handlers.commands import hypothesis


def register(app: App) -> None:
    """Register every slash command."""
    hypothesis.register(app)
