"""The gatebot command line, run as a person runs it: a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.demo.standin.slack import SlackStandIn
from bot.demo.standin.slack_requests import SlackSender

GATEBOT = [sys.executable, "-m", "bot.cli"]


def _run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    return subprocess.run(
        [*GATEBOT, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )


def test_check_prints_one_json_verdict():
    result = _run("check", "Reduce churn.")

    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["vague"] is True
    assert verdict["checker"] == "rules"
    assert "magnitude or decision rule" in verdict["missing"]
    assert verdict["rewrite"].startswith("We believe")


def test_check_file_prints_a_line_per_statement_and_names_bad_lines(tmp_path: Path):
    source = tmp_path / "statements.jsonl"
    source.write_text(
        '{"text": "Make the system smarter."}\n'
        "not json\n"
        '{"text": "p95 latency will stay below 120 ms over 7 days of production traffic."}\n'
    )

    result = _run("check", "--file", str(source))

    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(row["line"], row["vague"]) for row in lines] == [(1, True), (3, False)]
    assert f"{source}:2: not valid JSON" in result.stderr
    assert result.returncode == 1


def test_check_of_a_missing_file_is_one_clear_line(tmp_path: Path):
    result = _run("check", "--file", str(tmp_path / "nope.jsonl"))

    assert result.returncode == 2
    assert result.stderr.strip().startswith("gatebot: cannot read")
    assert "Traceback" not in result.stderr


def test_a_malformed_setting_exits_2_with_one_line_naming_it():
    result = _run("check", "Reduce churn.", env={"GATEBOT_LLM_TIMEOUT": "soon"})

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # exactly one line
    assert "GATEBOT_LLM_TIMEOUT is malformed" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_without_a_token_says_which_setting_to_set():
    result = _run("serve")

    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"gatebot serve exited: {process.stderr.read() if process.stderr else ''}"
            )
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gatebot serve did not become healthy")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_serve_answers_signed_slash_commands_through_slack_api_url(
    tmp_path: Path, database_url: str
):
    port = _free_port()
    with SlackStandIn() as slack:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-serve-test",
            "SLACK_SIGNING_SECRET": "serve-secret",
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
        }
        assert _run("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
        process = subprocess.Popen(
            [*GATEBOT, "serve", "--port", str(port), "--workers", "1"],
            env={**os.environ, **env},
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
            sender = SlackSender(
                events_url=f"http://127.0.0.1:{port}/slack/events",
                signing_secret="serve-secret",
                response_url=slack.response_url("serve"),
            )

            reply = sender.command("/hypothesis", "Make the system smarter.")
            forged = sender.post(sender.command_body("/hypothesis", "x y"), signature="v0=bad")

            verdict = slack.wait_for("response_url", timeout=15)[0].args
            assert reply.status == 200 and reply.seconds < 3
            assert forged.status == 401
            assert "Vague" in json.dumps(verdict["blocks"])
            assert slack.calls("auth.test")[0].token == "xoxb-serve-test"
        finally:
            process.terminate()
            process.wait(timeout=20)
            if process.stderr:
                process.stderr.close()
