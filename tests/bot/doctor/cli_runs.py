"""Run `gatebot` as a person does, a subprocess, against a migrated database and the stand-in."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session

from bot.demo.standin.slack import SlackStandIn
from db.heartbeats import beat
from db.session import make_engine

GATEBOT = [sys.executable, "-m", "bot.cli"]


def run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `gatebot ARGS` with exactly `env` (plus PATH and the interpreter's own)."""
    return subprocess.run(
        [*GATEBOT, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**_base_environment(), **env},
        cwd=cwd,
        check=False,
    )


def _base_environment() -> dict[str, str]:
    # The test's own os.environ minus settings: conftest removed SLACK_*, GATEBOT_* already.
    return {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PORT"}}


def good_env(slack: SlackStandIn, database_url: str) -> dict[str, str]:
    """Return settings under which every entry point starts: tokens, secret, database."""
    return {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-good",
        "SLACK_SIGNING_SECRET": "good-secret",
        "SLACK_APP_TOKEN": "xapp-1-good",
        "SLACK_API_URL": slack.api_url,
        "GATEBOT_LOG_FORMAT": "text",
    }


def copy_of(template: Path, directory: Path, *, seen: tuple[str, ...] = ("clock", "worker")) -> str:
    """Return the URL of a fresh copy of `template` in `directory`, the `seen` beating now."""
    path = directory / "gatebot.db"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with Session(engine) as session:
        for process in seen:
            beat(session=session, process=process)
        session.commit()
    engine.dispose()
    return url


def closed_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
