"""Replies through a response_url: retried, else ephemeral, else a DM; never to a dead URL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from sqlalchemy import Engine, update
from sqlmodel import Session

from bot.demo.standin.slack import SlackStandIn
from bot.queue.service import enqueue
from bot.queue.tasks import task
from bot.queue.worker import Worker, WorkerOptions
from bot.slack.replies import reliable
from db.columns import utcnow
from db.models.queue import QueuedJob


@task("tests.late_reply")
def late_reply(*, respond: Any, text: str, channel_id: str, user_id: str) -> None:
    """Answer the person who asked: what a command's job does when it is done."""
    respond(text=text)


def _client(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url)


def _reply(slack: SlackStandIn, **received: Any) -> Any:
    return reliable(
        Respond(response_url=slack.response_url("cmd")),
        client=_client(slack),
        channel_id="C1",
        user_id="U0PM",
        **received,
    )


def test_a_fresh_reply_goes_through_the_response_url(slack: SlackStandIn) -> None:
    _reply(slack, received_at=utcnow() - timedelta(minutes=5))(text="Falsifiable")

    [reply] = slack.calls("response_url")
    assert (reply.key, reply.args["text"]) == ("cmd", "Falsifiable")
    assert slack.calls("chat.postEphemeral") == []


def test_a_reply_past_the_urls_30_minutes_is_an_ephemeral_message(slack: SlackStandIn) -> None:
    _reply(slack, received_at=utcnow() - timedelta(minutes=31))(text="Falsifiable")

    assert slack.calls("response_url") == []  # Slack would refuse it: not even tried
    [shown] = slack.calls("chat.postEphemeral")
    assert (shown.args["channel"], shown.args["user"], shown.args["text"]) == (
        "C1",
        "U0PM",
        "Falsifiable",
    )


def test_a_late_reply_the_channel_refuses_arrives_by_dm(slack: SlackStandIn) -> None:
    slack.fail("chat.postEphemeral", "user_not_in_channel")

    _reply(slack, received_at=utcnow() - timedelta(hours=2))(text="Falsifiable")

    assert [m["text"] for m in slack.messages("U0PM")] == ["Falsifiable"]


def test_a_job_that_waited_past_the_urls_life_replies_ephemerally(
    engine: Engine, slack: SlackStandIn
) -> None:
    with Session(engine) as session:
        job_id = enqueue(
            session=session,
            task=late_reply,
            team_id="T1",
            response_url=slack.response_url("cmd"),
            channel_id="C1",
            user_id="U0PM",
            text="Your hypothesis is falsifiable",
        )
        # Queued in the ack 40 minutes ago; the workers were down since.
        session.execute(
            update(QueuedJob)
            .where(QueuedJob.id == job_id)  # type: ignore[arg-type]
            .values(created_at=utcnow() - timedelta(minutes=40))
        )
        session.commit()
    client = _client(slack)
    worker = Worker(
        engine=engine, client_for=lambda _team: client, checker=object(), options=WorkerOptions()
    )

    assert worker.run_one() is True

    assert slack.calls("response_url") == []
    [shown] = slack.calls("chat.postEphemeral")
    assert (shown.args["user"], shown.args["text"]) == ("U0PM", "Your hypothesis is falsifiable")
