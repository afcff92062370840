"""A message to the app in its DM is answered with the help; bots and channels are not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.settings import DEFAULT_SLACK_SCOPES
from tests.live_app import LiveApp

PM = "U0PM"
ROOT = Path(__file__).parents[2]


def _dm(**fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": "D0PM",
        "channel_type": "im",
        "user": PM,
        "text": "hello? how do I use you",
        "ts": "1700000000.000100",
        **fields,
    }


def test_a_person_writing_to_the_app_gets_the_help_in_the_same_dm(live_app: LiveApp):
    reply = live_app.sender.event(_dm())
    live_app.drain()

    assert reply.status == 200 and reply.seconds < 3
    [post] = live_app.slack.calls("chat.postMessage")
    assert post.args["channel"] == "D0PM"
    assert "I'm *gatebot*" in post.args["text"]
    for command in ("/hypothesis", "/gate setup", "/metric define", "/digest preview"):
        assert command in post.args["text"]


@pytest.mark.parametrize(
    "message",
    [
        _dm(user="UBOT", bot_id="B0GATEBOT"),  # gatebot's own reply coming back as an event
        _dm(user="U0OTHERBOT", bot_id="B0OTHER"),  # another app's bot
        _dm(subtype="bot_message", bot_id="B0OTHER", user=None),
        _dm(subtype="message_changed"),  # an edit of an earlier DM
        _dm(channel="C0TEAM", channel_type="channel"),  # a channel message, not a DM
    ],
    ids=["own", "other-bot", "bot-message", "edit", "channel"],
)
def test_bots_edits_and_channel_messages_get_no_answer(live_app: LiveApp, message: dict[str, Any]):
    reply = live_app.sender.event(message)
    live_app.drain()

    assert reply.status == 200
    assert live_app.slack.calls("chat.postMessage") == []


def test_the_dm_scope_is_asked_for_by_the_manifests_and_the_oauth_install():
    for name in ("manifest.yml", "manifest.socket.yml"):
        manifest = yaml.safe_load((ROOT / name).read_text())
        assert "im:history" in manifest["oauth_config"]["scopes"]["bot"], name
        assert "message.im" in manifest["settings"]["event_subscriptions"]["bot_events"], name
        assert manifest["features"]["app_home"]["messages_tab_enabled"] is True, name
    assert "im:history" in DEFAULT_SLACK_SCOPES.split(",")


def test_the_socket_manifest_is_the_http_one_without_urls():
    http = yaml.safe_load((ROOT / "manifest.yml").read_text())
    socket = yaml.safe_load((ROOT / "manifest.socket.yml").read_text())

    assert socket["settings"]["socket_mode_enabled"] is True
    assert "example.com" not in (ROOT / "manifest.socket.yml").read_text()
    assert socket["oauth_config"]["scopes"] == http["oauth_config"]["scopes"]
    assert (
        socket["settings"]["event_subscriptions"]["bot_events"]
        == (http["settings"]["event_subscriptions"]["bot_events"])
    )
    strip = [{k: v for k, v in c.items() if k != "url"} for c in http["features"]["slash_commands"]]
    assert socket["features"]["slash_commands"] == strip
