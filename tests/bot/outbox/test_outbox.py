"""The outbox's drain: backoff, a bounded number of attempts, the author told, one post only."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.demo.standin.slack import SlackStandIn
from bot.outbox import drain as outbox_drain
from bot.outbox import service as outbox
from bot.outbox.drain import drain
from db import workspaces
from db.models import Hypothesis
from db.models.outbox import OutboxMessage, OutboxStatus
from tests.bot.meanwhile import PostsMeanwhile

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
LATER = timedelta(seconds=1)


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[])


def _keep(session: Session, **fields: object) -> OutboxMessage:
    defaults: dict[str, object] = {
        "team_id": "T0GATEBOT",
        "channel_id": "C0TEAM",
        "text": "Hypothesis #7: ranking by dwell time",
        "about": "hypothesis #7",
        "notify_user": "U0PM",
        "attempts": 1,
        "next_attempt_at": NOW,
    }
    message = OutboxMessage(**(defaults | fields))
    session.add(message)
    session.commit()
    return message


def _drain(session: Session, client: WebClient, now: datetime) -> outbox_drain.OutboxReport:
    """One drain at `now`, whose clock stands still: each lease and backoff starts at `now`."""
    return drain(session=session, client_for=lambda team: client, now=now, clock=lambda: now)


def _stored(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_backoff_doubles_from_a_minute_up_to_an_hour():
    waits = [outbox.backoff(n) for n in range(1, 10)]

    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] == timedelta(hours=1)


def test_slack_still_failing_defers_with_backoff_then_gives_up_and_tells_the_author(
    session: Session, client: WebClient, slack: SlackStandIn
):
    _keep(session)
    slack.server_error("chat.postMessage", status=503, times=100)
    now, deferred = NOW, 0

    for _ in range(outbox.MAX_ATTEMPTS + 2):
        report = _drain(session, client, now)
        deferred += report.deferred
        if report.failed:
            break
        [kept] = _stored(session)
        assert kept.next_attempt_at.replace(tzinfo=UTC) == now + outbox.backoff(kept.attempts)
        assert _drain(session, client, now).deferred == 0
        now += outbox.backoff(kept.attempts)

    [kept] = _stored(session)
    assert kept.status == OutboxStatus.FAILED and kept.attempts == outbox.MAX_ATTEMPTS
    assert deferred == outbox.MAX_ATTEMPTS - 2  # the first try was the person's own
    assert len(slack.calls("chat.postMessage")) == outbox.MAX_ATTEMPTS - 1
    [told] = slack.calls("chat.postEphemeral")
    assert told.args["user"] == "U0PM"
    assert "could not post hypothesis #7 to <#C0TEAM>" in told.args["text"]
    assert "(fatal_error)" in told.args["text"]
    assert _drain(session, client, now).failed == 0


def test_a_refusal_fails_at_once(session: Session, client: WebClient, slack: SlackStandIn):
    _keep(session)
    slack.fail("chat.postMessage", "is_archived")

    report = drain(session=session, client_for=lambda team: client, now=NOW)

    assert (report.posted, report.deferred, report.failed) == (0, 0, 1)
    assert _stored(session)[0].status == OutboxStatus.FAILED
    assert "archived" in slack.calls("chat.postEphemeral")[0].args["text"]


def test_the_ts_goes_where_the_message_says(
    session: Session, client: WebClient, slack: SlackStandIn
):
    workspace = workspaces.ensure(session=session, team_id="T0GATEBOT")
    hypothesis = Hypothesis(
        workspace_id=workspace.id,  # type: ignore[arg-type]
        channel_id="C0TEAM",
        author_id="U0PM",
        text="ranking by dwell time",
        vague=False,
        checker="rules",
        status="open",
    )
    session.add(hypothesis)
    session.commit()
    _keep(session, record={"kind": "hypothesis", "id": hypothesis.id})

    assert drain(session=session, client_for=lambda team: client, now=NOW).posted == 1

    session.expire_all()
    [kept] = _stored(session)
    assert session.get(Hypothesis, hypothesis.id).message_ts == kept.posted_ts  # type: ignore[union-attr]
    assert kept.status == OutboxStatus.POSTED and re.fullmatch(
        r"\d{10}\.\d{6}", kept.posted_ts or ""
    )
    assert len(slack.calls("chat.postMessage")) == 1


def test_two_clocks_draining_at_once_post_each_message_once(
    engine: Engine, session: Session, client: WebClient, slack: SlackStandIn
):
    for _ in range(20):
        _keep(session)
    slack.latency = 0.01  # long enough for the two clocks to overlap
    start = threading.Barrier(2)

    def clock() -> int:
        start.wait()
        with Session(engine, expire_on_commit=False) as own:
            return drain(session=own, client_for=lambda team: client, now=NOW).posted

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(clock())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(results) == 20
    assert len(slack.calls("chat.postMessage")) == 20
    assert {m.status for m in _stored(session)} == {OutboxStatus.POSTED}


def test_a_drain_running_past_the_lease_still_posts_each_message_once(
    engine: Engine, session: Session, slack: SlackStandIn
):
    _keep(session, text="m0")
    # The first clock's drain started at NOW, and its earlier posts were slow: its clock says
    # six minutes on (more than the lease) when it takes m0, and runs on while it posts it.
    first_clock = iter(NOW + timedelta(minutes=6, seconds=s) for s in range(100))
    seconds: list[int] = []

    def second_clock() -> None:  # starts while the first is posting m0
        later = next(first_clock)
        with Session(engine, expire_on_commit=False) as own:
            report = drain(
                session=own, client_for=lambda team: plain, now=later, clock=lambda: later
            )
        seconds.append(report.posted)

    plain = WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[])
    slow = PostsMeanwhile(
        meanwhile=second_clock, token="xoxb-test", base_url=slack.api_url, retry_handlers=[]
    )

    first = drain(
        session=session, client_for=lambda team: slow, now=NOW, clock=lambda: next(first_clock)
    )

    assert [call.args["text"] for call in slack.calls("chat.postMessage")] == ["m0"]
    assert (first.posted, seconds) == (1, [0])
    assert [m.status for m in _stored(session)] == [OutboxStatus.POSTED]


def test_a_post_slack_took_is_not_posted_again_when_recording_it_fails(
    session: Session, client: WebClient, slack: SlackStandIn
):
    # Where its ts should go cannot be written (here a record no row can match): the failure
    # comes after Slack has the message, as when the database drops mid-commit.
    _keep(session, record={"kind": "hypothesis", "id": "seven"})

    reports = [_drain(session, client, NOW + n * (outbox.LEASE + LATER)) for n in range(5)]

    assert len(slack.calls("chat.postMessage")) == 1
    assert [r.posted for r in reports] == [1, 0, 0, 0, 0]
    [kept] = _stored(session)
    assert kept.status == OutboxStatus.POSTED and kept.posted_ts
    assert "could not be updated" in (kept.last_error or "")


def test_an_error_outside_slack_counts_as_an_attempt_and_is_given_up_at_the_limit(
    session: Session,
):
    _keep(session)

    def broken(team_id: str) -> WebClient:
        raise RuntimeError("the token store is down")

    now, outcomes = NOW, []
    for _ in range(outbox.MAX_ATTEMPTS + 3):
        report = drain(session=session, client_for=broken, now=now, clock=lambda at=now: at)
        outcomes.append((report.deferred, report.failed))
        [kept] = _stored(session)
        now = kept.next_attempt_at.replace(tzinfo=UTC) + LATER

    # The person's own try was the first; the clock's tries count up to the limit, then stop.
    tries = outbox.MAX_ATTEMPTS - 1
    assert outcomes == [(1, 0)] * (tries - 1) + [(0, 1)] + [(0, 0)] * 4
    assert (kept.status, kept.attempts) == (OutboxStatus.FAILED, outbox.MAX_ATTEMPTS)
    assert kept.last_error == "an error inside gatebot (RuntimeError)"


def test_a_message_out_of_attempts_is_given_up_not_posted_again(
    session: Session, client: WebClient, slack: SlackStandIn
):
    # A clock used the last attempt, then could not record how it went (the database was
    # away): the message is still pending, its lease long over.
    _keep(session, attempts=outbox.MAX_ATTEMPTS, last_error="Slack had an internal error")
    _keep(session, attempts=outbox.MAX_ATTEMPTS + 1, notify_user=None)

    report = _drain(session, client, NOW + timedelta(minutes=10))

    assert (report.posted, report.failed) == (0, 1)
    assert slack.calls("chat.postMessage") == []
    [told] = slack.calls("chat.postEphemeral")
    assert "Slack had an internal error. I tried 8 times and have stopped." in told.args["text"]
    out_of_attempts, beyond = _stored(session)
    assert out_of_attempts.status == OutboxStatus.FAILED
    assert (beyond.status, beyond.attempts) == (OutboxStatus.PENDING, outbox.MAX_ATTEMPTS + 1)
