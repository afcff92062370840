"""Clock posts whose answer timed out (Slack slower than the client) are found, not repeated.

The stand-in does the work and answers late; the client gives up first. The next attempt
reads the channel (or the thread) for the post's key and records what it finds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient

from bot.demo.standin.slack import SlackStandIn
from bot.slack.posting import key_of
from db.models.digests import DigestStatus
from db.models.gates import ReviewStatus
from tests.bot.digests.test_digest_post import DUE, add, runs
from tests.bot.digests.test_digest_post import clock as digest_clock
from tests.bot.gates.test_reviews import BOUNDARY, add_project, clock, reviews

SLOWER_THAN_THE_CLIENT = 1.5  # seconds; the client below gives up after 0.5


@pytest.fixture
def impatient(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url, timeout=0.5)


def test_a_prompt_whose_answer_timed_out_is_recorded_from_the_channel(
    engine, session, impatient: WebClient, slack: SlackStandIn
):
    add_project(session, channel="C1")
    slack.slow("chat.postMessage", seconds=SLOWER_THAN_THE_CLIENT)

    lost = clock(engine, impatient, BOUNDARY)
    found = clock(engine, impatient, BOUNDARY + timedelta(minutes=2))  # after the backoff

    assert (lost.deferred, found.posted) == (1, 1)
    [prompt] = slack.messages("C1")
    [review] = reviews(engine)
    assert (review.status, review.message_ts, review.attempts) == (
        ReviewStatus.POSTED,
        prompt["ts"],
        2,
    )
    assert key_of(prompt) == f"gate-prompt:{review.id}"
    assert len(slack.calls("chat.postMessage")) == 1
    assert len(slack.calls("conversations.history")) == 1


def test_a_reminder_whose_answer_timed_out_is_found_in_the_thread(
    engine, session, impatient: WebClient, slack: SlackStandIn
):
    add_project(session, channel="C1")
    clock(engine, impatient, BOUNDARY)
    wednesday = datetime(2026, 3, 4, 14, 31, tzinfo=UTC)  # the reminder is due
    slack.slow("chat.postMessage", seconds=SLOWER_THAN_THE_CLIENT)

    lost = clock(engine, impatient, wednesday)
    found = clock(engine, impatient, wednesday + timedelta(minutes=2))

    assert (lost.deferred, found.reminded) == (1, 1)
    prompt, reminder = slack.messages("C1")
    [review] = reviews(engine)
    assert reminder["thread_ts"] == prompt["ts"] == review.message_ts
    assert review.reminder_ts == reminder["ts"]
    assert len(slack.calls("chat.postMessage")) == 2
    [read] = slack.calls("conversations.replies")
    assert read.args["ts"] == prompt["ts"]


def test_a_digest_whose_answer_timed_out_is_not_posted_twice(
    engine, session, impatient: WebClient, slack: SlackStandIn
):
    add(session)
    slack.slow("chat.postMessage", seconds=SLOWER_THAN_THE_CLIENT)

    lost = digest_clock(engine, impatient, DUE + timedelta(minutes=1))
    found = digest_clock(engine, impatient, DUE + timedelta(minutes=3))

    assert (lost.digests.deferred, found.digests.posted) == (1, 1)
    [run] = runs(engine)
    digests = [m for m in slack.messages("C1") if key_of(m) == f"digest:{run.id}"]
    assert len(digests) == 1
    assert (run.status, run.message_ts) == (DigestStatus.POSTED, digests[0]["ts"])
