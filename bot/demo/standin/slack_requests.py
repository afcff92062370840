"""Signed requests as Slack sends them: slash commands, button clicks, modal submissions.

Drives the real app over real HTTP (tests, `gatebot demo`, benchmarks) with the same
signing algorithm Slack uses, so signature checks are exercised, never bypassed.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

_trigger_ids = itertools.count(1)
_event_ids = itertools.count(1)


@dataclass(frozen=True)
class Reply:
    """What the app answered over HTTP, and how long it took."""

    status: int
    body: str
    seconds: float

    def json(self) -> Any:
        """Return the body parsed as JSON (empty body → None)."""
        return json.loads(self.body) if self.body else None


@dataclass
class SlackSender:
    """Sends signed requests to the app's /slack/events as a given user in a given channel."""

    events_url: str
    signing_secret: str
    team_id: str = "T0GATEBOT"
    user_id: str = "U0PM"
    channel_id: str = "C0TEAM"
    response_url: str = "http://127.0.0.1:9/response"
    extra_headers: dict[str, str] = field(default_factory=dict)

    def post(
        self,
        body: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """POST a raw body with Slack's signature headers (form-encoded unless told otherwise)."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        verifier = SignatureVerifier(self.signing_secret)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature
            or verifier.generate_signature(timestamp=ts, body=body)
            or "",
            **self.extra_headers,
            **(headers or {}),
        }
        request = urllib.request.Request(  # noqa: S310 (the app's own local URL)
            self.events_url, data=body.encode(), headers=headers, method="POST"
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local URL)
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        return Reply(status=status, body=text, seconds=time.perf_counter() - started)

    def command_body(self, command: str, text: str = "") -> str:
        """Return the form body Slack sends for a slash command."""
        return urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": self.team_id,
                "team_domain": "gatebot-demo",
                "channel_id": self.channel_id,
                "channel_name": "ai-team",
                "user_id": self.user_id,
                "user_name": self.user_id.lower(),
                "command": command,
                # Slack escapes what was typed; only its own mentions and links stay <…>.
                "text": text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
                "api_app_id": "A0GATEBOT",
                "response_url": self.response_url,
                "trigger_id": f"trigger.{next(_trigger_ids)}",
            },
            # A lone surrogate goes out as the bytes a broken or forged client would send.
            errors="surrogatepass",
        )

    def command(self, command: str, text: str = "") -> Reply:
        """Send a slash command."""
        return self.post(self.command_body(command, text))

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Reply:
        """Send an Events API callback wrapping `event`, as Slack does (JSON, signed).

        `retry_num` adds Slack's X-Slack-Retry-Num / X-Slack-Retry-Reason headers, which
        Slack sets when it re-sends an event it thinks was not acknowledged.
        """
        body = json.dumps(
            {
                "token": "legacy-verification-token",
                "team_id": self.team_id,
                "api_app_id": "A0GATEBOT",
                "event": {"event_ts": f"{time.time():.6f}", **event},
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(_event_ids):010d}",
                "event_time": int(time.time()),
                "authorizations": [{"team_id": self.team_id, "user_id": "UBOT", "is_bot": True}],
            }
        )
        retry: dict[str, str] = {}
        if retry_num is not None:
            retry = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.post(body, content_type="application/json", headers=retry)

    def _payload(self, payload: dict[str, Any]) -> Reply:
        return self.post(urlencode({"payload": json.dumps(payload)}))

    def _who(self) -> dict[str, Any]:
        return {
            "user": {"id": self.user_id, "username": self.user_id.lower(), "team_id": self.team_id},
            "team": {"id": self.team_id, "domain": "gatebot-demo"},
            "api_app_id": "A0GATEBOT",
            "token": "legacy-verification-token",
            "trigger_id": f"trigger.{next(_trigger_ids)}",
        }

    def click(
        self,
        action_id: str,
        value: str,
        *,
        block_id: str = "actions",
        message_ts: str | None = None,
    ) -> Reply:
        """Send a button click from an ephemeral message, or from the channel's `message_ts`."""
        container: dict[str, Any] = {
            "type": "message",
            "is_ephemeral": message_ts is None,
            "channel_id": self.channel_id,
        }
        message: dict[str, Any] = {}
        if message_ts is not None:
            container["message_ts"] = message_ts
            message = {"message": {"type": "message", "ts": message_ts}}
        return self._payload(
            {
                "type": "block_actions",
                **self._who(),
                "container": container,
                **message,
                "channel": {"id": self.channel_id, "name": "ai-team"},
                "response_url": self.response_url,
                "actions": [
                    {
                        "type": "button",
                        "action_id": action_id,
                        "block_id": block_id,
                        "value": value,
                        "action_ts": f"{time.time():.6f}",
                    }
                ],
            }
        )

    def click_in_view(
        self, action_id: str, value: str, *, view: dict[str, Any], view_id: str = "V0HOME"
    ) -> Reply:
        """Send a button click from a view (the Home tab, an open modal): no channel, no
        response_url, as Slack sends it."""
        return self._view_action({"type": "button", "value": value}, action_id, view, view_id)

    def pick_in_view(
        self, action_id: str, channel_id: str, *, view: dict[str, Any], view_id: str = "V0MODAL"
    ) -> Reply:
        """Send a conversations_select choice made in a view."""
        action = {"type": "conversations_select", "selected_conversation": channel_id}
        return self._view_action(action, action_id, view, view_id)

    def _view_action(
        self, action: dict[str, Any], action_id: str, view: dict[str, Any], view_id: str
    ) -> Reply:
        block_id = next(
            (
                str(block.get("block_id", "home"))
                for block in view.get("blocks", [])
                for element in [*block.get("elements", []), block.get("accessory") or {}]
                if element.get("action_id") == action_id
            ),
            "home",
        )
        shown = {"id": view_id, "hash": f"{time.time():.0f}.home", **view}
        return self._payload(
            {
                "type": "block_actions",
                **self._who(),
                "container": {"type": "view", "view_id": shown["id"]},
                "view": shown,
                "actions": [
                    {
                        **action,
                        "action_id": action_id,
                        "block_id": block_id,
                        "action_ts": f"{time.time():.6f}",
                    }
                ],
            }
        )

    def submit_view(
        self, view: dict[str, Any], values: dict[str, dict[str, dict[str, Any]]]
    ) -> Reply:
        """Submit a modal that the app opened, with the given state values."""
        return self._payload(
            {
                "type": "view_submission",
                **self._who(),
                "view": {
                    # Slack gives every modal it opens its own id; a resubmission carries it again.
                    "id": view.get("id") or f"V0MODAL{next(_trigger_ids)}",
                    "type": "modal",
                    "callback_id": view["callback_id"],
                    "private_metadata": view.get("private_metadata", ""),
                    "blocks": view.get("blocks", []),
                    "state": {"values": values},
                },
            }
        )


def text_input(value: str) -> dict[str, Any]:
    """Return a plain_text_input's submitted state."""
    return {"type": "plain_text_input", "value": value}


def selected(value: str) -> dict[str, Any]:
    """Return a static_select's submitted state."""
    return {"type": "static_select", "selected_option": {"value": value}}


def number(value: str) -> dict[str, Any]:
    """Return a number_input's submitted state."""
    return {"type": "number_input", "value": value}


def picked_user(user_id: str | None) -> dict[str, Any]:
    """Return a users_select's submitted state."""
    return {"type": "users_select", "selected_user": user_id}


def picked_users(user_ids: list[str]) -> dict[str, Any]:
    """Return a multi_users_select's submitted state."""
    return {"type": "multi_users_select", "selected_users": list(user_ids)}


def ticked(values: list[str]) -> dict[str, Any]:
    """Return a checkboxes input's submitted state: the values ticked."""
    options = [{"text": {"type": "plain_text", "text": v}, "value": v} for v in values]
    return {"type": "checkboxes", "selected_options": options}


def picked_conversation(channel_id: str) -> dict[str, Any]:
    """Return a conversations_select's submitted state."""
    return {"type": "conversations_select", "selected_conversation": channel_id}


def picked_date(day: str) -> dict[str, Any]:
    """Return a datepicker's submitted state, e.g. picked_date("2026-11-16")."""
    return {"type": "datepicker", "selected_date": day}


def picked_time(at: str) -> dict[str, Any]:
    """Return a timepicker's submitted state, e.g. picked_time("09:30")."""
    return {"type": "timepicker", "selected_time": at}
