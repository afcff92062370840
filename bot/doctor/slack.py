"""Slack checks: the bot token and the app-level token, each tried once against Slack."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from bot.core.settings import DEFAULT_SLACK_API_URL, Settings
from bot.doctor.problems import Problem, first_line

# slack_sdk logs each failed call at ERROR; the check reports it once, as one line, itself.
_QUIET = logging.getLogger("bot.doctor.slack_calls")
_QUIET.setLevel(logging.CRITICAL)
_QUIET.propagate = False

# Slack's answers meaning "this token is not good", as opposed to Slack being unwell.
REJECTED = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_allowed_token_type",
    "missing_scope",
}
XOXB_HELP = (
    "copy the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page "
    "into SLACK_BOT_TOKEN"
)
XAPP_HELP = (
    "create an app-level token (xapp-…) with the connections:write scope under your app's "
    "Basic Information → App-Level Tokens, and put it in SLACK_APP_TOKEN"
)


def check_bot_token(settings: Settings) -> tuple[list[Problem], str | None]:
    """Call auth.test with SLACK_BOT_TOKEN; return the problems and, if accepted, the team."""
    token = settings.slack_bot_token
    if not token:
        return [], None
    if token.startswith("xapp-"):
        return [Problem(f"SLACK_BOT_TOKEN holds an app-level token (xapp-…): {XOXB_HELP}")], None
    client = _client(settings, token)
    try:
        answer = client.auth_test()
    except SlackApiError as error:
        return [_refused("SLACK_BOT_TOKEN", "bot token", error, XOXB_HELP, settings)], None
    except (SlackClientError, OSError) as error:
        return [_unreachable(settings, error)], None
    return [], f"{answer.get('team') or ''} ({answer.get('team_id')})".strip()


def check_app_token(settings: Settings) -> list[Problem]:
    """Ask Slack for a Socket Mode URL with SLACK_APP_TOKEN, as `gatebot socket` will."""
    token = settings.slack_app_token
    if not token:
        return []
    if not token.startswith("xapp-"):
        return [Problem(f"SLACK_APP_TOKEN is not an app-level token (xapp-…): {XAPP_HELP}")]
    client = _client(settings, token)
    try:
        client.apps_connections_open(app_token=token)
    except SlackApiError as error:
        return [_refused("SLACK_APP_TOKEN", "app-level token", error, XAPP_HELP, settings)]
    except (SlackClientError, OSError) as error:
        return [_unreachable(settings, error)]
    return []


def _client(settings: Settings, token: str) -> WebClient:
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=10,
        logger=_QUIET,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )


def _refused(
    variable: str, what: str, error: SlackApiError, fix: str, settings: Settings
) -> Problem:
    reason = str(error.response.get("error") or error.response.status_code)
    if reason in REJECTED:
        return Problem(f"{variable} was rejected by Slack ({reason}): {fix}", error)
    # Slack answered but not about the token (a 5xx, an outage): nothing to change here.
    return Problem(
        f"Slack could not check the {what} in {variable} ({reason}) at {settings.slack_api_url}: "
        "try again in a minute (status.slack.com)",
        error,
    )


def _unreachable(settings: Settings, error: BaseException) -> Problem:
    hint = (
        "check the network"
        if settings.slack_api_url == DEFAULT_SLACK_API_URL
        else f"fix SLACK_API_URL or unset it to use {DEFAULT_SLACK_API_URL}"
    )
    return Problem(
        f"SLACK_API_URL: cannot reach Slack at {settings.slack_api_url} "
        f"({first_line(error)}): {hint}",
        error,
    )
