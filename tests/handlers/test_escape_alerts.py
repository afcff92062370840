"""Ingestion → escape alert through the real app: the API, /metric record and a CSV import."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.demo.standin.calls import Call
from bot.demo.standin.slack import SlackStandIn
from bot.escapes import service as escape
from bot.metrics import tokens
from bot.metrics.api import create_api
from bot.metrics.csv_import import import_csv
from db.models.gates import Project
from db.models.metrics import AlertState, Metric, MetricSample
from db.models.queue import QueuedJob
from tests.handlers.test_hypothesis_command import _texts
from tests.live_app import LiveApp
from tests.metric_helpers import define, make_project


def _today() -> date:
    return datetime.now(UTC).date()


def _setup(live: LiveApp) -> str:
    """Store the channel's project with leads and relevance_rating; return an API token."""
    with Session(live.engine) as session:
        project = make_project(
            session, team_id=live.slack.team_id, channel_id=live.sender.channel_id
        )
        project.pm_lead, project.ds_lead = "U0PM", "U0DS"
        define(session, project, "relevance_rating", label="<Relevance> & co")
        token = tokens.create(session=session, project_id=project.id, created_by="U0PM")  # type: ignore[arg-type]
        session.commit()
    return token.plaintext


def _post(live: LiveApp, samples: list[dict], *, token: str) -> tuple[int, float]:
    request = urllib.request.Request(
        f"{live.url}/api/v1/metrics",
        data=json.dumps({"samples": samples}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return response.status, time.perf_counter() - started


def _week(value: float = 0.78) -> list[dict]:
    return [
        {
            "name": "relevance_rating",
            "value": value,
            "at": (_today() - timedelta(days=d)).isoformat(),
        }
        for d in range(7, 0, -1)
    ]


def _breach(value: float = 0.70) -> dict:
    return {"name": "relevance_rating", "value": value, "at": _today().isoformat()}


def _channel_posts(slack: SlackStandIn, channel: str = "C0TEAM") -> list[Call]:
    return [c for c in slack.calls("chat.postMessage") if c.args["channel"] == channel]


def _shown(call: Call) -> str:
    return call.args["text"] + "\n" + _texts(call.args["blocks"])


def _state(live: LiveApp) -> tuple[str, str | None]:
    with Session(live.engine) as session:
        metric = session.get(Metric, 1)
        project = session.get(Project, 1)
        assert metric is not None and project is not None
        return metric.alert_state, project.last_error


def test_a_breach_posted_to_the_api_alerts_the_channel_after_a_fast_200(live_app: LiveApp):
    token = _setup(live_app)
    live_app.slack.latency = 1.5  # were the alert sent inside the request, the API would wait

    status, seconds = _post(live_app, [*_week(), _breach()], token=token)

    assert status == 200 and seconds < 1.0
    [alert] = live_app.slack.wait_for("chat.postMessage", timeout=15)
    text = _shown(alert)
    assert alert.args["channel"] == "C0TEAM"
    assert ":rotating_light:" in text and "&lt;Relevance&gt; &amp; co" in text
    assert "at 0.70 is below its rollback trigger of 0.72" in text and "<@U0PM>" in text
    assert "<@U0DS>" in text
    assert alert.token == "xoxb-test-token"

    live_app.slack.latency = 0.0
    assert _post(live_app, [_breach()], token=token)[0] == 200  # the same sample again
    assert _post(live_app, [_breach(0.65) | {"at": f"{_today()}T00:30:00Z"}], token=token)[0] == 200
    live_app.drain()

    assert len(_channel_posts(live_app.slack)) == 1
    assert sorted(c.args["channel"] for c in live_app.slack.calls("chat.postMessage")) == [
        "C0TEAM",
        "U0DS",
        "U0PM",
    ]
    assert _state(live_app) == (AlertState.BREACH, None)


def test_a_channel_refusing_the_alert_is_recorded_and_the_api_still_answers_200(
    live_app: LiveApp,
):
    token = _setup(live_app)
    live_app.slack.fail("chat.postMessage", "channel_not_found")

    assert _post(live_app, [*_week(), _breach()], token=token)[0] == 200
    live_app.drain()

    state, error = _state(live_app)
    assert state == AlertState.BREACH  # permanent: not retried on every sample
    assert error is not None and "channel_not_found" in error and "relevance_rating" in error


def test_metric_record_breaching_the_trigger_alerts_the_channel(live_app: LiveApp):
    token = _setup(live_app)
    assert _post(live_app, _week(), token=token)[0] == 200

    reply = live_app.sender.command("/metric", "record relevance_rating 0.70")

    assert reply.status == 200 and reply.seconds < 3
    calls = live_app.slack.wait_for("chat.postMessage", timeout=15)
    [alert] = [c for c in calls if c.args["channel"] == "C0TEAM"]
    assert "Escape alert" in _shown(alert) and "at 0.70 is below" in _shown(alert)
    [confirmation] = live_app.slack.wait_for("response_url")
    assert "Recorded" in confirmation.args["text"]

    live_app.sender.command("/metric", "record relevance_rating 0.69")
    live_app.drain()
    assert len(_channel_posts(live_app.slack)) == 1


def test_a_csv_import_alerts_on_a_current_breach_and_not_on_an_old_one(
    engine, session: Session, slack: SlackStandIn, tmp_path: Path
):
    project = make_project(session)
    define(session, project, "relevance_rating")
    session.commit()
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    now = datetime(2026, 3, 10, 18, tzinfo=UTC)
    old = tmp_path / "old.csv"
    old.write_text("name,value,at\nrelevance_rating,0.60,2026-02-01\n")
    current = tmp_path / "current.csv"
    current.write_text(
        "name,value,at\nrelevance_rating,0.79,2026-03-09\nrelevance_rating,0.70,2026-03-10\n"
    )

    import_csv(engine=engine, project_ref="Search relevance", path=old, now=now, client=client)
    assert slack.calls("chat.postMessage") == []  # stale: a back-fill of history pages nobody

    import_csv(engine=engine, project_ref="Search relevance", path=current, now=now, client=client)
    [alert] = slack.calls("chat.postMessage")
    assert "Escape alert" in _shown(alert) and "at 0.70 is below" in _shown(alert)
    assert "Reported on Tue 10 Mar" in _shown(alert)


def _escape_jobs(engine: Engine) -> list[QueuedJob]:
    with Session(engine) as session:
        return list(session.exec(select(QueuedJob).where(QueuedJob.task == "escapes.evaluate")))


def _samples(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(MetricSample)).all())


def test_an_api_batch_and_its_escape_check_commit_together_or_not_at_all(engine, session):
    project = make_project(session)
    define(session, project, "relevance_rating")
    token = tokens.create(session=session, project_id=project.id, created_by="U0PM")  # type: ignore[arg-type]
    session.commit()
    failing = True

    def queue_then_maybe_fail(
        *, session: Session, project_id: int, metric_ids: frozenset[int]
    ) -> None:
        escape.evaluate_later(
            session=session, team_id="T1", project_id=project_id, metric_ids=metric_ids
        )
        if failing:
            raise RuntimeError("the process died before the commit")

    web = Flask("test")
    web.register_blueprint(
        create_api(engine=engine, on_ingested=queue_then_maybe_fail), url_prefix="/api/v1"
    )
    headers = {"Authorization": f"Bearer {token.plaintext}"}
    with web.test_client() as http:
        broken = http.post("/api/v1/metrics", json={"samples": [_breach()]}, headers=headers)
        assert broken.status_code == 500
        assert "nothing of this batch was stored" in broken.json["message"]  # type: ignore[index]
        assert _samples(engine) == 0 and _escape_jobs(engine) == []  # neither without the other

        failing = False
        answer = http.post("/api/v1/metrics", json={"samples": [_breach()]}, headers=headers)
        assert answer.status_code == 200 and answer.json["stored"] == 1  # type: ignore[index]

    [job] = _escape_jobs(engine)
    assert _samples(engine) == 1
    assert job.payload["project_id"] == project.id and job.payload["metric_ids"] == [1]


def test_metric_record_stores_its_escape_check_with_the_value(live_app: LiveApp):
    _setup(live_app)

    reply = live_app.sender.command("/metric", "record relevance_rating 0.81")

    assert reply.status == 200
    [confirmation] = live_app.slack.wait_for("response_url")
    assert "Recorded" in confirmation.args["text"]
    [job] = _escape_jobs(live_app.engine)
    assert _samples(live_app.engine) == 1 and job.payload["metric_ids"] == [1]
