"""Slack Events API listeners, one module per feature; each exposes register(app)."""

from slack_bolt import App

from handlers.events import home, lifecycle, messages


def register(app: App) -> None:
    """Register every event listener."""
    home.register(app)
    lifecycle.register(app)
    messages.register(app)
