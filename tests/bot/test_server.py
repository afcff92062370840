"""`gatebot serve` as an operator runs it: the app is built before the port opens, and the
web process loads only what acks need."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.demo.standin.slack import SlackStandIn
from bot.demo.standin.slack_requests import SlackSender
from tests.migrated import migrate

GATEBOT = [sys.executable, "-m", "bot.cli"]
SECRET = "serve-secret"
# Seconds to import each; none is needed to verify, parse and ack a request.
HEAVY = ("scipy", "statsmodels", "matplotlib", "openai")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(slack: SlackStandIn, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-serve-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "GATEBOT_LOG_FORMAT": "json",
    }


def _wait_for_port(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "gatebot serve exited before listening"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.05):
                return
        except OSError:
            time.sleep(0.01)
    raise AssertionError("gatebot serve never opened its port")


def test_the_port_opens_only_once_the_app_is_built_and_the_first_command_is_answered(
    tmp_path: Path, database_url: str, slack: SlackStandIn, migrated_sqlite_template: Path
):
    env = _env(slack, database_url)
    migrate(database_url, migrated_sqlite_template)
    port = _free_port()
    process = subprocess.Popen(
        [*GATEBOT, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # The verdict is a worker's job: the web process only acks and queues it.
    worker = subprocess.Popen(
        [*GATEBOT, "worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process)
        sender = SlackSender(
            events_url=f"http://127.0.0.1:{port}/slack/events",
            signing_secret=SECRET,
            response_url=slack.response_url("first"),
        )
        # Sent the moment the port accepts: the first command after a start.
        reply = sender.command("/hypothesis", "Make the system smarter.")
        verdict = slack.wait_for("response_url", timeout=20)[0].args
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        process.terminate()
        _, stderr = process.communicate(timeout=30)

    assert reply.status == 200
    assert "Vague" in json.dumps(verdict["blocks"])  # the worker posted the verdict
    messages = [json.loads(line)["msg"] for line in stderr.splitlines() if line.startswith("{")]
    built = messages.index("web app built: ready to answer Slack")
    listening = next(i for i, m in enumerate(messages) if m.startswith("Listening at"))
    assert built < listening, messages
    assert messages.count("web app built: ready to answer Slack") == 1  # once, not per worker


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_web_app_is_built_without_charts_statistics_or_the_model_client(
    tmp_path: Path, database_url: str, slack: SlackStandIn
):
    script = (
        "import sys\n"
        "from bot.web import build_from_settings\n"
        "build_from_settings()\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    built = subprocess.run(
        [sys.executable, "-c", script],
        env=_env(slack, database_url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert built.returncode == 0, built.stderr
    assert built.stdout.strip() == ""
