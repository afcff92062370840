"""Slack surfaces, split the way Slack splits them; each module exposes register(app)."""

from slack_bolt import App

from handlers import actions, commands, events, views


def register_listeners(app: App) -> None:
    """Register every listener on `app`."""
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
