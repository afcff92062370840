"""gatebot's processes started as an operator starts them (subprocesses), and killed."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.demo.standin.slack import SlackStandIn
from bot.demo.standin.slack_requests import SlackSender
from db import heartbeats
from db.models import Workspace
from db.models.gates import Project
from db.session import make_engine
from tests.migrated import migrate as migrate_to_head

GATEBOT = [sys.executable, "-m", "bot.cli"]
SIGNING_SECRET = "process-test-secret"  # noqa: S105 (a test value)


def free_port() -> int:
    """Return a port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def gatebot_env(slack: SlackStandIn, database_url: str, **extra: str) -> dict[str, str]:
    """Return the environment a process runs with: the stand-in Slack, this database."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-process-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        **extra,
    }


def start(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.Popen[str]:
    """Start `gatebot args…` in its own process group (so a kill reaches all its children)."""
    return subprocess.Popen(
        [*GATEBOT, *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill_hard(process: subprocess.Popen[str]) -> None:
    """SIGKILL the process and every process of its group (gunicorn's workers too)."""
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    if process.stderr:
        process.stderr.close()


def stop(process: subprocess.Popen[str], *, timeout: float = 30) -> str:
    """SIGTERM the process, wait for it, return what it wrote on stderr."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_hard(process)
        raise
    return stderr or ""


def wait_until(check: Callable[[], bool], *, timeout: float = 30, what: str = "it") -> None:
    """Poll `check` until it is true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout}s for {what}")


def wait_healthy(port: int, process: subprocess.Popen[str], *, timeout: float = 30) -> None:
    """Return once /healthz on `port` answers 200; fail if the process exits first."""

    def healthy() -> bool:
        if process.poll() is not None:
            stderr = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"gatebot exited with {process.returncode}: {stderr[-2000:]}")
        try:
            url = f"http://127.0.0.1:{port}/healthz"
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (local)
                return bool(response.status == 200)
        except OSError:
            return False

    wait_until(healthy, timeout=timeout, what=f"/healthz on port {port}")


def add_due_project(database_url: str, *, team_id: str = "T0GATEBOT") -> None:
    """Add a project whose sprint prompt fell due a minute ago by the real clock, in UTC."""
    due = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    engine = make_engine(database_url)
    with Session(engine) as session:
        workspace = Workspace(team_id=team_id)
        session.add(workspace)
        session.flush()
        session.add(
            Project(
                workspace_id=workspace.id,  # type: ignore[arg-type]
                name="Search ranking",
                channel_id="C1",
                sprint_length_days=1,
                sprint_start=due.date(),
                timezone="UTC",
                prompt_time=due.time(),
                # Every day a working day: due now on a weekend too (a day off moves a prompt).
                working_days=list(range(7)),
                phase="iteration",
                created_at=due - timedelta(days=1),
                updated_at=due - timedelta(days=1),
            )
        )
        session.commit()
    engine.dispose()


@dataclass
class Processes:
    """gatebot's web and worker as subprocesses on one database: killed and restarted at will.

    `sender`, `slack` and `engine` are what the shared test steps (tests/handlers/*_steps)
    use of a LiveApp, so they drive this app as they drive the in-process one.
    """

    slack: SlackStandIn
    env: dict[str, str]
    engine: Engine
    port: int
    sender: SlackSender
    cwd: Path
    web: subprocess.Popen[str] | None = None
    worker: subprocess.Popen[str] | None = None
    started: list[subprocess.Popen[str]] = field(default_factory=list)

    def start_web(self) -> None:
        """Start `gatebot serve` (one gunicorn worker) and wait until it answers."""
        self.web = start("serve", "--port", str(self.port), "--workers", "1", env=self.env)
        self.started.append(self.web)
        wait_healthy(self.port, self.web)

    def start_worker(self) -> None:
        """Start `gatebot worker` and wait for its first heartbeat (it is taking jobs)."""
        since = datetime.now(UTC)
        self.worker = start("worker", env=self.env)
        self.started.append(self.worker)

        def beating() -> bool:
            with Session(self.engine) as session:
                seen = heartbeats.last_seen(session=session, process="worker")
            return seen is not None and seen >= since

        wait_until(beating, what="the worker's first heartbeat")

    def kill_web(self) -> None:
        """SIGKILL the web process and its gunicorn worker."""
        assert self.web is not None
        kill_hard(self.web)

    def kill_worker(self) -> None:
        """SIGKILL the worker."""
        assert self.worker is not None
        kill_hard(self.worker)

    def stop_all(self) -> None:
        """Stop whatever still runs (the engine stays open for the test's reads)."""
        for process in self.started:
            if process.poll() is None:
                kill_hard(process)
            elif process.stderr and not process.stderr.closed:
                process.stderr.close()


StartProcesses = Callable[..., "Processes"]


@pytest.fixture
def processes(
    slack: SlackStandIn, database_url: str, tmp_path: Path, migrated_sqlite_template: Path
) -> Iterator[StartProcesses]:
    """Yield a factory of web and worker processes on a migrated database; stop them after."""
    made: list[Processes] = []
    migrated = False

    def make(**settings: str) -> Processes:
        nonlocal migrated
        if not migrated:  # once: a second set of processes shares the first one's database
            migrate_to_head(database_url, migrated_sqlite_template)
            migrated = True
        app = _processes(slack, database_url, tmp_path, **settings)
        made.append(app)
        return app

    yield make
    for app in made:
        app.stop_all()
        app.engine.dispose()


def _processes(slack: SlackStandIn, database_url: str, cwd: Path, **settings: str) -> Processes:
    """Return web and worker processes on `database_url` (migrated), none started yet."""
    env = gatebot_env(slack, database_url, **settings)
    port = free_port()
    sender = SlackSender(
        events_url=f"http://127.0.0.1:{port}/slack/events",
        signing_secret=SIGNING_SECRET,
        team_id=slack.team_id,
        response_url=slack.response_url("command"),
    )
    return Processes(slack, env, make_engine(database_url), port, sender, cwd)
