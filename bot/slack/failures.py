"""Slack Web API failures in words a person reads, and whether trying again later can help."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.errors import (
    SlackApiError,
    SlackClientError,
    SlackObjectFormationError,
    SlackRequestError,
)
from slack_sdk.web import SlackResponse

# Slack's own word for "try later"; everything else ok:false is a refusal that will repeat.
_TRANSIENT = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)

_WORDS = {
    "channel_not_found": "the channel was not found (deleted, or private without gatebot in it)",
    "not_in_channel": "gatebot is not in the channel: invite it with /invite @gatebot",
    "is_archived": "the channel is archived: unarchive it or run /gate setup with another channel",
    "restricted_action": "only some members may post in the channel: let gatebot post there",
    "invalid_auth": "gatebot's Slack token is not accepted: reinstall the app",
    "token_revoked": "gatebot's Slack token was revoked: reinstall the app",
    "account_inactive": "gatebot's Slack token was revoked: reinstall the app",
    "missing_scope": "gatebot lacks a Slack permission it needs: reinstall the app",
    "ratelimited": "Slack is rate-limiting gatebot; it will try again",
}


class SlackFailure(Exception):
    """A Slack call that did not go through: its error code, the words for it, and if transient."""

    def __init__(self, *, code: str, message: str, transient: bool) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.transient = transient


_AWAY = "Slack had a problem on its side; gatebot will try again"


def describe(code: str) -> str:
    """Return what Slack's error `code` means for the team, ending with the code itself."""
    away = code in _TRANSIENT or code.startswith("http_5")
    words = _WORDS.get(code, _AWAY if away else "Slack refused the message")
    return f"{words} ({code})"


def call_slack(call: Callable[[], SlackResponse]) -> SlackResponse:
    """Run one Web API call; raise SlackFailure instead of slack_sdk's or the network's errors."""
    try:
        return call()
    except SlackApiError as error:
        status = error.response.status_code
        code = str(error.response.get("error") or f"http_{status}")
        transient = code in _TRANSIENT or status == 429 or status >= 500
        raise SlackFailure(code=code, message=describe(code), transient=transient) from error
    except (SlackRequestError, SlackObjectFormationError) as error:
        # Our request was malformed: a bug that trying again repeats, not Slack being away.
        message = f"gatebot built a request Slack cannot take ({type(error).__name__})"
        raise SlackFailure(code="bad_request", message=message, transient=False) from error
    except (SlackClientError, OSError) as error:  # the retry handlers already tried again
        message = f"Slack could not be reached ({type(error).__name__}); it will try again"
        raise SlackFailure(code="unreachable", message=message, transient=True) from error
