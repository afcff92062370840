"""Slack views, one module per feature; each exposes register(app)."""

from slack_bolt import App

from handlers.views import gate, hypothesis


def register(app: App) -> None:
    """Register every modal listener."""
    hypothesis.register(app)
    gate.register(app)
