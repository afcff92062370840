"""Request ids: every log line of a request, its listener and its jobs share one; so do a pass's."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock.passes import _BATCH
from bot.clock.runner import run_once
from bot.core.request_ids import ContextThreadPoolExecutor
from bot.core.settings import load_settings
from bot.demo.standin.serving import serve_wsgi
from bot.demo.standin.slack import SlackStandIn
from bot.demo.standin.slack_requests import SlackSender
from bot.web import create_web_app
from db import workspaces
from db.models.gates import Project
from db.session import make_engine
from tests.fakes.openai_server import FakeOpenAI
from tests.live_app import LiveApp
from tests.log_capture import captured_logs
from tests.migrated import migrate

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str | None]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (local URL)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.headers.get("X-Request-ID")


def test_every_line_of_a_slash_command_carries_its_own_request_id(
    start_app: Callable[..., LiveApp],
):
    with captured_logs(level="DEBUG") as logs:
        live = start_app()
        since = logs.mark()  # what the app logged while starting belongs to no request
        for user in ("U0PM", "U0DS"):
            live.sender.user_id = user
            assert live.sender.command("/hypothesis", "Make the system smarter.").status == 200
            live.slack.wait_for("response_url", count=1 if user == "U0PM" else 2)
        live.drain()

    # The embedded worker's thread may say it is running after `since` on a busy machine: a
    # line about the process, not about a request.
    lines = [
        line
        for line in logs.lines(since=since)
        if not (line.get("logger") == "bot.queue.worker" and line["msg"].startswith("worker "))
    ]
    ids_by_user: dict[str | None, set[str]] = defaultdict(set)
    for line in lines:
        ids_by_user[line.get("user_id")].add(line.get("request_id"))
    assert all(line.get("request_id") for line in lines)
    # Lines from the listener and from the job that replied: one id per request.
    assert len(ids_by_user["U0PM"]) == len(ids_by_user["U0DS"]) == 1
    assert ids_by_user["U0PM"] != ids_by_user["U0DS"]
    assert all(GENERATED_ID.fullmatch(i) for i in ids_by_user["U0PM"] | ids_by_user["U0DS"])
    replies = [line for line in lines if line["logger"] == "slack_sdk.webhook.client"]
    assert {line["user_id"] for line in replies} == {"U0PM", "U0DS"}  # sent by the jobs


def test_a_job_logs_under_the_id_of_the_request_that_queued_it(
    start_app: Callable[..., LiveApp], fake_openai: FakeOpenAI
):
    fake_openai.status(500)  # the LLM check fails in the job, which logs it and uses the rules
    with captured_logs(level="INFO") as logs:
        live = start_app(openai_api_key="sk-test", openai_base_url=fake_openai.base_url)
        body = live.sender.command_body("/hypothesis", "Make the system smarter.")
        reply = live.sender.post(body, headers={"X-Request-ID": "router-7f3a"})
        live.slack.wait_for("response_url")
        live.drain()

    assert reply.status == 200
    [failed] = [line for line in logs.lines() if line["logger"] == "bot.falsifiability.service"]
    assert "LLM falsifiability check failed" in failed["msg"]
    assert (failed["request_id"], failed["user_id"]) == ("router-7f3a", live.sender.user_id)


def test_http_responses_echo_the_request_id(live_app: LiveApp):
    status, echoed = _get(f"{live_app.url}/healthz", {"X-Request-ID": "pipeline-run-42"})
    _, first = _get(f"{live_app.url}/api/v1/openapi.json")
    _, second = _get(f"{live_app.url}/api/v1/openapi.json")
    _, unusable = _get(f"{live_app.url}/healthz", {"X-Request-ID": "x" * 200})

    assert (status, echoed) == (200, "pipeline-run-42")
    assert first and second and unusable
    assert GENERATED_ID.fullmatch(first) and GENERATED_ID.fullmatch(second) and first != second
    assert GENERATED_ID.fullmatch(unusable)  # too long to trust: replaced by a fresh id


def test_a_refused_api_call_echoes_the_request_id_too(live_app: LiveApp):
    request = urllib.request.Request(  # noqa: S310 (local URL)
        f"{live_app.url}/api/v1/metrics",
        data=b'{"samples": []}',
        headers={
            "Authorization": "Bearer gbt_unknown",
            "Content-Type": "application/json",
            "X-Request-ID": "nightly-export-3",
        },
        method="POST",
    )

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    refused.value.close()

    assert refused.value.code == 401
    assert refused.value.headers["X-Request-ID"] == "nightly-export-3"


def test_a_health_check_without_a_database_fails_and_logs_why_under_its_id(live_app: LiveApp):
    # Nothing listens on port 1: the database is down, with a password in its URL.
    down = "postgresql://gatebot:hunter2pw@127.0.0.1:1/gatebot"
    settings = live_app.settings.model_copy(update={"database_url": down})
    engine = make_engine(down)
    server = serve_wsgi(create_web_app(bolt_app=live_app.bolt, engine=engine))
    try:
        with captured_logs(settings, level="INFO") as logs:
            with pytest.raises(urllib.error.HTTPError) as failed:
                _get(f"{server.url}/healthz", {"X-Request-ID": "lb-check-9"})
            with failed.value as response:
                answer = json.loads(response.read())
    finally:
        server.stop()
        engine.dispose()

    assert failed.value.code == 503
    assert answer == {"ok": False, "database": "unreachable"}
    [line] = [line for line in logs.lines() if line["msg"].startswith("health check")]
    assert line["level"] == "ERROR" and line["request_id"] == "lb-check-9"
    assert "OperationalError" in line["exc"] and "hunter2pw" not in logs.text


def _due_project(session: Session, *, team_id: str, channel_id: str, due: datetime) -> None:
    workspace = workspaces.ensure(session=session, team_id=team_id)
    session.add(
        Project(
            workspace_id=workspace.id,  # type: ignore[arg-type]
            name=f"Project in {channel_id}",
            channel_id=channel_id,
            sprint_length_days=1,
            sprint_start=due.date(),
            timezone="UTC",
            prompt_time=due.time(),
            phase="iteration",
            created_at=due - timedelta(days=1),
            updated_at=due - timedelta(days=1),
        )
    )
    session.commit()


def test_each_clock_pass_logs_under_a_pass_id_of_its_own(engine: Engine, slack: SlackStandIn):
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    settings = load_settings(
        _env_file=None, slack_bot_token="xoxb-clock", slack_api_url=slack.api_url
    )
    slack.fail("chat.postMessage", "not_in_channel")  # each refusal is logged by the pass
    with captured_logs(settings, level="INFO") as logs:
        with Session(engine) as session:
            # More than a batch of claims: batches are posted by the clock's worker threads.
            for number in range(_BATCH + 1):
                _due_project(session, team_id=slack.team_id, channel_id=f"C{number}", due=now)
        run_once(settings=settings, engine=engine, now=now + timedelta(minutes=1))
        first = [line for line in logs.lines() if "not_in_channel" in line["msg"]]
        second_pass = logs.mark()
        with Session(engine) as session:
            _due_project(session, team_id=slack.team_id, channel_id="C-new", due=now)
        run_once(settings=settings, engine=engine, now=now + timedelta(minutes=2))

    later = [line for line in logs.lines(since=second_pass) if "not_in_channel" in line["msg"]]
    assert len(first) == _BATCH + 1 and len(later) == 1
    pass_ids = {line.get("request_id") for line in first}
    assert len(pass_ids) == 1 and None not in pass_ids
    assert later[0]["request_id"] not in pass_ids | {None}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_gatebot_serve_and_worker_write_gunicorn_and_app_lines_alike(
    tmp_path: Path, database_url: str, migrated_sqlite_template: Path
):
    port = _free_port()
    log_file = tmp_path / "stderr.log"
    with SlackStandIn() as slack, log_file.open("w") as stderr:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-serve-logs",
            "SLACK_SIGNING_SECRET": "serve-logs-secret",
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "GATEBOT_LOG_LEVEL": "debug",
        }
        gatebot = [sys.executable, "-m", "bot.cli"]
        migrate(database_url, migrated_sqlite_template)
        process = subprocess.Popen(
            [*gatebot, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    _get(f"{url}/healthz")
                    break
                except OSError:
                    assert time.monotonic() < deadline and process.poll() is None
                    time.sleep(0.2)
            # A secret in a query string must not reach the access log.
            _, echoed = _get(f"{url}/healthz?state=xoxb-in-a-query", {"X-Request-ID": "lb-0001"})
            sender = SlackSender(
                events_url=f"{url}/slack/events",
                signing_secret="serve-logs-secret",
                response_url=slack.response_url("serve"),
            )
            body = sender.command_body("/hypothesis", "Make the system smarter.")
            assert sender.post(body, headers={"X-Request-ID": "lb-0002"}).status == 200
            # The verdict is the worker's: its lines carry the id of the request that queued it.
            worker = subprocess.Popen(
                [*gatebot, "worker"],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            try:
                slack.wait_for("response_url", timeout=30)
            finally:
                worker.terminate()
                worker.wait(timeout=30)
        finally:
            process.terminate()
            process.wait(timeout=20)

    text = log_file.read_text()
    lines = [json.loads(line) for line in text.splitlines()]  # every line is JSON
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    health = next(line for line in access if line.get("request_id") == "lb-0001")
    assert echoed == "lb-0001"
    assert '"GET /healthz HTTP/1.1" 200' in health["msg"]
    assert "xoxb-in-a-query" not in text and "state=" not in text
    command = [line for line in lines if line.get("request_id") == "lb-0002"]
    assert {"gunicorn.access", "slack_bolt.App", "slack_sdk.webhook.client"} <= {
        line["logger"] for line in command
    }
    assert any(line["logger"] == "gunicorn.error" for line in lines)
    assert "xoxb-serve-logs" not in text and "serve-logs-secret" not in text


def test_waiting_for_the_listener_pool_to_be_idle_waits_for_work_still_running_and_what_it_adds():
    done: list[str] = []
    release = threading.Event()
    pool = ContextThreadPoolExecutor(max_workers=2)

    def redraw() -> None:
        time.sleep(0.05)
        done.append("redraw")

    def listener() -> None:  # acked already; it goes on, then queues more work
        release.wait(5)
        done.append("posted")
        pool.submit(redraw)

    pool.submit(listener)
    threading.Timer(0.2, release.set).start()
    pool.wait_idle(timeout=5)

    assert done == ["posted", "redraw"]
    pool.shutdown()


def test_a_pool_that_stays_busy_past_the_wait_says_so():
    release = threading.Event()
    pool = ContextThreadPoolExecutor(max_workers=1)
    pool.submit(release.wait, 5)

    with pytest.raises(TimeoutError, match="still running after 0.1 s: 1"):
        pool.wait_idle(timeout=0.1)
    release.set()
    pool.shutdown()
