"""Local stand-ins for the services gatebot talks to, for tests and `gatebot demo`."""

from bot.standin.calls import Call
from bot.standin.slack import SlackStandIn

__all__ = ["Call", "SlackStandIn"]
