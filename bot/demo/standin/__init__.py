"""Local stand-ins for the services gatebot talks to, for tests and `gatebot demo`."""

from bot.demo.standin.calls import Call
from bot.demo.standin.slack import SlackStandIn

__all__ = ["Call", "SlackStandIn"]
