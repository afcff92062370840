"""post_once: every post carries its key, and a retry finds an earlier post before posting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient

from bot.demo.standin import SlackStandIn
from bot.slack.failures import SlackFailure
from bot.slack.posting import key_of, post_once


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    with SlackStandIn(team_id="T123", bot_user_id="U0BOT") as server:
        yield server


@pytest.fixture
def client(stand_in: SlackStandIn) -> WebClient:
    return WebClient(base_url=stand_in.api_url, token="xoxb-test", timeout=0.5)


def _texts(stand_in: SlackStandIn, channel: str) -> list[str]:
    return [m["text"] for m in stand_in.messages(channel)]


def test_a_post_carries_its_key_in_metadata(client: WebClient, stand_in: SlackStandIn) -> None:
    posted = post_once(client=client, channel="C1", key="review:7", text="Gate 2 is due")

    [message] = stand_in.messages("C1")
    assert key_of(message) == "review:7"
    assert (posted.ts, posted.channel, posted.found) == (message["ts"], "C1", False)
    assert stand_in.calls("conversations.history") == []  # a first attempt reads nothing


def test_a_post_whose_answer_timed_out_is_not_posted_again(
    client: WebClient, stand_in: SlackStandIn
) -> None:
    first_try = datetime.now(UTC)
    stand_in.slow("chat.postMessage", seconds=1.5)
    with pytest.raises(SlackFailure) as lost:
        post_once(client=client, channel="C1", key="digest:3", text="Weekly digest")
    assert lost.value.transient  # the caller tries again later

    again = post_once(
        client=client,
        channel="C1",
        key="digest:3",
        text="Weekly digest",
        retry=True,
        since=first_try,
    )

    assert _texts(stand_in, "C1") == ["Weekly digest"]
    assert again.found and again.ts == stand_in.messages("C1")[0]["ts"]
    [read] = stand_in.calls("conversations.history")
    assert read.args["include_all_metadata"] in ("1", "true", True)


def test_a_retry_that_finds_nothing_posts_and_other_keys_do_not_count(
    client: WebClient, stand_in: SlackStandIn
) -> None:
    post_once(client=client, channel="C1", key="review:1", text="Gate 1 is due")
    client.chat_postMessage(channel="C1", text="someone's message")

    posted = post_once(client=client, channel="C1", key="review:2", text="Gate 2", retry=True)

    assert not posted.found
    assert _texts(stand_in, "C1") == ["Gate 1 is due", "someone's message", "Gate 2"]


def test_a_thread_post_is_looked_for_in_its_thread(
    client: WebClient, stand_in: SlackStandIn
) -> None:
    parent = post_once(client=client, channel="C1", key="review:1", text="prompt").ts
    stand_in.slow("chat.postMessage", seconds=1.5)
    with pytest.raises(SlackFailure):
        post_once(client=client, channel="C1", key="reminder:1", text="nudge", thread_ts=parent)

    again = post_once(
        client=client, channel="C1", key="reminder:1", text="nudge", thread_ts=parent, retry=True
    )

    assert again.found
    assert _texts(stand_in, "C1") == ["prompt", "nudge"]
    assert [c.args["ts"] for c in stand_in.calls("conversations.replies")] == [parent]
    assert stand_in.calls("conversations.history") == []


def test_a_dm_retry_reads_the_dm(client: WebClient, stand_in: SlackStandIn) -> None:
    post_once(client=client, channel="U0PM", key="escape:1:dm:U0PM", text="breach")

    again = post_once(
        client=client, channel="U0PM", key="escape:1:dm:U0PM", text="breach", retry=True
    )

    assert again.found and again.channel == "D0PM"
    assert _texts(stand_in, "U0PM") == ["breach"]


def test_only_messages_since_the_first_attempt_are_read_a_page_at_a_time(
    client: WebClient, stand_in: SlackStandIn
) -> None:
    for n in range(450):
        client.chat_postMessage(channel="C1", text=f"chatter {n}")
    post_once(client=client, channel="C1", key="hypothesis:9", text="Hypothesis #9")
    for n in range(450):
        client.chat_postMessage(channel="C1", text=f"more chatter {n}")

    since = datetime.now(UTC) - timedelta(minutes=1)
    again = post_once(
        client=client,
        channel="C1",
        key="hypothesis:9",
        text="Hypothesis #9",
        retry=True,
        since=since,
    )

    assert again.found
    assert _texts(stand_in, "C1").count("Hypothesis #9") == 1
    reads = stand_in.calls("conversations.history")
    assert len(reads) == 3  # newest first: 200, 200, then the page holding it
    # Read from a little before the first attempt, for Slack's clock being ahead of ours.
    wanted = (since - timedelta(minutes=5)).timestamp()
    assert [float(r.args["oldest"]) for r in reads] == pytest.approx([wanted] * 3, abs=1e-3)


def test_history_gatebot_may_not_read_means_posting_again_not_never(
    client: WebClient, stand_in: SlackStandIn
) -> None:
    stand_in.fail("conversations.history", "missing_scope")

    posted = post_once(client=client, channel="C1", key="review:5", text="Gate", retry=True)

    assert not posted.found
    assert _texts(stand_in, "C1") == ["Gate"]


def test_history_slack_cannot_read_now_is_a_transient_failure_and_posts_nothing(
    client: WebClient, stand_in: SlackStandIn
) -> None:
    stand_in.server_error("conversations.history", status=503)

    with pytest.raises(SlackFailure) as failure:
        post_once(client=client, channel="C1", key="review:5", text="Gate", retry=True)

    assert failure.value.transient
    assert stand_in.messages("C1") == []
