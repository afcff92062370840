"""The outbox's drain: backoff, a bounded number of attempts, the author told, one post only."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot import outbox
from bot.standin.slack import SlackStandIn
from db import workspaces
from db.models import Hypothesis
from db.outbox_models import OutboxMessage, OutboxStatus

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[])


def _keep(session: Session, **fields: object) -> OutboxMessage:
    message = OutboxMessage(
        team_id="T0GATEBOT",
        channel_id="C0TEAM",
        text="Hypothesis #7: ranking by dwell time",
        about="hypothesis #7",
        notify_user="U0PM",
        attempts=1,
        next_attempt_at=NOW,
        **fields,  # type: ignore[arg-type]
    )
    session.add(message)
    session.commit()
    return message


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
        report = outbox.drain(session=session, client_for=lambda team: client, now=now)
        deferred += report.deferred
        if report.failed:
            break
        [kept] = _stored(session)
        assert kept.next_attempt_at.replace(tzinfo=UTC) == now + outbox.backoff(kept.attempts)
        assert outbox.drain(session=session, client_for=lambda team: client, now=now).deferred == 0
        now += outbox.backoff(kept.attempts)

    [kept] = _stored(session)
    assert kept.status == OutboxStatus.FAILED and kept.attempts == outbox.MAX_ATTEMPTS
    assert deferred == outbox.MAX_ATTEMPTS - 2  # the first try was the person's own
    assert len(slack.calls("chat.postMessage")) == outbox.MAX_ATTEMPTS - 1
    [told] = slack.calls("chat.postEphemeral")
    assert told.args["user"] == "U0PM"
    assert "could not post hypothesis #7 to <#C0TEAM>" in told.args["text"]
    assert "(fatal_error)" in told.args["text"]
    assert outbox.drain(session=session, client_for=lambda team: client, now=now).failed == 0


def test_a_refusal_fails_at_once(session: Session, client: WebClient, slack: SlackStandIn):
    _keep(session)
    slack.fail("chat.postMessage", "is_archived")

    report = outbox.drain(session=session, client_for=lambda team: client, now=NOW)

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

    assert outbox.drain(session=session, client_for=lambda team: client, now=NOW).posted == 1

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
            return outbox.drain(session=own, client_for=lambda team: client, now=NOW).posted

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(clock())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(results) == 20
    assert len(slack.calls("chat.postMessage")) == 20
    assert {m.status for m in _stored(session)} == {OutboxStatus.POSTED}
