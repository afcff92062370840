"""The stand-in keeps what was posted and reads it back as Slack's history methods do."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.demo.standin import SlackStandIn

MARK = {"event_type": "gatebot_post", "event_payload": {"key": "review:1"}}


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    with SlackStandIn(team_id="T123", bot_user_id="U0BOT") as server:
        yield server


@pytest.fixture
def client(stand_in: SlackStandIn) -> WebClient:
    return WebClient(base_url=stand_in.api_url, token="xoxb-test", timeout=2)


def test_history_lists_top_level_posts_newest_first_with_metadata_when_asked(
    client: WebClient,
) -> None:
    first = client.chat_postMessage(channel="C1", text="prompt", metadata=MARK)
    client.chat_postMessage(channel="C1", text="a reply", thread_ts=first["ts"])
    second = client.chat_postMessage(channel="C1", text="digest")
    client.chat_postMessage(channel="C2", text="elsewhere")

    plain = client.conversations_history(channel="C1")
    full = client.conversations_history(channel="C1", include_all_metadata=True)

    assert [m["text"] for m in plain["messages"]] == ["digest", "prompt"]
    assert "metadata" not in plain["messages"][1]
    assert full["messages"][1]["metadata"] == MARK
    assert full["messages"][0]["ts"] == second["ts"]


def test_replies_are_the_thread_oldest_first_and_pages_follow_the_cursor(
    client: WebClient,
) -> None:
    parent = client.chat_postMessage(channel="C1", text="prompt")["ts"]
    for n in range(5):
        client.chat_postMessage(channel="C1", text=f"answer {n}", thread_ts=parent)

    first = client.conversations_replies(channel="C1", ts=parent, limit=4)
    rest = client.conversations_replies(
        channel="C1", ts=parent, limit=4, cursor=first["response_metadata"]["next_cursor"]
    )

    assert [m["text"] for m in first["messages"]] == ["prompt", "answer 0", "answer 1", "answer 2"]
    assert first["has_more"] is True
    assert [m["text"] for m in rest["messages"]] == ["answer 3", "answer 4"]
    assert rest["response_metadata"]["next_cursor"] == ""


def test_oldest_bounds_the_history_and_a_dm_reads_back_under_the_dm_id(
    client: WebClient, stand_in: SlackStandIn
) -> None:
    early = client.chat_postMessage(channel="C1", text="early")["ts"]
    client.chat_postMessage(channel="C1", text="late")
    client.chat_postMessage(channel="U0PM", text="direct")

    later = client.conversations_history(channel="C1", oldest=early)
    dm = client.conversations_open(users="U0PM")["channel"]["id"]

    assert [m["text"] for m in later["messages"]] == ["late"]
    assert [m["text"] for m in client.conversations_history(channel=dm)["messages"]] == ["direct"]
    assert [m["text"] for m in stand_in.messages("U0PM")] == ["direct"]


def test_update_and_delete_change_what_the_channel_shows(
    client: WebClient, stand_in: SlackStandIn
) -> None:
    ts = client.chat_postMessage(channel="C1", text="summary v1")["ts"]
    gone = client.chat_postMessage(channel="C1", text="oops")["ts"]

    client.chat_update(channel="C1", ts=ts, text="summary v2")
    client.chat_delete(channel="C1", ts=gone)

    assert [m["text"] for m in stand_in.messages("C1")] == ["summary v2"]


def test_slow_answers_late_but_the_post_is_already_in_the_channel(
    stand_in: SlackStandIn,
) -> None:
    impatient = WebClient(base_url=stand_in.api_url, token="xoxb-test", timeout=0.3)
    stand_in.slow("chat.postMessage", seconds=1.0)

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        impatient.chat_postMessage(channel="C1", text="digest")
    timed_out_after = time.monotonic() - started

    assert timed_out_after < 0.9
    assert [m["text"] for m in stand_in.messages("C1")] == ["digest"]
    # Only `times` answers are slow: the next one is prompt.
    assert impatient.chat_postMessage(channel="C1", text="next")["ok"] is True
