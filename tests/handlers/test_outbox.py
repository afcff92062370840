"""Posts a person asked for survive Slack trouble: retried at once, or kept for the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.clock.passes import run_pass
from bot.clock.report import PassReport
from bot.demo.standin.slack import SlackStandIn
from bot.demo.standin.slack_requests import selected, text_input
from bot.gates.blocks.prompt import DECIDE
from bot.hypotheses.blocks import SAVE
from bot.slack.client import build_web_client
from db.columns import utcnow
from db.models import Hypothesis
from db.models.outbox import OutboxMessage, OutboxStatus
from tests.fakes.flaky_proxy import FlakyProxy
from tests.handlers.gate_steps import (
    OTHER,
    ask,
    eventually,
    open_setup,
    person,
    reviews,
    set_up,
    setup_values,
    submit_answers,
    texts,
)
from tests.handlers.test_hypothesis_command import FALSIFIABLE
from tests.live_app import LiveApp

# Ways Slack can fail a post beyond what the client's retry handlers ride out.
FAULTS: dict[str, Callable[[SlackStandIn], None]] = {
    "a 500": lambda slack: slack.server_error("chat.postMessage", status=500),
    "a 503": lambda slack: slack.server_error("chat.postMessage", status=503),
    "rate-limited past the retries": lambda slack: slack.rate_limit(
        "chat.postMessage", retry_after=0, times=3
    ),
}


def _kept(live: LiveApp) -> list[OutboxMessage]:
    with Session(live.engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def _hypothesis(live: LiveApp) -> Hypothesis:
    with Session(live.engine) as session:
        return session.exec(select(Hypothesis)).one()


def _clock(live: LiveApp, *, minutes: float) -> PassReport:
    client = build_web_client(live.settings)
    return run_pass(
        engine=live.engine,
        client_for=lambda team_id: client,
        now=utcnow() + timedelta(minutes=minutes),
        clock_id="test-clock",
    )


def _save(live: LiveApp) -> str:
    """Check a hypothesis, press Save, and return what its author is then told."""
    live.sender.command("/hypothesis", FALSIFIABLE)
    live.slack.wait_for("response_url")
    live.sender.click(SAVE, str(_hypothesis(live).id))
    note = live.slack.wait_for("response_url", count=2)[-1].args["text"]
    live.drain()
    return note


@pytest.mark.parametrize("fault", FAULTS)
def test_a_save_slack_cannot_take_is_kept_and_posted_once_by_the_clock(
    live_app: LiveApp, fault: str
):
    FAULTS[fault](live_app.slack)

    note = _save(live_app)

    assert "Saved hypothesis #1" in note
    assert "Slack is not answering right now" in note and "<#C0TEAM>" in note
    [kept] = _kept(live_app)
    assert (kept.status, kept.channel_id, kept.attempts) == (OutboxStatus.PENDING, "C0TEAM", 1)
    assert kept.record == {"kind": "hypothesis", "id": 1} and kept.last_error
    assert _hypothesis(live_app).message_ts is None
    failed_posts = len(live_app.slack.calls("chat.postMessage"))

    _clock(live_app, minutes=0.5)  # before its backoff: left alone
    assert len(live_app.slack.calls("chat.postMessage")) == failed_posts
    _clock(live_app, minutes=2)
    _clock(live_app, minutes=30)

    [post] = live_app.slack.calls("chat.postMessage")[failed_posts:]
    assert post.args["channel"] == "C0TEAM" and "Falsifiable" in texts(post.args["blocks"])
    [kept] = _kept(live_app)
    assert kept.status == OutboxStatus.POSTED and kept.posted_ts
    assert _hypothesis(live_app).message_ts == kept.posted_ts


def test_a_rate_limit_within_the_retries_is_ridden_out_with_one_post(live_app: LiveApp):
    live_app.slack.rate_limit("chat.postMessage", retry_after=0, times=2)

    note = _save(live_app)

    assert "posted it to <#C0TEAM>" in note
    assert len(live_app.slack.calls("chat.postMessage")) == 3  # two 429s, then the post
    assert _kept(live_app) == []
    assert _hypothesis(live_app).message_ts


def test_a_dropped_connection_is_retried_with_one_post(live_app: LiveApp):
    live = live_app
    host, port = live.slack.url.removeprefix("http://").split(":")
    with FlakyProxy((host, int(port))) as proxy:
        # The app's Web API traffic goes through the proxy (each request's client copies it).
        live.bolt.client.base_url = f"{proxy.url}/api/"
        live.sender.command("/hypothesis", FALSIFIABLE)
        live.slack.wait_for("response_url")
        proxy.drop(1)
        live.sender.click(SAVE, str(_hypothesis(live).id))
        note = live.slack.wait_for("response_url", count=2)[-1].args["text"]
        live.drain()

    assert proxy.dropped == 1
    assert "posted it to <#C0TEAM>" in note
    assert len(live.slack.calls("chat.postMessage")) == 1
    assert _kept(live) == []


def test_a_setup_notice_is_kept_and_the_person_told(live_app: LiveApp):
    view = open_setup(live_app)
    ids = {b.get("block_id") for b in view["blocks"]}
    live_app.slack.server_error("chat.postMessage", status=503)

    live_app.sender.submit_view(
        view, setup_values(timezone_block="timezone" if "timezone" in ids else "timezone_pending")
    )
    told = live_app.slack.wait_for("chat.postEphemeral")[0].args
    live_app.drain()

    assert told["user"] == "U0PM" and "Slack is not answering" in told["text"]
    [kept] = _kept(live_app)
    assert kept.channel_id == "C0TEAM" and "Search ranking" in kept.text
    _clock(live_app, minutes=2)
    notice = live_app.slack.calls("chat.postMessage")[-1].args
    assert notice["channel"] == "C0TEAM" and notice["text"] == kept.text
    assert _kept(live_app)[0].status == OutboxStatus.POSTED


def test_a_decision_is_kept_and_posted_in_its_thread_later(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)
    live_app.sender.click(DECIDE, str(review.id), message_ts=review.message_ts)
    view = live_app.slack.wait_for("views.open", count=2)[-1].args["view"]
    live_app.slack.server_error("chat.postMessage", status=500)

    live_app.sender.submit_view(
        view, {"decision": {"decision": selected("go")}, "reason": {"reason": text_input("Won.")}}
    )
    told = live_app.slack.wait_for("chat.postEphemeral")[0].args
    live_app.drain()

    assert "Decision recorded" in told["text"] and "Slack is not answering" in told["text"]
    assert reviews(live_app)[0].decision == "go"
    posts = len(live_app.slack.calls("chat.postMessage"))
    _clock(live_app, minutes=2)
    _clock(live_app, minutes=10)
    [post] = live_app.slack.calls("chat.postMessage")[posts:]
    assert post.args["thread_ts"] == review.message_ts
    assert post.args["reply_broadcast"] in (True, "1", "true")
    assert "recorded the decision" in post.args["text"]


def test_kept_summaries_collapse_to_the_latest_which_the_clock_posts_once(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)
    live_app.slack.server_error("chat.postMessage", status=500, times=2)

    submit_answers(live_app, review, live_app.sender, assumption="Dwell time ranks better")
    eventually(lambda: _assert_kept(live_app, 1))
    submit_answers(live_app, review, person(live_app, OTHER), data_blockers="Labels are late")
    eventually(lambda: _assert_kept(live_app, 2))
    live_app.drain()

    assert [k.status for k in _kept(live_app)] == [OutboxStatus.SUPERSEDED, OutboxStatus.PENDING]
    posts = len(live_app.slack.calls("chat.postMessage"))
    _clock(live_app, minutes=2)
    _clock(live_app, minutes=10)
    [summary] = live_app.slack.calls("chat.postMessage")[posts:]
    shown = texts(summary.args["blocks"])
    assert "Dwell time ranks better" in shown and "Labels are late" in shown
    assert reviews(live_app)[0].summary_ts == _kept(live_app)[-1].posted_ts


def _assert_kept(live: LiveApp, count: int) -> None:
    assert len(_kept(live)) == count


def test_a_save_whose_answer_timed_out_is_found_by_the_clock_not_posted_twice(
    start_app: Callable[..., LiveApp],
):
    live = start_app(gatebot_slack_timeout=0.5)
    live.slack.slow("chat.postMessage", seconds=1.5)  # posted, but answered after the timeout

    note = _save(live)

    assert "Slack is not answering right now" in note
    [kept] = _kept(live)
    assert (kept.status, kept.post_key) == (OutboxStatus.PENDING, "hypothesis:1")
    _clock(live, minutes=2)

    shown = [m for m in live.slack.messages("C0TEAM") if m["text"].startswith("Hypothesis #1")]
    assert len(shown) == 1
    [kept] = _kept(live)
    assert (kept.status, kept.posted_ts) == (OutboxStatus.POSTED, shown[0]["ts"])
    assert _hypothesis(live).message_ts == shown[0]["ts"]
    assert len(live.slack.calls("chat.postMessage")) == 1
