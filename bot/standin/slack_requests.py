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
        self, body: str, *, timestamp: int | None = None, signature: str | None = None
    ) -> Reply:
        """POST a raw form body with Slack's signature headers."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        verifier = SignatureVerifier(self.signing_secret)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or verifier.generate_signature(timestamp=ts, body=body),
            **self.extra_headers,
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
                "text": text,
                "api_app_id": "A0GATEBOT",
                "response_url": self.response_url,
                "trigger_id": f"trigger.{next(_trigger_ids)}",
            }
        )

    def command(self, command: str, text: str = "") -> Reply:
        """Send a slash command."""
        return self.post(self.command_body(command, text))

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

    def submit_view(
        self, view: dict[str, Any], values: dict[str, dict[str, dict[str, Any]]]
    ) -> Reply:
        """Submit a modal that the app opened, with the given state values."""
        return self._payload(
            {
                "type": "view_submission",
                **self._who(),
                "view": {
                    "id": view.get("id", "V0MODAL"),
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


def picked_conversation(channel_id: str) -> dict[str, Any]:
    """Return a conversations_select's submitted state."""
    return {"type": "conversations_select", "selected_conversation": channel_id}


def picked_date(day: str) -> dict[str, Any]:
    """Return a datepicker's submitted state, e.g. picked_date("2026-11-16")."""
    return {"type": "datepicker", "selected_date": day}


def picked_time(at: str) -> dict[str, Any]:
    """Return a timepicker's submitted state, e.g. picked_time("09:30")."""
    return {"type": "timepicker", "selected_time": at}
