"""Requests Slack did not sign, in every shape: 401, nothing sent anywhere, nothing stored.

Each forgery goes over real HTTP to the real WSGI app. Its body names a response_url on a
local catch-all server and a real user and channel, so any reply the app attempted, through
response_url or the Web API, would show up in the catch-all or the Slack stand-in.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import pytest
from slack_bolt import BoltRequest
from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel

from bot.slack.verification import signature_of
from tests.fakes.catch_all import CatchAll
from tests.live_app import SIGNING_SECRET, LiveApp
from tests.log_capture import captured_logs

MARKER = "FORGED-7f3a"  # in every forged body; must never reach a log line


def _bodies(response_url: str) -> dict[str, tuple[bytes, str]]:
    """Return a forged body of each kind Slack sends, with its content type."""
    who = {"user": {"id": "U0PM"}, "team": {"id": "T0GATEBOT"}, "api_app_id": "A0GATEBOT"}
    command = {
        "team_id": "T0GATEBOT",
        "channel_id": "C0TEAM",
        "user_id": "U0PM",
        "command": "/gate",
        "text": f"now {MARKER}",
        "response_url": response_url,
        "trigger_id": "trigger.1",
    }
    click = {
        "type": "block_actions",
        **who,
        "channel": {"id": "C0TEAM"},
        "response_url": response_url,
        "actions": [{"action_id": MARKER, "block_id": "b", "value": "1", "type": "button"}],
    }
    submission = {
        "type": "view_submission",
        **who,
        "view": {"id": "V1", "callback_id": MARKER, "state": {"values": {}}},
    }
    event = {
        "type": "event_callback",
        "team_id": "T0GATEBOT",
        "event_id": "Ev0FORGED01",
        "event": {"type": "app_home_opened", "user": "U0PM", "tab": "home", "text": MARKER},
    }
    form = "application/x-www-form-urlencoded"
    return {
        "command": (urlencode(command).encode(), form),
        "click": (urlencode({"payload": json.dumps(click)}).encode(), form),
        "submission": (urlencode({"payload": json.dumps(submission)}).encode(), form),
        "event": (json.dumps(event).encode(), "application/json"),
    }


def _signed(body: bytes, timestamp: str, *, secret: str = SIGNING_SECRET) -> str:
    return signature_of(secret=secret, timestamp=timestamp, body=body)


def _now() -> str:
    return str(int(time.time()))


Forgery = Callable[[bytes], tuple[bytes, dict[str, str]]]


def _signed_at(timestamp: str) -> Forgery:
    """Return the forgery sending `timestamp`, the body signed over it as Slack would."""
    return lambda b: (
        b,
        {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": _signed(b, timestamp)},
    )


ODD_TIMESTAMPS = ["abc", "", "1e3", " 12", "12 ", "-1", "0x10", "1.0"]
# Each forgery: (body as sent, the headers) from the genuine body. Timestamps that are not
# plain digits are signed over all the same: only their form can be what refuses them.
FORGERIES: dict[str, Forgery] = {
    "no headers": lambda b: (b, {}),
    "no signature": lambda b: (b, {"X-Slack-Request-Timestamp": _now()}),
    "no timestamp": lambda b: (b, {"X-Slack-Signature": _signed(b, _now())}),
    **{f"timestamp {odd!r}": _signed_at(odd) for odd in ODD_TIMESTAMPS},
    "timestamp '+now'": lambda b: _signed_at("+" + _now())(b),
    "six minutes old": lambda b: _signed_at(str(int(time.time()) - 360))(b),
    "six minutes ahead": lambda b: _signed_at(str(int(time.time()) + 360))(b),
    "zero signature": lambda b: (
        b,
        {"X-Slack-Request-Timestamp": _now(), "X-Slack-Signature": "v0=" + "0" * 64},
    ),
    "garbage signature": lambda b: (
        b,
        {"X-Slack-Request-Timestamp": _now(), "X-Slack-Signature": "v0=garbage"},
    ),
    "v1 signature": lambda b: (
        b,
        {
            "X-Slack-Request-Timestamp": _now(),
            "X-Slack-Signature": _signed(b, _now()).replace("v0=", "v1="),
        },
    ),
    "upper-case signature": lambda b: (
        b,
        {"X-Slack-Request-Timestamp": _now(), "X-Slack-Signature": _signed(b, _now()).upper()},
    ),
    "another secret": lambda b: (
        b,
        {"X-Slack-Request-Timestamp": _now(), "X-Slack-Signature": _signed(b, _now(), secret="x")},
    ),
    "altered body": lambda b: (
        b + b"&user_id=U0EVIL",
        {"X-Slack-Request-Timestamp": _now(), "X-Slack-Signature": _signed(b, _now())},
    ),
    "truncated body": lambda b: (
        b[:-3],
        {"X-Slack-Request-Timestamp": _now(), "X-Slack-Signature": _signed(b, _now())},
    ),
}


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST exactly these headers (odd values included) with http.client."""
    target = urlsplit(url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    try:
        connection.putrequest("POST", target.path)
        for name, value in headers.items():
            connection.putheader(name, value.encode("latin-1"))
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def row_counts(engine: Engine) -> dict[str, int]:
    """Return how many rows every table holds."""
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_a_forged_request_of_any_kind_is_refused_and_nothing_happens(
    start_app: Callable[..., LiveApp], catch_all: CatchAll, forgery: str
):
    with captured_logs() as logs:
        live = start_app()
        before = row_counts(live.engine)
        started = live.slack.calls()  # Bolt's auth.test as it starts

        for kind, (genuine, content_type) in _bodies(f"{catch_all.url}/forged").items():
            body, headers = FORGERIES[forgery](genuine)
            status, answer = _post(
                f"{live.url}/slack/events", body, {**headers, "Content-Type": content_type}
            )
            assert status == 401, (kind, status, answer)
        live.drain()

    assert live.slack.calls() == started
    assert catch_all.caught == []
    assert row_counts(live.engine) == before
    assert MARKER not in logs.text
    assert "refused an unverified Slack request" in logs.text


def test_a_genuine_request_with_the_same_body_is_answered(live_app: LiveApp, catch_all: CatchAll):
    body, content_type = _bodies(f"{catch_all.url}/genuine")["command"]
    timestamp = _now()
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": _signed(body, timestamp),
    }

    status, _ = _post(f"{live_app.url}/slack/events", body, headers)
    live_app.drain()

    assert status == 200


def test_the_error_handler_never_replies_to_a_request_nobody_verified(
    live_app: LiveApp, catch_all: CatchAll
):
    # Straight to Bolt, past the web layer: Bolt's own verifier raises on this timestamp,
    # and the error handler is then all that stands between the forger and a reply.
    body, _ = _bodies(f"{catch_all.url}/forged")["command"]
    started = live_app.slack.calls()
    headers = {"x-slack-request-timestamp": "abc", "x-slack-signature": "v0=" + "0" * 64}

    live_app.bolt.dispatch(BoltRequest(body=body.decode(), headers=headers))
    live_app.drain()

    assert catch_all.caught == []
    assert live_app.slack.calls() == started
