"""The pages an installer sees at the end of the OAuth flow: installed, or why not.

Bolt's own pages say "Oops, Something Went Wrong!" with a code; these say what happened and
what to do next. Team names come from Slack but are still escaped: they are user-chosen.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from html import escape

from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.response import BoltResponse
from slack_sdk.oauth import OAuthStateUtils

from bot.install.stores import TokenRotationRefused

logger = logging.getLogger(__name__)

_START_AGAIN = 'Start again from the <a href="{install}">install page</a>.'

# Bolt's failure reasons (and Slack's `error` for a cancelled install), in words.
_WHY = {
    "access_denied": "The install was cancelled in Slack, so nothing was changed.",
    "invalid_browser": (
        "This page was opened without the cookie the install started with: another browser, "
        "blocked cookies, or an install that took too long. " + _START_AGAIN
    ),
    "invalid_state": ("This install link has expired or was already used. " + _START_AGAIN),
    "missing_code": "Slack sent no install code with this page. " + _START_AGAIN,
    "invalid_code": (
        "Slack did not accept the install code (codes work once and expire quickly). "
        + _START_AGAIN
    ),
    "token_rotation": (
        "This Slack app has token rotation turned on, and gatebot works only with tokens "
        "that do not expire, so nothing was installed. Whoever runs gatebot should create "
        "the Slack app from gatebot's manifest.yml (rotation off) and share its install page."
    ),
    "storage_error": (
        "gatebot could not save the installation. Try again in a minute; if it keeps failing, "
        "tell whoever runs gatebot."
    ),
}


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;"
        "padding:0 1em;line-height:1.5}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def _headers(state_utils: OAuthStateUtils) -> dict[str, str | Sequence[str]]:
    # The state cookie has done its job either way: delete it.
    return {
        "Content-Type": ["text/html; charset=utf-8"],
        "Set-Cookie": [state_utils.build_set_cookie_for_deletion()],
    }


def success_page(args: SuccessArgs) -> BoltResponse:
    """Say gatebot is installed in the team, and how to start."""
    installation = args.installation
    team = escape(installation.team_name or installation.team_id or "your workspace")
    team_id = escape(installation.team_id or "", quote=True)
    logger.info("gatebot installed in team %s", installation.team_id)
    body = (
        f"<p>gatebot is now in <strong>{team}</strong>.</p>"
        "<p>Invite it to a channel with <code>/invite @gatebot</code>, then try "
        "<code>/hypothesis help</code> or <code>/gate setup</code>.</p>"
        f'<p><a href="slack://open?team={team_id}">Open Slack</a></p>'
    )
    return BoltResponse(
        status=200,
        body=_page("gatebot is installed", body),
        headers=_headers(args.settings.state_utils),
    )


def failure_page(args: FailureArgs) -> BoltResponse:
    """Say why the install did not complete, and what to do, with the reason for support."""
    reason, status = args.reason, args.suggested_status_code
    if isinstance(args.error, TokenRotationRefused):  # the app's setting, not our storage
        reason, status = "token_rotation", 400
    install = escape(args.settings.install_path, quote=True)
    why = _WHY.get(reason, "The install did not complete. " + _START_AGAIN).format(install=install)
    logger.warning("an install did not complete: %s", reason)
    body = f"<p>{why}</p><p><small>Reason: <code>{escape(reason)}</code></small></p>"
    return BoltResponse(
        status=status,
        body=_page("gatebot was not installed", body),
        headers=_headers(args.settings.state_utils),
    )


CALLBACKS = CallbackOptions(success=success_page, failure=failure_page)
