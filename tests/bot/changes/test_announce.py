"""The announcement job: one post per edit, however often it runs, and Slack's refusals shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlmodel import Session, select

from bot.changes.flows import announce
from bot.demo.standin.slack import SlackStandIn
from bot.metrics import edits
from bot.outbox.drain import drain
from bot.slack.posting import key_of
from db.columns import utcnow
from db.models.changes import RecordChange
from db.models.gates import Project
from db.models.queue import QueuedJob
from tests.handlers.gate_steps import texts
from tests.metric_helpers import define, make_project

TEAM, CHANNEL = "T0GATEBOT", "C0TEAM"


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url)


@pytest.fixture
def project(session: Session) -> Project:
    project = make_project(session, team_id=TEAM, channel_id=CHANNEL)
    define(session, project, "relevance_rating")
    session.commit()
    return project


def _edit(session: Session, project: Project, **changes: object) -> str:
    """Update relevance_rating as U0DS; return the key of the queued announcement."""
    edits.update(
        session=session,
        project=project,
        team_id=TEAM,
        name="relevance_rating",
        changes=changes,
        user_id="U0DS",
    )
    session.commit()
    [job] = session.exec(select(QueuedJob).where(QueuedJob.task == "changes.announce")).all()
    return str(job.payload["edit_key"])


def _posts(slack: SlackStandIn, key: str) -> list[str]:
    return [texts(m["blocks"]) for m in slack.messages(CHANNEL) if key_of(m) == key]


def test_the_job_run_twice_posts_once(
    session: Session, project: Project, client: WebClient, slack: SlackStandIn
):
    key = _edit(session, project, breach=0.70)

    announce(session=session, client=client, team_id=TEAM, edit_key=key)
    announce(session=session, client=client, team_id=TEAM, edit_key=key)  # retaken after a crash

    [posted] = _posts(slack, key)
    assert "<@U0DS> changed the shared metric `relevance_rating`" in posted
    assert "*breach*: below 0.72 → below 0.70" in posted
    assert len(slack.calls("chat.postMessage")) == 1


def test_a_post_slack_could_not_take_goes_out_from_the_outbox_once(
    session: Session, project: Project, client: WebClient, slack: SlackStandIn
):
    key = _edit(session, project, warn=0.8)
    slack.server_error("chat.postMessage")

    announce(session=session, client=client, team_id=TEAM, edit_key=key)
    assert _posts(slack, key) == []
    report = drain(session=session, client_for=lambda _: client, now=utcnow() + timedelta(hours=1))
    announce(session=session, client=client, team_id=TEAM, edit_key=key)  # the job again

    assert report.posted == 1
    [posted] = _posts(slack, key)
    assert "*warn*: below 0.75 → below 0.80" in posted


def test_a_post_whose_answer_was_lost_is_found_in_the_channel_not_posted_again(
    session: Session, project: Project, slack: SlackStandIn
):
    key = _edit(session, project, breach=0.70)
    impatient = WebClient(token="xoxb-test", base_url=slack.api_url, timeout=1)
    slack.slow("chat.postMessage", seconds=2)  # in the channel, but the answer comes too late

    announce(session=session, client=impatient, team_id=TEAM, edit_key=key)
    report = drain(
        session=session, client_for=lambda _: impatient, now=utcnow() + timedelta(hours=1)
    )

    assert report.posted == 1  # the clock's retry found the post by its key
    assert len(_posts(slack, key)) == 1
    assert len(slack.calls("chat.postMessage")) == 1


def test_a_channel_that_refuses_the_post_is_shown_in_gate_status(
    session: Session, project: Project, client: WebClient, slack: SlackStandIn
):
    key = _edit(session, project, owner="U0OTHER")
    slack.fail("chat.postMessage", "channel_not_found")

    announce(session=session, client=client, team_id=TEAM, edit_key=key)

    session.refresh(project)
    assert project.last_error is not None
    assert "The change to `relevance_rating` was not announced" in project.last_error
    [row] = session.exec(select(RecordChange)).all()
    assert (row.field, row.before, row.after) == ("owner", "U0PM", "U0OTHER")  # kept
