"""The gatebot command line, run as a person runs it: a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.sealing import Sealer
from bot.demo.standin.slack import SlackStandIn
from bot.demo.standin.slack_requests import SlackSender
from tests.served import free_port, wait_healthy

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


def test_serve_in_oauth_mode_without_a_seal_key_says_so_in_one_line():
    oauth = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_STATE_SECRET": "t"}
    result = _run("serve", env={**oauth, "SLACK_SIGNING_SECRET": "x"})

    assert result.returncode == 2
    assert (
        "gatebot: GATEBOT_SEAL_KEYS is not set: OAuth mode keeps each workspace's bot token "
        "encrypted with it. Create a key with `gatebot keys new` and set it"
    ) in result.stderr.splitlines()
    assert "Traceback" not in result.stderr


def test_keys_new_prints_a_key_that_seals():
    result = _run("keys", "new")

    key = result.stdout.strip()
    assert result.returncode == 0
    assert Sealer([key]).open(Sealer([key]).seal("xoxb-1")) == "xoxb-1"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_serve_answers_signed_slash_commands_through_slack_api_url(
    tmp_path: Path, database_url: str
):
    port = free_port()
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
            wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
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
