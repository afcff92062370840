"""`gatebot run`: web, worker and clock from one command, stopped cleanly by one signal."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from bot.demo.standin.slack import SlackStandIn
from bot.demo.standin.slack_requests import SlackSender
from bot.processes import commands
from tests.migrated import migrate
from tests.processes import (
    SIGNING_SECRET,
    add_due_project,
    free_port,
    gatebot_env,
    start,
    stop,
    wait_healthy,
)


def test_run_starts_the_web_a_worker_and_the_clock():
    web, worker, clock = commands(socket=False, port=3100)
    assert web[-3:] == ["serve", "--port", "3100"]
    assert (worker[-1], clock[-1]) == ("worker", "clock")
    assert commands(socket=True, port=None)[0][-1] == "socket"


def _port_closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_run_alone_answers_a_hypothesis_and_posts_a_due_gate_prompt(
    tmp_path: Path, database_url: str, slack: SlackStandIn, migrated_sqlite_template: Path
):
    port = free_port()
    env = gatebot_env(slack, database_url, PORT=str(port), GATEBOT_CLOCK_INTERVAL="0.5")
    migrate(database_url, migrated_sqlite_template)
    add_due_project(database_url)
    process = start("run", env=env, cwd=tmp_path)
    try:
        wait_healthy(port, process)
        sender = SlackSender(
            events_url=f"http://127.0.0.1:{port}/slack/events",
            signing_secret=SIGNING_SECRET,
            response_url=slack.response_url("run"),
        )
        reply = sender.command("/hypothesis", "Make the system smarter.")
        verdict = slack.wait_for("response_url", timeout=30)[0].args
        prompt = slack.wait_for("chat.postMessage", timeout=30)[0].args
    finally:
        stderr = stop(process)

    assert reply.status == 200 and "Checking" in reply.body
    assert "Vague" in json.dumps(verdict["blocks"])  # from the worker
    assert prompt["channel"] == "C1" and "Search ranking" in json.dumps(prompt)  # the clock's
    assert process.returncode == 0, stderr[-3000:]
    assert "stopping web, worker and clock on signal" in stderr
    assert "clock stopping on signal" in stderr and "worker stopping on signal" in stderr
    assert _port_closed(port)
