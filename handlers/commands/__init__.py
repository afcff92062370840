"""Slack commands, one module per feature; each exposes register(app)."""

from slack_bolt import App

from handlers.commands import digest, gate, hypothesis, metric


def register(app: App) -> None:
    """Register every slash command."""
    hypothesis.register(app)
    metric.register(app)
    gate.register(app)
    digest.register(app)
