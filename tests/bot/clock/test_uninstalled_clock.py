"""A workspace that uninstalled gatebot: the clock leaves its work alone, quietly, and picks it
up with the new token after a reinstall. Its records, and the metrics its pipeline sends, stay.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.clock.report import PassReport
from bot.clock.runner import run_once
from bot.demo.standin.slack import SlackStandIn
from bot.metrics import tokens
from bot.outbox import service as outbox
from db.models import Workspace
from db.models.digests import DigestRun
from db.models.gates import GateReview, Project, ReviewStatus
from db.models.metrics import MetricSample
from db.models.outbox import OutboxMessage, OutboxStatus
from tests.handlers.gate_steps import eventually
from tests.live_app import LiveApp
from tests.metric_helpers import define, make_project

ACME = "T0ACME"


@pytest.fixture
def acme(start_app: Callable[..., LiveApp]) -> LiveApp:
    """The app in OAuth mode, installed in ACME."""
    live = start_app(oauth=True)
    assert live.install(ACME, name="Acme").landing.status == 200
    return live


def _uninstall(live: LiveApp) -> None:
    """Uninstall as Slack does (tokens revoked, then the event); wait until it is handled."""
    live.slack.revoke(ACME)
    assert live.sender_for(ACME).event({"type": "app_uninstalled"}).status == 200

    def marked() -> None:
        with Session(live.engine) as session:
            workspace = session.exec(select(Workspace).where(Workspace.team_id == ACME)).one()
        assert workspace.uninstalled_at is not None

    eventually(marked)


def _due_work(live: LiveApp) -> dict[str, int]:
    """Give ACME one of everything the clock does, all due a minute ago; return their ids."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    due = now - timedelta(minutes=1)
    with Session(live.engine) as session:
        sprint = make_project(session, team_id=ACME, channel_id="C0SPRINT", name="Ranking")
        sprint.phase, sprint.sprint_length_days, sprint.sprint_start = "iteration", 1, due.date()
        sprint.prompt_time, sprint.digest_weekday, sprint.digest_time = (
            due.time(),
            due.weekday(),
            due.time(),
        )
        sprint.created_at = sprint.updated_at = due - timedelta(days=1)
        define(session, sprint, "relevance_rating")  # a digest needs a metric to report
        framing = make_project(session, team_id=ACME, channel_id="C0REMIND", name="Search")
        waiting = GateReview(  # posted two days ago, unanswered: its reminder is due
            project_id=framing.id,  # type: ignore[arg-type]
            gate_kind="framing",
            occurrence_key="now-1",
            due_at=due - timedelta(days=2),
            status=ReviewStatus.POSTED,
            channel_id="C0REMIND",
            message_ts="1700000000.000100",
            posted_at=due - timedelta(days=2),
            remind_at=due,
        )
        orphan = GateReview(  # claimed by a clock that died before the uninstall
            project_id=framing.id,  # type: ignore[arg-type]
            gate_kind="framing",
            occurrence_key="now-2",
            due_at=due,
            status=ReviewStatus.CLAIMED,
            claimed_at=now - timedelta(hours=1),
            claimed_by="a-dead-clock",
            attempts=1,
            channel_id="C0REMIND",
        )
        kept = _kept(channel="C0KEPT", kept_at=now - timedelta(minutes=30))
        stale = _kept(channel="C0OLD", kept_at=now - timedelta(days=2))
        session.add_all([sprint, waiting, orphan, kept, stale])
        session.commit()
        return {
            "sprint": sprint.id,
            "framing": framing.id,
            "review": waiting.id,
            "orphan": orphan.id,
            "kept": kept.id,
            "stale": stale.id,
        }  # type: ignore[return-value]


def _kept(*, channel: str, kept_at: datetime) -> OutboxMessage:
    """A hypothesis post Slack could not take when it was saved, waiting in the outbox."""
    return OutboxMessage(
        team_id=ACME,
        channel_id=channel,
        text=f"A hypothesis for {channel}",
        about="your hypothesis",
        notify_user="U0PM",
        attempts=1,
        next_attempt_at=kept_at + outbox.backoff(1),
        created_at=kept_at,
    )


def _nothing_done(report: PassReport) -> bool:
    counts = [report.posted, report.reminded, report.failed, report.deferred, report.retaken]
    digests = report.digests
    return not any([*counts, digests.posted, digests.failed, digests.deferred, digests.alerts])


