"""/digest through the real app: signed HTTP in, what the stand-in Slack received out."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from db.columns import utcnow
from db.models.digests import DigestRun
from db.models.gates import Project
from db.models.metrics import MetricSample
from tests.live_app import LiveApp
from tests.metric_helpers import define, make_project

PNG = b"\x89PNG\r\n\x1a\n"


def _setup(live: LiveApp, *, compact: bool = False) -> int:
    """Store the channel's project with a metric in breach these last three days."""
    with Session(live.engine) as session:
        project = make_project(
            session, team_id=live.slack.team_id, channel_id=live.sender.channel_id
        )
        project.digest_compact = compact
        metric = define(session, project, "relevance_rating", owner="U0DS")
        now = utcnow()
        session.add_all(
            MetricSample(
                metric_id=metric.id,  # type: ignore[arg-type]
                at=now - timedelta(days=ago, minutes=5),
                value=0.70 if ago < 3 else 0.80,
            )
            for ago in range(30)
        )
        session.commit()
        assert project.id is not None
        return project.id


def _send(live: LiveApp, text: str) -> str:
    reply = live.sender.command("/digest", text)
    assert reply.status == 200 and reply.seconds < 3
    return reply.body


def _runs(live: LiveApp) -> list[DigestRun]:
    with Session(live.engine) as session:
        return list(session.exec(select(DigestRun)))


def test_preview_shows_the_digest_to_the_caller_only(live_app: LiveApp):
    _setup(live_app)

    assert _send(live_app, "preview") == ""
    [reply] = live_app.slack.wait_for("response_url", timeout=15)
    live_app.drain()

    assert reply.args["response_type"] == "ephemeral"
    assert reply.args["blocks"][0]["text"]["text"] == "Weekly digest: Search relevance"
    assert "When posted, a chart of the 1 flagged metric goes into the thread" in str(
        reply.args["blocks"]
    )
    assert live_app.slack.calls("chat.postMessage") == []
    assert live_app.slack.calls("files.getUploadURLExternal") == []
    assert _runs(live_app) == []


def test_now_posts_the_digest_and_its_chart_in_the_thread(live_app: LiveApp):
    project_id = _setup(live_app)

    assert _send(live_app, "now") == ""
    [done] = live_app.slack.wait_for("files.completeUploadExternal", timeout=15)
    live_app.drain()

    [message] = live_app.slack.calls("chat.postMessage")
    assert message.args["channel"] == live_app.sender.channel_id
    assert "Weekly digest for Search relevance" in message.args["text"]
    [run] = _runs(live_app)
    assert (run.project_id, run.status, run.requested_by) == (
        project_id,
        "posted",
        live_app.sender.user_id,
    )
    assert run.week_key.startswith("now-")
    assert done.args["thread_ts"] == run.message_ts
    [png] = live_app.slack.uploaded_files().values()
    assert png.startswith(PNG)
    assert live_app.slack.calls("response_url") == []  # the message in the channel says it all


def test_compact_is_chosen_per_project_and_then_used(live_app: LiveApp):
    project_id = _setup(live_app)

    _send(live_app, "compact on")
    [changed] = live_app.slack.wait_for("response_url")
    _send(live_app, "compact on")
    [_, unchanged] = live_app.slack.wait_for("response_url", count=2)
    _send(live_app, "now")
    live_app.slack.wait_for("files.completeUploadExternal", timeout=15)
    live_app.drain()

    assert changed.args["response_type"] == "in_channel"
    assert "made the weekly digest of *Search relevance* compact" in changed.args["text"]
    assert (
        unchanged.args["response_type"] == "ephemeral"
        and "already compact" in unchanged.args["text"]
    )
    with Session(live_app.engine) as session:
        assert session.get(Project, project_id).digest_compact is True  # type: ignore[union-attr]
    headline, details = live_app.slack.calls("chat.postMessage")
    assert details.args["thread_ts"] == _runs(live_app)[0].message_ts
    assert "Needs attention" in str(headline.args["blocks"])


def test_help_and_mistakes_are_answered_in_the_ack(live_app: LiveApp):
    assert "/digest preview" in _send(live_app, "")
    assert "I don't know `soon`" in _send(live_app, "soon")
    assert "`/digest compact on` or `/digest compact off`" in _send(live_app, "compact later")


def test_without_a_project_the_channel_is_pointed_to_gate_setup(live_app: LiveApp):
    _send(live_app, "preview")
    [reply] = live_app.slack.wait_for("response_url", timeout=15)

    assert reply.args["response_type"] == "ephemeral"
    assert "/gate setup" in reply.args["text"]
