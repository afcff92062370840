"""The stand-in Slack Web API: the server, the workspace it keeps, and Slack's limits."""

from bot.demo.standin.calls import Call
from bot.demo.standin.slack.standin import SlackStandIn

__all__ = ["Call", "SlackStandIn"]