def test_the_clock_skips_an_uninstalled_workspace_and_resumes_after_a_reinstall(
    acme: LiveApp, slack: SlackStandIn, caplog: pytest.LogCaptureFixture
):
    ids = _due_work(acme)
    old_token = slack.token_for(ACME)
    _uninstall(acme)
    caplog.clear()
    caplog.set_level(logging.INFO)

    passes = [run_once(settings=acme.settings, engine=acme.engine) for _ in range(2)]

    assert all(_nothing_done(report) for report in passes)
    complaints = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert complaints == []  # an uninstall is not a fault: no warning, pass after pass
    assert ACME not in caplog.text
    assert slack.calls("chat.postMessage") == [] and slack.calls("chat.postEphemeral") == []
    with Session(acme.engine) as session:
        assert session.exec(select(DigestRun)).all() == []
        review = session.get(GateReview, ids["review"])
        assert review is not None and (review.reminded_at, review.reminder_attempts) == (None, 0)
        orphan = session.get(GateReview, ids["orphan"])  # not taken over: no attempt used
        assert orphan is not None and (orphan.status, orphan.attempts) == ("claimed", 1)
        assert len(session.exec(select(GateReview)).all()) == 2  # no sprint review claimed
        for project_id in (ids["sprint"], ids["framing"]):
            project = session.get(Project, project_id)
            assert project is not None and project.last_error is None
        for message in session.exec(select(OutboxMessage)):  # kept, no attempt used
            assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)

    assert acme.install(ACME, name="Acme").landing.status == 200
    report = run_once(settings=acme.settings, engine=acme.engine)

    new_token = slack.token_for(ACME)
    assert new_token != old_token
    assert (report.posted, report.reminded, report.digests.posted) == (2, 1, 1)
    assert report.retaken == 1  # the dead clock's claim, posted now
    posts = slack.calls("chat.postMessage")
    assert {call.token for call in posts} == {new_token}
    assert sorted(call.args["channel"] for call in posts) == [
        "C0KEPT",  # held back half an hour: still worth posting
        "C0REMIND",  # the reminder
        "C0REMIND",  # the framing gate the dead clock had claimed
        "C0SPRINT",  # the sprint review
        "C0SPRINT",  # the weekly digest
    ]
    with Session(acme.engine) as session:
        kept = session.get(OutboxMessage, ids["kept"])
        stale = session.get(OutboxMessage, ids["stale"])
        assert kept is not None and kept.status == OutboxStatus.POSTED
        assert stale is not None and stale.status == OutboxStatus.FAILED
        assert "held back over a day" in (stale.last_error or "")
    [told] = slack.calls("chat.postEphemeral")  # held back two days: dropped, its author told
    assert (told.args["channel"], told.args["user"], told.token) == ("C0OLD", "U0PM", new_token)
    assert "I did not post your hypothesis to <#C0OLD>" in told.args["text"]


def _post_samples(live: LiveApp, token: str, samples: list[dict[str, Any]]) -> Any:
    request = urllib.request.Request(  # noqa: S310 (the app's own local URL)
        f"{live.url}/api/v1/metrics",
        data=json.dumps({"samples": samples}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status, json.loads(response.read())


def test_a_pipeline_of_an_uninstalled_workspace_is_stored_and_alerted_after_a_reinstall(
    acme: LiveApp, slack: SlackStandIn, caplog: pytest.LogCaptureFixture
):
    with Session(acme.engine) as session:
        project = make_project(session, team_id=ACME, channel_id="C0ACME")
        define(session, project, "relevance_rating")
        ingest = tokens.create(session=session, project_id=project.id, created_by="U0PM")  # type: ignore[arg-type]
        session.commit()
    _uninstall(acme)
    today = date.today()
    week = [
        {"name": "relevance_rating", "value": 0.78, "at": (today - timedelta(days=d)).isoformat()}
        for d in range(7, 0, -1)
    ]
    breach = {"name": "relevance_rating", "value": 0.70, "at": today.isoformat()}
    caplog.set_level(logging.INFO)

    status, counts = _post_samples(acme, ingest.plaintext, [*week, breach])
    swept = run_once(settings=acme.settings, engine=acme.engine)
    acme.drain()  # any escape check queued for the batch has run

    assert (status, counts["stored"]) == (200, 8)  # the pipeline sees its batch taken
    with Session(acme.engine) as session:
        assert len(session.exec(select(MetricSample)).all()) == 8
    assert swept.digests.alerts == 0 and slack.calls("chat.postMessage") == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [r for r in caplog.records if r.name == "bot.escapes.sweep"] == []  # quietly skipped

    assert acme.install(ACME).landing.status == 200
    report = run_once(settings=acme.settings, engine=acme.engine)

    assert report.digests.alerts == 1  # the breach waited for the reinstall, then went out
    [alert] = slack.calls("chat.postMessage")
    assert (alert.args["channel"], alert.token) == ("C0ACME", slack.token_for(ACME))
