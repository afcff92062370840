"""The Slack stand-in, driven by the real slack_sdk clients the bot uses."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.demo.standin import SlackStandIn

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Gate 2* is due"}}]


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    with SlackStandIn(team_id="T123", bot_user_id="U0BOT") as server:
        yield server


@pytest.fixture
def client(stand_in: SlackStandIn) -> WebClient:
    return WebClient(base_url=stand_in.api_url, token="xoxb-test")


def test_post_message_records_blocks_and_answers_like_slack(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    first = client.chat_postMessage(channel="C1", text="Gate 2 is due", blocks=BLOCKS)
    reply = client.chat_postMessage(channel="C1", text="in thread", thread_ts=first["ts"])

    assert first["channel"] == "C1"
    assert first["message"]["blocks"] == BLOCKS
    assert first["message"]["ts"] == first["ts"]
    assert reply["message"]["thread_ts"] == first["ts"]
    assert float(reply["ts"]) > float(first["ts"])
    [call, _] = stand_in.calls("chat.postMessage")
    assert call.args == {"channel": "C1", "text": "Gate 2 is due", "blocks": BLOCKS}
    assert call.headers["Authorization"] == "Bearer xoxb-test"
    assert call.token == "xoxb-test"


def test_form_encoded_json_arguments_are_decoded(stand_in: SlackStandIn, client: WebClient) -> None:
    client.api_call(
        "chat.update", params={"channel": "C1", "ts": "1.2", "blocks": json.dumps(BLOCKS)}
    )

    [call] = stand_in.calls("chat.update")
    assert call.args["blocks"] == BLOCKS
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"


def test_views_open_returns_the_view_with_an_id_and_update_keeps_it(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    view = {
        "type": "modal",
        "callback_id": "hypothesis",
        "title": {"type": "plain_text", "text": "New hypothesis"},
        "blocks": BLOCKS,
    }

    opened = client.views_open(trigger_id="trig-1", view=view)["view"]
    updated = client.views_update(view_id=opened["id"], view=view)["view"]

    assert opened["id"].startswith("V")
    assert opened["hash"]
    assert opened["callback_id"] == "hypothesis"
    assert opened["blocks"] == BLOCKS
    assert updated["id"] == opened["id"]
    [call] = stand_in.calls("views.open")
    assert call.args == {"trigger_id": "trig-1", "view": view}


def test_users_info_returns_the_set_time_zone_and_utc_for_strangers(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    stand_in.set_user("U1", tz="America/New_York", name="ada", real_name="Ada Lovelace")

    ada = client.users_info(user="U1")["user"]
    stranger = client.users_info(user="U2")["user"]

    assert (ada["id"], ada["name"], ada["real_name"]) == ("U1", "ada", "Ada Lovelace")
    assert ada["tz"] == "America/New_York"
    assert ada["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert ada["tz_label"] in ("Eastern Standard Time", "Eastern Daylight Time")
    assert (stranger["tz"], stranger["tz_offset"]) == ("UTC", 0)


def test_a_status_is_in_the_profile_as_slack_returns_it(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    stand_in.set_user("U1", name="ada", real_name="Ada Lovelace")
    stand_in.set_status("U1", text="Vacationing", emoji=":palm_tree:", expiration=1767225600)
    stand_in.set_user("U1", tz="Europe/London", name="ada")  # a later set_user keeps it

    profile = client.users_info(user="U1")["user"]["profile"]
    same = client.users_profile_get(user="U1")["profile"]
    stranger = client.users_info(user="U2")["user"]["profile"]

    assert (profile["status_text"], profile["status_emoji"], profile["status_expiration"]) == (
        "Vacationing",
        ":palm_tree:",
        1767225600,
    )
    assert same == profile
    # Slack sends the three fields for everyone; an unset status is empty, not missing.
    assert (stranger["status_text"], stranger["status_emoji"], stranger["status_expiration"]) == (
        "",
        "",
        0,
    )


def test_files_upload_v2_stores_the_bytes_and_posts_into_the_thread(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    content = b"week,conversion\n1,0.12\n"

    response = client.files_upload_v2(
        content=content, filename="metrics.csv", title="Metrics", channel="C1", thread_ts="1.5"
    )

    file_id = response["file"]["id"]
    assert stand_in.uploaded_files() == {file_id: content}
    [upload] = stand_in.calls("file.upload")
    assert upload.args == {"file_id": file_id, "size": len(content)}
    [complete] = stand_in.calls("files.completeUploadExternal")
    assert complete.args["channel_id"] == "C1"
    assert complete.args["thread_ts"] == "1.5"
    assert complete.args["files"] == [{"id": file_id, "title": "Metrics"}]
    assert [c.method for c in stand_in.calls()] == [
        "files.getUploadURLExternal",
        "file.upload",
        "files.completeUploadExternal",
    ]


def test_fail_makes_the_client_raise_the_slack_error(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    stand_in.fail("chat.postMessage", "not_in_channel", times=1)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="hi")

    assert raised.value.response["error"] == "not_in_channel"
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]


def test_fail_without_times_keeps_failing(stand_in: SlackStandIn, client: WebClient) -> None:
    stand_in.fail("conversations.join")

    for _ in range(3):
        with pytest.raises(SlackApiError, match="channel_not_found"):
            client.conversations_join(channel="C1")


def test_rate_limit_is_retried_by_the_sdk_retry_handler(stand_in: SlackStandIn) -> None:
    stand_in.rate_limit("chat.postMessage", retry_after=0)
    client = WebClient(
        base_url=stand_in.api_url,
        token="xoxb-test",
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )

    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert len(stand_in.calls("chat.postMessage")) == 2


def test_rate_limit_without_a_retry_handler_raises_429(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    stand_in.rate_limit("chat.postMessage", retry_after=7)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="hi")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert raised.value.response["error"] == "ratelimited"


def test_server_error_answers_with_the_status(stand_in: SlackStandIn, client: WebClient) -> None:
    stand_in.server_error("views.publish", status=503)

    with pytest.raises(SlackApiError) as raised:
        client.views_publish(user_id="U1", view={"type": "home", "blocks": []})

    assert raised.value.response.status_code == 503
    assert client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["ok"]


def test_response_url_accepts_a_webhook_post(stand_in: SlackStandIn) -> None:
    webhook = WebhookClient(stand_in.response_url("gate-42"))

    response = webhook.send(text="Recorded.", response_type="ephemeral", replace_original=True)

    assert response.status_code == 200
    [call] = stand_in.calls("response_url")
    assert call.key == "gate-42"
    assert call.args == {
        "text": "Recorded.",
        "response_type": "ephemeral",
        "replace_original": True,
    }


def test_wait_for_returns_once_a_late_call_arrives(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    poster = threading.Thread(
        target=lambda: (time.sleep(0.1), client.chat_postMessage(channel="C1", text="late"))
    )
    poster.start()
    try:
        [call] = stand_in.wait_for("chat.postMessage", timeout=5)
    finally:
        poster.join()

    assert call.args["text"] == "late"


def test_wait_for_times_out_naming_what_did_arrive(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    client.chat_postMessage(channel="C1", text="one")
    client.reactions_add(channel="C1", timestamp="1.1", name="eyes")

    with pytest.raises(AssertionError) as raised:
        stand_in.wait_for("chat.postMessage", count=2, timeout=0.2)

    assert str(raised.value) == (
        "waited 0.2s for 2 chat.postMessage call(s), got 1; "
        "arrived: chat.postMessage, reactions.add"
    )


def test_latency_delays_every_answer(stand_in: SlackStandIn, client: WebClient) -> None:
    stand_in.latency = 0.2

    started = time.monotonic()
    client.conversations_info(channel="C1")

    assert time.monotonic() - started >= 0.2


def test_workspace_methods_answer_like_slack(stand_in: SlackStandIn, client: WebClient) -> None:
    auth = client.auth_test()
    channel = client.conversations_info(channel="C9")["channel"]
    oauth = client.oauth_v2_access(client_id="1.2", client_secret="s", code="c")

    assert (auth["team_id"], auth["user_id"], auth["bot_id"]) == ("T123", "U0BOT", "B0GATEBOT")
    assert auth["is_enterprise_install"] is False
    assert (channel["id"], channel["is_member"], channel["is_archived"]) == ("C9", True, False)
    assert oauth["access_token"].startswith("xoxb-")
    assert oauth["team"]["id"] == "T123"
    assert oauth["bot_user_id"] == "U0BOT"
    assert client.api_call("apps.uninstall")["ok"]
    assert client.api_call("some.futureMethod").data == {"ok": True}


def test_clear_forgets_calls_uploads_and_faults(stand_in: SlackStandIn, client: WebClient) -> None:
    stand_in.fail("chat.postMessage")
    client.files_upload_v2(content=b"x", filename="x.txt", channel="C1")

    stand_in.clear()

    assert stand_in.calls() == []
    assert stand_in.uploaded_files() == {}
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]


def test_unknown_paths_are_404(stand_in: SlackStandIn) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{stand_in.url}/nowhere", timeout=5)  # noqa: S310 (our own server)

    with raised.value:
        assert raised.value.code == 404
    assert stand_in.calls() == []


def test_stop_frees_the_port_and_can_be_called_twice() -> None:
    stand_in = SlackStandIn().start()
    api_url = stand_in.api_url

    stand_in.stop()
    stand_in.stop()

    with pytest.raises(urllib.error.URLError):
        WebClient(base_url=api_url, timeout=1, retry_handlers=[]).auth_test()
    with pytest.raises(RuntimeError, match="not running"):
        _ = stand_in.api_url


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@pytest.mark.parametrize(
    ("blocks", "error"),
    [
        ([_section("x" * 2500)] * 5, "msg_blocks_too_long"),  # 12,500 characters in all
        ([_section("ok")] * 51, "invalid_blocks"),
        ([_section("x" * 3001)], "invalid_blocks"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "invalid_blocks"),
        ([{"type": "no_such_block"}], "invalid_blocks"),
    ],
)
def test_messages_past_slacks_limits_are_refused_as_slack_refuses_them(
    stand_in: SlackStandIn, client: WebClient, blocks: list, error: str
) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="too much", blocks=blocks)

    assert raised.value.response["error"] == error
    assert client.chat_postMessage(channel="C1", text="fine", blocks=[_section("x" * 2500)] * 4)


def test_a_modal_past_slacks_limits_is_refused(stand_in: SlackStandIn, client: WebClient) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "t" * 30}, "blocks": BLOCKS}

    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id="1.2", view=view)

    assert raised.value.response["error"] == "invalid_arguments"  # a title has 24 at most
