"""The clock process: `gatebot clock --once` and `gatebot clock`, run as an operator runs them,
and a pass whose stages fail one by one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bot.clock.passes import run_pass
from bot.clock.report import PassReport
from bot.clock.runner import run_once
from bot.core.settings import load_settings
from bot.demo.standin.slack import SlackStandIn
from db.heartbeats import last_seen
from db.models.gates import GateReview, ReviewStatus
from db.models.outbox import OutboxMessage, OutboxStatus, SlackReceipt
from db.session import make_engine
from tests.processes import add_due_project

GATEBOT = [sys.executable, "-m", "bot.cli"]


def _env(slack: SlackStandIn, database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-clock",
        "SLACK_API_URL": slack.api_url,
        **extra,
    }


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GATEBOT, *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )


@pytest.fixture
def migrated(migrated_sqlite: str) -> str:
    """Return the URL of a SQLite database migrated to head, with a due project."""
    add_due_project(migrated_sqlite)
    return migrated_sqlite


def _reviews(url: str) -> list[GateReview]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(GateReview)))
    finally:
        engine.dispose()


def test_clock_once_posts_what_is_due_and_prints_one_line(migrated: str, slack: SlackStandIn):
    result = _run("clock", "--once", env=_env(slack, migrated))

    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert line.startswith(
        "gatebot: clock pass: projects 1, posted 1, reminded 0, skipped 0, failed 0, retaken 0, "
        "deferred 0 in "
    )
    [call] = slack.calls("chat.postMessage")
    assert (call.token, call.args["channel"]) == ("xoxb-clock", "C1")
    [review] = _reviews(migrated)
    assert review.status == ReviewStatus.POSTED and review.message_ts


def test_each_clock_pass_records_a_heartbeat(migrated: str, slack: SlackStandIn):
    before = datetime.now(UTC)

    assert _run("clock", "--once", env=_env(slack, migrated)).returncode == 0

    engine = make_engine(migrated)
    with Session(engine) as session:
        seen = last_seen(session=session, process="clock")
    engine.dispose()
    assert seen is not None and before <= seen <= datetime.now(UTC)


def test_clock_runs_passes_until_sigterm_then_exits_cleanly(migrated: str, slack: SlackStandIn):
    process = subprocess.Popen(
        [*GATEBOT, "clock"],
        env=_env(slack, migrated, GATEBOT_CLOCK_INTERVAL="0.2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The start-up self-check (database, auth.test) comes first; a busy box is slow.
        slack.wait_for("chat.postMessage", timeout=45)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 0, stderr
    assert "clock stopping on signal" in stderr
    assert len(slack.calls("chat.postMessage")) == 1


def test_clock_without_a_bot_token_says_what_to_set(tmp_path: Path, slack: SlackStandIn):
    env = _env(slack, f"sqlite:///{tmp_path / 'x.db'}")
    del env["SLACK_BOT_TOKEN"]

    result = _run("clock", "--once", env=env)

    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in result.stderr


def test_run_once_uses_the_settings_grace(migrated: str, slack: SlackStandIn):
    settings = load_settings(
        _env_file=None,
        slack_bot_token="xoxb-clock",
        slack_api_url=slack.api_url,
        gatebot_grace_hours=0.01,  # 36 seconds: the prompt a minute ago is past it
    )
    engine = make_engine(migrated)
    try:
        report = run_once(settings=settings, engine=engine)
    finally:
        engine.dispose()

    assert (report.posted, report.skipped) == (0, 1)
    assert slack.calls("chat.postMessage") == []


def test_the_pass_report_reads_as_one_line():
    report = PassReport(projects=3, posted=2, failed=1, seconds=0.25)

    assert str(report) == (
        "clock pass: projects 3, posted 2, reminded 0, skipped 0, failed 1, retaken 0, "
        "deferred 0 in 0.25s"
    )


def test_a_stage_that_keeps_failing_does_not_stop_the_outbox_or_the_pruning(
    engine: Engine, session: Session, slack: SlackStandIn, caplog: pytest.LogCaptureFixture
):
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    session.add(
        OutboxMessage(
            team_id="T0GATEBOT",
            channel_id="C0TEAM",
            text="Hypothesis #7: ranking by dwell time",
            about="hypothesis #7",
            attempts=1,
            next_attempt_at=now,
        )
    )
    session.add(
        SlackReceipt(delivery_key="event:T0GATEBOT:Ev1", received_at=now - timedelta(days=2))
    )
    session.commit()
    # A table a half-applied migration left out: the reminders' query fails on every pass.
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE gate_answers"))
    client = WebClient(token="xoxb-test", base_url=slack.api_url)

    report = run_pass(engine=engine, client_for=lambda team: client, now=now, clock_id="clock-a")

    assert report.reminded == 0
    [post] = slack.calls("chat.postMessage")
    assert (post.args["channel"], post.args["text"]) == (
        "C0TEAM",
        "Hypothesis #7: ranking by dwell time",
    )
    session.expire_all()
    assert [m.status for m in session.exec(select(OutboxMessage))] == [OutboxStatus.POSTED]
    assert session.exec(select(SlackReceipt)).all() == []
    [failed] = [r for r in caplog.records if "the clock's reminders failed" in r.getMessage()]
    assert failed.exc_info is not None  # logged with its traceback
