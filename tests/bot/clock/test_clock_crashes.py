"""A clock killed (SIGKILL) while its post is in Slack but unanswered: the next clock finds
the post by its key and records it, so the channel never sees the prompt twice."""

from __future__ import annotations

import signal
import subprocess
import time

from bot.demo.standin.slack import SlackStandIn
from bot.slack.posting import key_of
from db.models.gates import GateReview, ReviewStatus
from tests.bot.clock.test_clock import GATEBOT, _env, _reviews
from tests.bot.clock.test_clock import migrated as migrated  # the fixture: a due project

LEASE = 10  # seconds: the shortest lease settings allow, so the retake comes soon


def _clock(slack: SlackStandIn, url: str) -> subprocess.Popen[str]:
    env = _env(
        slack,
        url,
        GATEBOT_CLOCK_INTERVAL="0.5",
        GATEBOT_CLAIM_LEASE_SECONDS=str(LEASE),
        GATEBOT_SLACK_TIMEOUT="30",  # the killed clock is still waiting for Slack's answer
    )
    return subprocess.Popen(
        [*GATEBOT, "clock"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def _settled(url: str, *, timeout: float) -> GateReview:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        [review] = _reviews(url)
        if review.status != ReviewStatus.CLAIMED:
            return review
        time.sleep(0.2)
    raise AssertionError(f"the review was still claimed after {timeout}s")


def _stop(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.communicate(timeout=15)[1]
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_a_clock_killed_mid_post_is_followed_by_one_that_does_not_post_again(
    migrated: str, slack: SlackStandIn
):
    slack.slow("chat.postMessage", seconds=60)  # Slack takes the prompt, answers far too late
    first = _clock(slack, migrated)
    try:
        slack.wait_for("chat.postMessage", timeout=30)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        _stop(first)
    [claimed] = _reviews(migrated)
    assert claimed.status == ReviewStatus.CLAIMED and claimed.message_ts is None

    second = _clock(slack, migrated)
    try:
        review = _settled(migrated, timeout=LEASE + 20)
    finally:
        stderr = _stop(second)

    [prompt] = slack.messages("C1")
    assert key_of(prompt) == f"gate-prompt:{review.id}"
    assert (review.status, review.message_ts, review.attempts) == (
        ReviewStatus.POSTED,
        prompt["ts"],
        2,
    )
    assert len(slack.calls("chat.postMessage")) == 1, stderr
    assert slack.calls("conversations.history")  # it looked before it would have posted
