"""Slack actions, one module per feature; each exposes register(app)."""

from slack_bolt import App

from handlers.actions import gate, home, hypothesis, metric


def register(app: App) -> None:
    """Register every button listener."""
    hypothesis.register(app)
    gate.register(app)
    home.register(app)
    metric.register(app)
