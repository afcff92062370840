"""`gatebot digest --project P [--dry-run]`, run as an operator runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.demo.standin.slack import SlackStandIn
from db.columns import utcnow
from db.models.digests import DigestRun
from db.models.metrics import MetricSample
from db.session import make_engine
from tests.metric_helpers import define, make_project

GATEBOT = [sys.executable, "-m", "bot.cli"]
PNG = b"\x89PNG\r\n\x1a\n"


def _env(database_url: str, slack: SlackStandIn | None = None) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    if slack is not None:
        env |= {"SLACK_BOT_TOKEN": "xoxb-cli", "SLACK_API_URL": slack.api_url}
    return env


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GATEBOT, *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


@pytest.fixture
def migrated(migrated_sqlite: str) -> str:
    """Return a database migrated to head, with a project whose metric breached."""
    url = migrated_sqlite
    engine = make_engine(url)
    with Session(engine) as session:
        project = make_project(session, name="Search <relevance>")
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
    engine.dispose()
    return url


def _runs(url: str) -> list[DigestRun]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(DigestRun)))
    finally:
        engine.dispose()


def test_a_dry_run_prints_the_digest_as_a_reader_sees_it(migrated: str, tmp_path: Path):
    chart = tmp_path / "chart.png"

    result = _run(
        "digest",
        "--project",
        "search <relevance>",
        "--dry-run",
        "--chart",
        str(chart),
        env=_env(migrated),
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"gatebot: wrote the chart of the 1 flagged metric to {chart}"
    assert lines[1] == "  Weekly digest: Search <relevance>"
    read = " ".join(result.stdout.split())  # as read, whatever the terminal wrapping
    assert "relevance_rating 0.70" in read and "breach: below 0.72" in read
    assert chart.read_bytes().startswith(PNG)
    assert _runs(migrated) == []  # nothing claimed, nothing posted


def test_a_dry_run_prints_block_kit_json(migrated: str):
    result = _run("digest", "--project", "1", "--dry-run", "--json", env=_env(migrated))

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Weekly digest: Search <relevance>"},
    }
    assert shown["thread"] == []
    assert "Search &lt;relevance&gt;" in shown["text"]


def test_without_dry_run_the_digest_is_posted(migrated: str, slack: SlackStandIn):
    result = _run("digest", "--project", "1", env=_env(migrated, slack))

    assert result.returncode == 0, result.stderr
    [message] = slack.calls("chat.postMessage")
    assert (message.token, message.args["channel"]) == ("xoxb-cli", "C0TEAM")
    [run] = _runs(migrated)
    assert run.status == "posted" and run.week_key.startswith("now-")
    assert result.stdout.strip() == (
        f"gatebot: posted the digest of 'Search <relevance>' in C0TEAM at {run.message_ts}"
    )
    assert len(slack.calls("files.completeUploadExternal")) == 1


def test_a_refused_post_says_why_and_fails(migrated: str, slack: SlackStandIn):
    slack.fail("chat.postMessage", "channel_not_found")

    result = _run("digest", "--project", "1", env=_env(migrated, slack))

    assert result.returncode == 1
    assert "was not posted: the channel was not found" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--project", "Nowhere", "--dry-run"], "no project has the id or name 'Nowhere'"),
        (["--project", "1", "--json"], "--json and --chart go with --dry-run"),
        (["--project", "1"], "SLACK_BOT_TOKEN is not set"),
    ],
)
def test_mistakes_are_told_plainly(migrated: str, args: list[str], message: str):
    result = _run("digest", *args, env=_env(migrated))

    assert result.returncode == 2
    assert message in result.stderr
